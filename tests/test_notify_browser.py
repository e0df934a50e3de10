"""The HTML part of an Arabic alert in a real browser: right to left, a screenshot to look at."""

import os

import pytest

from moderation.notify.worker import Worker

from .test_browser import CHROMIUM, browser  # noqa: F401 (the fixture)
from .test_notify import mail_app, prepare, run, smtp, submit  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def test_browser_arabic_alert_html_renders_right_to_left(mail_app, smtp, browser, tmp_path):  # noqa: F811
    app = mail_app()
    site = prepare(app, "mona")
    submit(site)
    run(app, Worker(app))
    [message] = smtp.inbox.wait_for(1)
    page = browser.new_page(viewport={"width": 600, "height": 500})
    page.set_content(message.get_body(("html",)).get_content())
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    approve = page.get_by_role("link", name="موافقة", exact=True).bounding_box()
    reject = page.get_by_role("link", name="رفض", exact=True).bounding_box()
    # Right to left: the first button (Approve) stands to the right of the second (Reject).
    assert approve["x"] > reject["x"]
    shot = tmp_path / "alert-ar.png"  # kept in pytest's temporary folder, to look at
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000
    page.close()
