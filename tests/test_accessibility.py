"""WCAG 2.2 AA in a real browser: axe-core on every page, in Arabic and English, and the keyboard alone.

axe-core comes from npm, pinned in package-lock.json (`make test` runs
`npm ci`). It is evaluated in the page through Playwright, the way a
browser's developer tools run a script, so the pages keep their own
Content-Security-Policy while they are checked.
"""

import json
import os
import pathlib
import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from moderation.models import Decision, Intake, NewComment
from moderation.notify import reader_links
from moderation.webhooks.store import WebhookStore

from . import test_browser
from .conftest import PASSWORD

# The browser tests' own fixtures and marks: Debian's chromium, the app served on a free port.
pytestmark = test_browser.pytestmark
browser = test_browser.browser
live_server = test_browser.live_server
page_elsewhere = test_browser.page_elsewhere

AXE = pathlib.Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices. Findings of these impacts
# fail a test; "moderate" and "minor" ones (one h1 a page, say: the embed's comments sit under the news
# site's article title, an h2) are beyond WCAG's success criteria and do not.
FAILING = {"serious", "critical"}
ARABIC = re.compile("[\u0600-\u06ff]")
# Arabic on a phone and English on a desktop: each page is checked once in each language and once at
# each width (reflow and the size of tap targets depend on it).
LOCALES = {
    "ar": {"locale": "ar", "viewport": {"width": 360, "height": 740}},
    "en": {"locale": "en-US", "viewport": {"width": 1280, "height": 900}},
}


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm ci)")
    return AXE.read_text()


