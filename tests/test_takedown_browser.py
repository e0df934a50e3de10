"""A takedown in a real browser: a moderator removes a published comment from the console, and the article's
embed no longer shows it after a reload."""

from moderation.models import Decision, NewComment

from .test_browser import browser, live_server, log_in_as_ali, page_elsewhere, pytestmark  # noqa: F401


def test_browser_remove_from_the_console_and_the_embed_drops_it(live_server, browser, page_elsewhere,  # noqa: F811
                                                                 store, make_moderator):
    make_moderator("ali", "admin")
    shown = store.submit(NewComment(thread="front", author="Reader", email="r@example.com",
                                    body="a comment that must go"), nonce="a", now_ms=1).id
    store.decide(shown, Decision.APPROVE, "ali", 2)
    kept = store.submit(NewComment(thread="front", author="Other", email="o@example.com", body="a comment that stays"),
                        nonce="b", now_ms=3).id
    store.decide(kept, Decision.APPROVE, "ali", 4)
    article = page_elsewhere(f'<!doctype html><html lang="en"><body><h1>Front page</h1>'
                             f'<script src="{live_server}/embed.js" data-thread="front" async></script>')
    context = browser.new_context(locale="en-US")
    reader = context.new_page()
    reader.goto(article)
    comments = reader.frame_locator("iframe").locator(".comment-list")
    comments.wait_for()
    assert "a comment that must go" in comments.inner_text()

    moderator = context.new_page()
    log_in_as_ali(moderator, live_server)
    moderator.goto(f"{live_server}/moderate/comments/{shown}")
    moderator.select_option("form.remove select[name=reason]", "legal")
    moderator.click("form.remove button[type=submit]")
    moderator.locator(".status-removed").wait_for()

    reader.reload()
    comments = reader.frame_locator("iframe").locator(".comment-list")
    comments.wait_for()
    text = comments.inner_text()
    assert "a comment that stays" in text and "a comment that must go" not in text
    context.close()


def test_browser_report_from_the_embed_with_third_party_cookies_blocked(live_server, browser, page_elsewhere,  # noqa: F811
                                                                        store):
    shown = store.submit(NewComment(thread="front", author="Reader", email="r@example.com",
                                    body="this one reveals a position"), nonce="a", now_ms=1).id
    store.decide(shown, Decision.APPROVE, "ali", 2)
    article = page_elsewhere(f'<!doctype html><html lang="en"><body><h1>Front page</h1>'
                             f'<script src="{live_server}/embed.js" data-thread="front" async></script>')
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(article)
    frame = page.frame_locator("iframe")
    frame.locator(".comment-list a.report").first.click()
    frame.locator("input[value=personal_data]").check()
    frame.locator("#note").fill("it names the unit's village")
    frame.locator("button[type=submit]").click()
    frame.locator("text=Thank you. A moderator will look at it.").wait_for()
    frame.locator("text=Back to the comments").click()
    frame.locator(".comment-list").wait_for()
    context.close()
    [(comment, count, latest)] = store.reported()
    assert comment.id == shown and count == 1 and latest[0]["note"] == "it names the unit's village"
