"""Articles open and closed: a moderator closes an article's comments, or CLOSE_AFTER_DAYS does."""

import time

from moderation.models import Decision, NewComment

from .conftest import form_token, logged_in

DAY_MS = 24 * 3600 * 1000


def comment_at(store, thread, when_ms, body="an old comment"):
    comment_id = store.submit(NewComment(thread=thread, author="A", email="a@example.com", body=body),
                              nonce=f"{thread}-{when_ms}", now_ms=when_ms).id
    store.decide(comment_id, Decision.APPROVE, "ali", when_ms)
    return comment_id


def form(token, text="أريد أن أعلّق"):
    return {"comment": text, "author": "Reader", "email": "reader@example.com", "token": token}


def close(client, thread, action="close"):
    return client.post(f"/moderate/threads/{thread}/{action}", data={"csrf_token": client.csrf})


def test_a_moderator_closes_an_article_and_opens_it_again(app, client, store, redis_client, team):
    now = int(time.time() * 1000)
    comment_at(store, "story", now - 1000)
    mona = logged_in(app, "mona")
    page = client.get("/threads/story")
    token = form_token(page)
    assert close(mona, "story").status_code == 303
    closed_page = client.get("/threads/story", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Comments are closed." in closed_page and 'name="comment"' not in closed_page
    assert "an old comment" in closed_page  # what was published stays
    sent = client.post("/threads/story", data=form(token), headers={"Accept-Language": "en"})
    assert sent.status_code == 403
    text = sent.get_data(as_text=True)
    assert "Comments are closed." in text and "أريد أن أعلّق" in text  # the reader's text is kept
    api = client.post("/api/v1/threads/story/comments", json=form(client.get(
        "/api/v1/threads/story/token").get_json()["token"]))
    assert api.status_code == 403 and api.get_json()["error"] == "closed"
    assert store.pending_count() == 0
    assert close(mona, "story", "open").status_code == 303
    assert client.post("/threads/story", data=form(token)).status_code == 303
    assert store.pending_count() == 1
    actions = [f["action"] for _, f in redis_client.xrange(store.keys.audit) if f["action"].startswith("thread_")]
    assert actions == ["thread_closed", "thread_open"]


def test_close_after_days_closes_old_articles_unless_a_moderator_opens_them(make_app, make_moderator, store):
    app = make_app(CLOSE_AFTER_DAYS=30)
    client = app.test_client()
    now = int(time.time() * 1000)
    comment_at(store, "old-story", now - 31 * DAY_MS)
    comment_at(store, "new-story", now - 29 * DAY_MS)
    new_token = form_token(client.get("/threads/new-story"))
    old_token = client.get("/api/v1/threads/old-story/token").get_json()["token"]  # its page has no form
    assert "Comments are closed" not in client.get("/threads/new-story", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert client.post("/threads/new-story", data=form(new_token)).status_code == 303
    assert client.post("/threads/old-story", data=form(old_token)).status_code == 403
    make_moderator("mona")
    mona = logged_in(app, "mona")
    rows = mona.get("/moderate/threads", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert rows.index("new-story") < rows.index("old-story")  # newest first
    assert "Closed to comments (by age)" in rows and "Open for comments" in rows
    assert close(mona, "old-story", "open").status_code == 303
    assert client.post("/threads/old-story", data=form(old_token)).status_code == 303


def test_a_spooled_comment_is_taken_in_even_if_the_article_closed_meanwhile(store):
    store.set_thread_state("story", "closed", "mona", 1)
    comment = NewComment(thread="story", author="A", email="a@example.com", body="written while it was open")
    assert store.submit(comment, nonce="x", now_ms=2).outcome == "closed"
    assert store.submit(comment, nonce="x", now_ms=2, replay=True).outcome == "created"


def test_the_articles_page_counts_and_is_for_moderators(app, client, store, team):
    now = int(time.time() * 1000)
    comment_at(store, "story", now - 5000)
    store.submit(NewComment(thread="story", author="B", email="b@example.com", body="waiting"), nonce="w",
                 now_ms=now)
    assert client.get("/moderate/threads").status_code in {302, 303}
    page = logged_in(app, "mona").get("/moderate/threads").get_data(as_text=True)
    assert "<td>1</td>" in page and 'href="/moderate/?thread=story">1</a>' in page
    assert logged_in(app, "mona").post("/moderate/threads/a%2Fb/close").status_code in {400, 404}
