"""The HTML part of an Arabic alert, and of a reader's reply notification, in a real browser: right to left, a
screenshot to look at."""

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


def test_browser_arabic_reply_notification_html_renders_right_to_left(mail_app, smtp, browser, tmp_path):  # noqa: F811
    from .test_notify_readers import comment, confirmed_reader, ready

    app = mail_app()
    site = ready(app)
    first, _ = confirmed_reader(app, smtp)
    comment(site, "sami@example.com", "أتفق معك، وهذا ردّ بالعربية with some English", parent=first)
    run(app, Worker(app))
    [_, message] = smtp.inbox.wait_for(2)
    page = browser.new_page(viewport={"width": 360, "height": 640})
    page.set_content(message.get_body(("html",)).get_content())
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    # Right to left: the footer's first link (this article) stands to the right of the second (everything).
    one = page.get_by_role("link", name="أوقف البريد عن هذا المقال").bounding_box()
    everything = page.get_by_role("link", name="أوقف كل البريد منا").bounding_box()
    assert one["x"] > everything["x"]
    shot = tmp_path / "reply-ar.png"  # kept in pytest's temporary folder, to look at
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000
    page.close()
