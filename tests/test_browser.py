"""End to end in a real browser: Playwright driving Debian's chromium.

`.ci/run` installs chromium; elsewhere these tests skip when it is missing.
"""

import http.server
import os
import threading
import urllib.request

import pytest
from werkzeug.serving import make_server

from moderation.models import NewComment

from .conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # Third-party cookies blocked, as Safari does by default and Firefox nearly does.
            args=["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync",
                  "--test-third-party-cookie-phaseout"],
        )
        yield browser
        browser.close()


def log_in_as_ali(page, live_server):
    page.goto(f"{live_server}/moderate/login")
    page.fill("#username", "ali")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def queue_comment(store, body, author="Reader"):
    comment_id = store.submit(
        NewComment(thread="article-1", author=author, email="reader@example.com", body=body),
        nonce=body, now_ms=1_700_000_000_000 + len(body)).id
    return comment_id


def test_browser_keyboard_moderation_end_to_end(live_server, browser, store, make_moderator):
    make_moderator("ali", "admin")
    keep = queue_comment(store, "a comment worth publishing")
    drop = queue_comment(store, "a comment to throw away, spam spam")
    page = browser.new_page(locale="en-US")

    page.goto(f"{live_server}/moderate/")
    assert "/moderate/login" in page.url
    page.fill("#username", "ali")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(f"#item-{keep}")

    page.keyboard.press("j")
    assert page.get_attribute(f"#item-{keep}", "class").split().count("current") == 1
    page.keyboard.press("a")
    page.wait_for_selector(f"#item-{keep}.approved")
    # After a decision the next comment is current: reject it.
    page.wait_for_selector(f"#item-{drop}.current")
    page.keyboard.press("r")
    page.wait_for_selector(f"#item-{drop}.rejected")
    assert store.get(keep).status == "approved"
    assert store.get(drop).status == "rejected"

    # u undoes the last decision, and it can be taken again.
    page.keyboard.press("u")
    page.wait_for_selector(f"#item-{drop}:not(.decided)")
    assert store.get(drop).status == "pending"
    page.click(f"#item-{drop} button.reject")
    page.wait_for_selector(f"#item-{drop}.rejected")

    # x selects the current comment for a bulk action.
    page.keyboard.press("k")
    page.keyboard.press("x")
    assert page.is_checked(f"#item-{keep} input[name=ids]")

    # ? shows the keys.
    page.keyboard.press("?")
    assert page.is_visible("#keys-help dl")

    # A new comment shows up on the open queue without a reload.
    fresh = queue_comment(store, "arrived while the queue was open")
    page.wait_for_selector(f"#item-{fresh}", timeout=10_000)

    public = browser.new_page()
    public.goto(f"{live_server}/threads/article-1")
    content = public.content()
    assert "a comment worth publishing" in content
    assert "throw away" not in content


def test_browser_queue_fits_a_phone_in_arabic(live_server, browser, store, make_moderator):
    make_moderator("ali", "admin")
    queue_comment(store, "تعليق طويل " * 40, author="قارئ من القاهرة")
    page = browser.new_page(viewport={"width": 360, "height": 740}, locale="ar")
    log_in_as_ali(page, live_server)
    page.wait_for_selector(".item")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    approve = page.locator(".item button.approve").first.bounding_box()
    assert approve["width"] >= 44 or approve["height"] >= 32  # large enough to tap


def test_browser_works_without_javascript(live_server, browser, store, make_moderator):
    make_moderator("ali", "admin")
    comment_id = queue_comment(store, "decided with plain forms")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    log_in_as_ali(page, live_server)
    page.click(f"#item-{comment_id} button.approve")
    page.wait_for_selector(".notice-success")
    assert store.get(comment_id).status == "approved"
    context.close()