def axe_violations(page, axe_source):
    """What axe finds wrong on the page as it is now: one dict (rule, impact, target, summary) per element."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    results = page.evaluate("""() => axe.run(document, {
        resultTypes: ["violations"],
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    })""")
    assert len(results["passes"]) > 10, "axe checked next to nothing"
    return [{"rule": violation["id"], "impact": node["impact"] or violation["impact"],
             "target": json.dumps(node["target"]), "summary": node["failureSummary"]}
            for violation in results["violations"] for node in violation["nodes"]]


class Audit:
    """What axe found on each page of one locale, asserted at the end so that one run names every page."""

    def __init__(self, axe_source, locale):
        self.axe_source = axe_source
        self.locale = locale
        self.pages = {}

    def check(self, page, name):
        page.wait_for_load_state("load")
        assert page.get_attribute("html", "lang") == self.locale, name
        # The page is in its language, not only marked so (the catalogs are compiled).
        assert bool(ARABIC.search(page.title())) == (self.locale == "ar"), f"{name}: {page.title()}"
        self.pages[name] = axe_violations(page, self.axe_source)

    def assert_clean(self):
        failing = [f"{name}: {v['rule']} ({v['impact']}) at {v['target']}\n    {v['summary']}"
                   for name, found in self.pages.items() for v in found if v["impact"] in FAILING]
        assert not failing, "axe found serious or critical violations:\n" + "\n".join(failing)


def now_ms():
    return int(time.time() * 1000)


def comment(store, body, *, author="قارئ", **fields):
    """A comment sent to the queue of article-1 (``fields``: NewComment's)."""
    fields = {"thread": "article-1", "email": "reader@example.com", **fields}
    return store.submit(NewComment(author=author, body=body, **fields), nonce=body, now_ms=now_ms()).id


@pytest.fixture
def busy_site(app, store, make_moderator):
    """A site with something on every page: published replies, a queue with signals, a wave, spam, a log."""
    make_moderator("ali", "admin")
    make_moderator("mona")
    first = comment(store, "مقال ممتاز، شكراً على التغطية. Great coverage.", author="Sam",
                    url="https://example.org/sam")
    store.decide(first, Decision.APPROVE, "ali", now_ms())
    reply = comment(store, "أتفق معك تماماً", author="نور", parent=first)
    store.decide(reply, Decision.APPROVE, "ali", now_ms())
    rejected = comment(store, "buy cheap watches", author="Bot")
    store.decide(rejected, Decision.REJECT, "mona", now_ms(), reason="spam")
    pending = comment(store, "تعليق ينتظر القرار مع رابط https://example.com", author="Ahmed",
                      url="https://example.com", parent=first, ip="198.51.100.7")
    held = store.submit(NewComment(thread="article-2", author="Lina", email="lina@example.com",
                                   body="call me on 0100 000 0000"),
                        nonce="held", now_ms=now_ms(),
                        intake=Intake(held=True, reasons=("phone_number", "held_word: call"))).id
    spam = store.submit(NewComment(thread="article-1", author="Bot 2", email="bot@example.com", body="free money"),
                        nonce="spam", now_ms=now_ms(), intake=Intake(status="spam", reasons=("honeypot",))).id
    for i in range(6):
        store.submit(NewComment(thread="article-1", author=f"Name {i}", email=f"bot{i}@example.com",
                                body=f"Great deals today at https://cheap-meds.example/offer{i} hurry",
                                ip=f"203.0.113.{i + 1}"),
                     nonce=f"wave-{i}", now_ms=now_ms(), waves=["domain:cheap-meds.example"], wave_seconds=3600)
    store.report(reply, "article-1", now_ms(), network="198.51.100.0/24", reason="other", note="كلام جارح")
    claimed = comment(store, "mona is reading this one", author="Omar")
    store.claim([claimed], "mona", 600_000)
    return {"published": first, "rejected": rejected, "pending": pending, "held": held, "spam": spam,
            "claimed": claimed, "store": store, "app": app}


def log_in(page, live_server, name="ali"):
    page.goto(f"{live_server}/moderate/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/moderate/")


def test_axe_finds_what_is_wrong(live_server, browser, axe_source):
    """The check can fail: a button without a name and grey on grey are found."""
    page = browser.new_page()
    page.goto(f"{live_server}/threads/article-1")
    page.evaluate("""() => {
        const main = document.querySelector("main");
        main.append(document.createElement("button"));
        const faint = main.appendChild(document.createElement("p"));
        faint.textContent = "faint";
        Object.assign(faint.style, {color: "#999", background: "#aaa"});  // CSSOM: the page's CSP allows it
    }""")
    found = {(v["rule"], v["impact"]) for v in axe_violations(page, axe_source)}
    assert {("button-name", "critical"), ("color-contrast", "serious")} <= found


@pytest.mark.parametrize("lang", LOCALES)
def test_reader_pages_pass_axe(lang, live_server, browser, busy_site, axe_source):
    audit = Audit(axe_source, lang)
    page = browser.new_context(**LOCALES[lang]).new_page()
    thread = f"{live_server}/threads/article-1"

    page.goto(thread)
    audit.check(page, "thread")
    page.goto(f"{thread}?replyto={busy_site['published']}#respond")
    audit.check(page, "thread, replying")
    page.click("button[type=submit]")  # nothing filled in
    audit.check(page, "thread, form errors")
    page.fill("#comment", "تعليق جديد من قارئ")
    page.fill("#author", "قارئ")
    page.fill("#email", "reader@example.com")
    page.click("button[type=submit]")
    page.wait_for_selector(".own-comment")
    audit.check(page, "thread, own comment waiting")

    page.goto(f"{live_server}/embed/article-1")
    audit.check(page, "embed")
    page.click("button[type=submit]")
    audit.check(page, "embed, form errors")
    page.goto(f"{live_server}/threads/article-1/comments/{busy_site['published']}/report")
    audit.check(page, "report a comment")
    page.click("button[type=submit]")  # no reason chosen
    audit.check(page, "report, form errors")
    page.check("input[value=abuse]")
    page.click("button[type=submit]")
    audit.check(page, "report, thanked")
    page.goto(f"{live_server}/threads/no/such/page")
    audit.check(page, "not found")
    # The pages a reader's mail links to: confirm the address, unsubscribe, and what each answers.
    with busy_site["app"].app_context():
        confirm = reader_links.confirm_token("main", "0" * 32)
        unsubscribe = reader_links.unsubscribe_token("main", "0" * 32, "article-1")
    page.goto(f"{live_server}/subscriptions/confirm/{confirm}")
    audit.check(page, "confirm reply mail")
    page.click("button[type=submit]")
    audit.check(page, "confirm reply mail, done")
    page.goto(f"{live_server}/subscriptions/unsubscribe/{unsubscribe}")
    audit.check(page, "unsubscribe")
    page.click("button[value=thread]")
    audit.check(page, "unsubscribe, done")
    page.goto(f"{live_server}/subscriptions/unsubscribe/{unsubscribe}x")
    audit.check(page, "unsubscribe, link not valid")
    busy_site["store"].set_thread_state("article-1", "closed", "ali", now_ms())
    page.goto(thread)
    audit.check(page, "thread, closed")
    audit.assert_clean()


@pytest.mark.parametrize("lang", LOCALES)
def test_console_pages_pass_axe(lang, live_server, browser, busy_site, axe_source):
    audit = Audit(axe_source, lang)
    page = browser.new_context(**LOCALES[lang]).new_page()
    console = f"{live_server}/moderate"

    page.goto(f"{console}/login")
    audit.check(page, "login")
    page.fill("#username", "ali")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    audit.check(page, "login, wrong password")
    log_in(page, live_server)
    page.wait_for_selector(".item")
    audit.check(page, "queue")
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_selector(".item.approved")
    audit.check(page, "queue, after a decision in place")
    page.keyboard.press("?")
    audit.check(page, "queue, keyboard shortcuts shown")
    csrf = page.get_attribute("#queue", "data-csrf")
    page.goto(f"{console}/?thread=article-2")
    audit.check(page, "queue, filtered")
    page.goto(f"{console}/?thread=nothing-here")
    audit.check(page, "queue, empty")
    for key in ("pending", "held", "rejected", "spam", "claimed"):
        page.goto(f"{console}/comments/{busy_site[key]}")
        audit.check(page, f"comment, {key}")
    page.goto(f"{console}/comments/{busy_site['held']}/reject")
    audit.check(page, "comment, confirm")
    # A decision sent as a plain form (no script): the queue shows what happened and an Undo button.
    page.request.post(f"{console}/comments/{busy_site['held']}/approve", form={"csrf_token": csrf},
                      max_redirects=0)
    page.goto(f"{console}/")
    page.wait_for_selector(".notice-undo")
    audit.check(page, "queue, after a plain-form decision")
    page.goto(f"{console}/spam")
    audit.check(page, "spam")
    page.goto(f"{console}/log")
    audit.check(page, "log")
    page.goto(f"{console}/rules")
    audit.check(page, "rules")
    page.fill("#blocked_ips", "not an address")
    page.click("form[action$='/rules'] button[type=submit]")
    audit.check(page, "rules, form errors")
    page.goto(f"{console}/moderators")
    audit.check(page, "moderators")
    page.click("form[action$='/moderators'] button[type=submit]")
    audit.check(page, "moderators, form errors")
    page.goto(f"{console}/comments/{busy_site['published']}")
    audit.check(page, "comment, published (with its takedown form)")
    page.click("form.remove button[type=submit]")  # no reason chosen
    audit.check(page, "comment, takedown form errors")
    page.select_option("form.remove select[name=reason]", "legal")
    page.click("form.remove button[type=submit]")
    page.wait_for_selector(".status-removed")
    audit.check(page, "comment, removed")
    page.goto(f"{console}/threads")
    audit.check(page, "articles")
    page.goto(f"{console}/reported")
    audit.check(page, "reported")
    page.goto(f"{console}/dashboard")
    audit.check(page, "dashboard")
    if os.environ.get("DASHBOARD_SCREENSHOT"):
        page.screenshot(path=f"{os.environ['DASHBOARD_SCREENSHOT']}-{lang}.png", full_page=True)
    page.goto(f"{console}/commenters")
    audit.check(page, "commenters")
    page.click("form button[formaction$='/erase']")  # no address, no confirmation
    audit.check(page, "commenters, form errors")
    page.fill("input[name=email]", "gone@example.com")
    page.check("input[name=confirm]")
    page.click("form button[formaction$='/erase']")
    page.wait_for_selector(".erasure-running")
    audit.check(page, "commenters, an erasure waiting for a worker")
    page.goto(f"{console}/webhooks")
    audit.check(page, "webhooks")
    page.click("form[action$='/webhooks'] button[type=submit]")  # no address
    audit.check(page, "webhooks, form errors")
    page.fill("#url", "https://93.184.215.14/hook")
    page.click("form[action$='/webhooks'] button[type=submit]")
    page.wait_for_selector("code.secret")
    audit.check(page, "webhooks, the new endpoint's secret")
    endpoint_id = page.url.split("/")[-2]
    page.reload()
    audit.check(page, "webhooks, the secret shown already")
    page.goto(f"{console}/webhooks")
    audit.check(page, "webhooks, with an endpoint")
    WebhookStore(busy_site["store"].client).log_attempt(
        endpoint_id, "msg_1", event="approved", comment_id=str(busy_site["published"]), status="500",
        error="HTTP 500", sent=False, now_ms=now_ms())
    page.goto(f"{console}/webhooks/{endpoint_id}")
    page.wait_for_selector(".delivery")
    audit.check(page, "webhooks, deliveries")
    page.goto(f"{console}/setup?token=used-or-wrong")
    audit.check(page, "setup link not valid")
    audit.assert_clean()


@pytest.mark.parametrize("lang", LOCALES)
def test_first_run_setup_passes_axe(lang, app, live_server, browser, axe_source):
    from moderation import accounts

    with app.app_context():
        token = accounts.issue_setup_token()
    audit = Audit(axe_source, lang)
    page = browser.new_context(**LOCALES[lang]).new_page()
    page.goto(f"{live_server}/moderate/setup?token={token}")
    audit.check(page, "setup")
    page.fill("#password", "short")
    page.click("button[type=submit]")
    audit.check(page, "setup, form errors")
    audit.assert_clean()


# Form errors: announced, tied to their fields, and the focus on the first

def error_of(frame, field_id):
    """The message tied to a field that is marked invalid (asserting that it is), for a page or a frame."""
    field = frame.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true", field_id
    message = frame.locator(f"#{field.get_attribute('aria-describedby')}")
    assert message.get_attribute("role") == "alert"
    assert message.inner_text().strip()
    return message.inner_text()


def focused_id(frame):
    return frame.evaluate("document.activeElement.id")


def assert_focus_goes_to(frame, element_id):
    """Autofocus happens at the next rendering after the page's styles are in: wait for it, 5 seconds at most."""
    try:
        frame.wait_for_function("(id) => document.activeElement.id === id", arg=element_id, timeout=5000)
    except PlaywrightTimeout:
        pytest.fail(f"the focus is on #{focused_id(frame)}, not on #{element_id}")


@pytest.mark.parametrize("lang", LOCALES)
def test_reader_form_errors_are_tied_to_their_fields_and_focused(lang, live_server, browser):
    page = browser.new_context(**LOCALES[lang]).new_page()
    page.goto(f"{live_server}/threads/article-1")
    page.fill("#author", "قارئ")
    page.fill("#email", "not an address")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.click("button[type=submit]")
    assert response.value.status == 400
    assert_focus_goes_to(page, "comment")  # the first field with an error, not the first field
    error_of(page, "comment")
    assert "name@example.com" in error_of(page, "email") or lang == "ar"
    assert page.get_attribute("#author", "aria-invalid") is None
    assert page.input_value("#author") == "قارئ"  # what was typed is kept


def test_embed_form_errors_are_focused_inside_a_cross_origin_frame(live_server, browser, page_elsewhere):
    """Browsers refuse autofocus in a cross-origin frame: the embed's script gives the focus instead."""
    article = page_elsewhere(f'<!doctype html><html lang="en"><body><h1>Article</h1><script src="{live_server}'
                             '/embed.js" data-thread="article-1" async></script>')
    page = browser.new_context(locale="en-US").new_page()
    page.goto(article)
    frame = page.frame_locator("iframe")
    frame.locator("#comment").fill("A reader's comment")
    frame.locator("button[type=submit]").click()
    frame.locator("#author[aria-invalid=true]").wait_for()
    embed = next(f for f in page.frames if "/embed/" in f.url)
    assert_focus_goes_to(embed, "author")
    assert error_of(embed, "author") == "Please enter your name."
    error_of(embed, "email")


def test_console_form_errors_are_tied_to_their_fields_and_focused(live_server, browser, store, make_moderator):
    make_moderator("ali", "admin")
    pending = comment(store, "words a moderator will edit")
    page = browser.new_context(locale="en-US").new_page()
    console = f"{live_server}/moderate"

    page.goto(f"{console}/login")
    page.fill("#username", "ali")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    page.wait_for_selector("#password[aria-invalid=true]")
    assert_focus_goes_to(page, "password")
    assert error_of(page, "password") == "Wrong username or password."

    log_in(page, live_server)
    page.goto(f"{console}/moderators")
    page.fill("#password", "short")
    page.click("form[action$='/moderators'] button[type=submit]")
    page.wait_for_selector("#username[aria-invalid=true]")
    assert_focus_goes_to(page, "username")
    assert error_of(page, "username") == "Please enter a username."
    assert error_of(page, "password") == "Use at least 12 characters."

    page.goto(f"{console}/rules")
    page.fill("#blocked_ips", "192.0.2.0/24\nnot an address")
    page.click("form[action$='/rules'] button[type=submit]")
    page.wait_for_selector("#blocked_ips[aria-invalid=true]")
    assert_focus_goes_to(page, "blocked_ips")
    assert error_of(page, "blocked_ips") == "Not an address or a range: not an address"

    page.goto(f"{console}/comments/{pending}")
    page.fill("#body", " ")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.click("button[formaction$='/edit']")
    assert response.value.status == 400
    page.wait_for_selector("#body[aria-invalid=true]")
    assert_focus_goes_to(page, "body")
    assert error_of(page, "body").startswith("Please enter the comment's text.")
    assert store.get(pending).body == "words a moderator will edit"


# The queue with the keyboard alone

def tab_to(page, selector, limit=80):
    """Press Tab until the focus is on ``selector``; fails if it never gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{limit} presses of Tab never reached {selector}")


def sent_decisions(page):
    """The decisions the page posts, as they are sent."""
    sent = []
    page.on("request", lambda r: sent.append(r.url.rsplit("/", 2)[-2:]) if r.method == "POST"
            and "/moderate/comments/" in r.url else None)
    return sent


def test_keyboard_alone_walks_the_whole_moderator_path(live_server, browser, store, make_moderator):
    make_moderator("ali", "admin")
    keep = comment(store, "a comment worth publishing", author="Sam")
    drop = comment(store, "buy cheap watches today", author="Bot")
    third = comment(store, "a third opinion on the treaty", author="Nour")
    page = browser.new_context(locale="en-US").new_page()
    announcer = page.locator("#announcer")

    # Log in: Tab to the name, type, Tab to the password, type, Enter.
    page.goto(f"{live_server}/moderate/")
    assert "/moderate/login" in page.url
    tab_to(page, "#username")
    page.keyboard.type("ali")
    page.keyboard.press("Tab")
    assert focused_id(page) == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/moderate/")
    page.wait_for_selector(f"#item-{keep}")
    assert announcer.get_attribute("aria-live") == "polite" and announcer.get_attribute("role") == "status"

    # The first Tab reaches the skip link, which leads past the console's header into the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_id(page) == "filter-thread"
    # That is a text field: j is a letter of the article's name there, not a key.
    page.keyboard.press("j")
    assert page.input_value("#filter-thread") == "j" and page.locator(".item.current").count() == 0
    page.keyboard.press("Backspace")

    # Outside it, j goes to the first comment, a approves it in place, and a screen reader hears so.
    tab_to(page, ".filters button")
    page.keyboard.press("j")
    assert focused_id(page) == f"item-{keep}"
    page.keyboard.press("a")
    page.wait_for_selector(f"#item-{keep}.approved")
    expect(announcer).to_have_text(f"Comment {keep} approved.")
    # The focus went on to the next comment: r rejects it.
    page.wait_for_function(f"document.activeElement.id === 'item-{drop}'")
    page.keyboard.press("r")
    page.wait_for_selector(f"#item-{drop}.rejected")
    expect(announcer).to_have_text(f"Comment {drop} rejected.")
    page.keyboard.press("u")
    page.wait_for_selector(f"#item-{drop}:not(.decided)")
    expect(announcer).to_have_text(f"Comment {drop} is back in the queue.")

    # Without the letter keys: Tab to a comment's Approve button and press Enter.
    tab_to(page, f"#item-{third} button.approve")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#item-{third}.approved")
    expect(announcer).to_have_text(f"Comment {third} approved.")
    # Its button is gone, and the focus did not fall back to the top of the page.
    assert page.evaluate(f"document.getElementById('item-{third}').contains(document.activeElement)")
    assert [store.get(i).status for i in (keep, drop, third)] == ["approved", "pending", "approved"]


def toggle_shortcuts(page):
    """Open the keys' panel and tick or untick its setting, with the keyboard."""
    tab_to(page, "#keys-help summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_id(page) == "shortcuts-on"
    page.keyboard.press("Space")


def test_shortcut_keys_can_be_turned_off_and_never_fire_in_a_text_field(live_server, browser, store,
                                                                        make_moderator):
    make_moderator("ali", "admin")
    first = comment(store, "the first comment")
    second = comment(store, "the second comment")
    page = browser.new_context(locale="en-US").new_page()
    log_in(page, live_server)
    page.wait_for_selector(f"#item-{first}")
    sent = sent_decisions(page)

    # Turned off with the keyboard.
    toggle_shortcuts(page)
    assert not page.is_checked("#shortcuts-on")

    # Remembered: after a reload the keys are still off, and j and a do nothing.
    page.reload()
    page.wait_for_selector(f"#item-{first}")
    assert not page.is_checked("#shortcuts-on")
    page.keyboard.press("j")
    page.keyboard.press("a")
    assert page.locator(".item.current").count() == 0
    # The buttons still work: this decision is sent after the keys were pressed, and it is the only one.
    tab_to(page, f"#item-{second} button.approve")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#item-{second}.approved")
    assert sent == [[str(second), "approve"]]

    # On again: letters typed in a text field are text, never a decision.
    toggle_shortcuts(page)
    page.reload()
    page.wait_for_selector(f"#item-{first}")
    assert page.is_checked("#shortcuts-on")
    tab_to(page, f"#item-{first} input[name=note]")
    page.keyboard.type("a rude joke, marked x")
    assert page.input_value(f"#item-{first} input[name=note]") == "a rude joke, marked x"
    # Outside the text field the keys act on the comment that has the focus.
    page.keyboard.press("Tab")
    assert page.evaluate(f"document.activeElement.matches('#item-{first} button.reject')")
    page.keyboard.press("a")
    page.wait_for_selector(f"#item-{first}.approved")
    assert sent == [[str(second), "approve"], [str(first), "approve"]]
    assert store.get(first).status == "approved"


# Visible focus

FOCUS_STYLE = """() => {
    const el = document.activeElement, style = getComputedStyle(el);
    if (el === document.body) {
        return {what: "body", shown: true};  // past the last element: the focus is in the browser's own bar
    }
    const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    return {what: el.outerHTML.slice(0, 80), shown: ring || style.boxShadow !== "none"};
}"""


@pytest.mark.parametrize("path", ["/threads/article-1", "/moderate/"])
def test_everything_the_keyboard_reaches_shows_its_focus(path, live_server, browser, busy_site):
    page = browser.new_context(locale="en-US").new_page()
    log_in(page, live_server)
    page.goto(f"{live_server}{path}")
    unseen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        if not focus["shown"]:
            unseen.append(focus["what"])
    assert not unseen, "no visible focus on:\n" + "\n".join(unseen)
    page.keyboard.press("j")
    assert page.evaluate(FOCUS_STYLE)["shown"] or path != "/moderate/"  # a comment made current by j