@pytest.fixture
def news_site(live_server):
    """The demo article served from another origin (127.0.0.2) than the service (127.0.0.1)."""
    with urllib.request.urlopen(f"{live_server}/demo") as response:
        article = response.read()

    class ArticlePage(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(article)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), ArticlePage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_browser_demo_on_another_site_with_third_party_cookies_blocked(live_server, news_site, browser,
                                                                       store, make_moderator):
    make_moderator("ali", "admin")
    context = browser.new_context(locale="ar")
    page = context.new_page()
    page.goto(news_site)
    frame = page.frame_locator("iframe")
    frame.locator("#comment").fill("تعليق من موقع آخر داخل الإطار")
    frame.locator("#author").fill("قارئ")
    frame.locator("#email").fill("reader@example.com")
    frame.locator("button[type=submit]").click()
    frame.locator(".own-comment").wait_for()
    assert "تعليقك بانتظار المراجعة." in frame.locator(".own-comment").inner_text()
    embed = next(f for f in page.frames if "/embed/" in f.url)
    assert embed.evaluate("document.cookie") == ""
    assert context.cookies(live_server) == []  # the whole reader flow ran without a cookie
    [comment] = [c for c in store.queue_page("", 0).comments if "من موقع آخر" in c.body]

    console = context.new_page()
    log_in_as_ali(console, live_server)
    console.click(f"#item-{comment.id} button.approve")
    console.wait_for_selector(f"#item-{comment.id}.approved")

    page.reload()
    frame = page.frame_locator("iframe")
    frame.locator(f"#comment-{comment.id}").wait_for()
    assert "تعليق من موقع آخر داخل الإطار" in frame.locator(".comment-list").inner_text()
    # The iframe is sized to its content, through postMessage.
    embed = next(f for f in page.frames if "/embed/" in f.url)
    page.wait_for_function("""(height) => {
        const frame = document.querySelector("iframe");
        return Math.abs(frame.getBoundingClientRect().height - height) <= 2;
    }""", arg=embed.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)"))
    assert page.evaluate('document.querySelector("iframe").getBoundingClientRect().height') > 480
    context.close()


@pytest.fixture
def page_elsewhere():
    """Serve a page of HTML from another origin (127.0.0.2) than the service's."""
    servers = []

    def serve(html):
        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(html.encode())

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Page)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.2:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_browser_embed_data_site_shows_and_takes_that_sites_comments(make_app, tmp_path, browser, page_elsewhere):
    """One comments host (127.0.0.1, site main's) serves the embed of site sport, named by data-site."""
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text('[sites.main]\nhosts = ["127.0.0.1"]\n\n'
                          '[sites.sport]\nname = "Sport"\nhosts = ["sport.invalid"]\ndefault_locale = "en"\n')
    app = make_app(SITES=str(sites_file))
    sport, main = app.extensions["sites"].get("sport").store, app.extensions["sites"].get("main").store
    sport.decide(sport.submit(NewComment(thread="match-report", author="Coach", email="c@example.com",
                                         body="A comment of the sport site"), nonce="s", now_ms=1).id,
                 "approved", "m", 2)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        service = f"http://127.0.0.1:{server.server_port}"
        article = page_elsewhere(f'<!doctype html><html lang="en"><body><h1>Match report</h1><script src="{service}'
                                 '/embed.js" data-site="sport" data-thread="match-report" async></script>')
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        page.goto(article)
        frame = page.frame_locator("iframe")
        frame.locator(".comment-list").wait_for()
        assert "A comment of the sport site" in frame.locator(".comment-list").inner_text()
        frame.locator("#comment").fill("Posted through the shared comments host")
        frame.locator("#author").fill("Fan")
        frame.locator("#email").fill("fan@example.com")
        frame.locator("button[type=submit]").click()
        frame.locator(".own-comment").wait_for()
        context.close()
    finally:
        server.shutdown()
    assert [c.body for c in sport.queue_page("", 0).comments] == ["Posted through the shared comments host"]
    assert main.pending_count() == 0
