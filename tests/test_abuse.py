"""Abuse at the door: traps, flood control, duplicates, rate limits, trust, and the spam list."""

import time

import itsdangerous
import pytest

from moderation import limits
from moderation.models import Decision, NewComment

from .conftest import form_token, logged_in, pending_count


def text(response):
    return response.get_data(as_text=True)


def form(client, thread="article-1", **fields):
    data = {"comment": "رأيي في الخبر", "author": "نور", "email": "reader@example.com",
            "token": form_token(client.get(f"/threads/{thread}"))}
    data.update(fields)
    return data


def test_honeypot_sets_the_comment_aside_as_spam(client, redis_client, store):
    response = client.post("/threads/article-1", data=form(client, fax="+1 555 0100"))
    assert response.status_code == 303  # a bot learns nothing
    assert pending_count(redis_client) == 0
    [comment_id] = [int(i) for i in redis_client.zrange("cm:{main}:spam", 0, -1)]
    comment = store.get(comment_id)
    assert comment.status == "spam"
    assert comment.signals == ("honeypot",)
    [(_, entry)] = redis_client.xrange("cm:{main}:audit")
    assert entry["action"] == "caught" and entry["reason"] == "honeypot"
    # Its author sees what anyone would see: awaiting moderation.
    assert "تعليقك بانتظار المراجعة." in text(client.get(response.headers["Location"]))


def test_honeypot_is_hidden_from_people_and_screen_readers(client):
    page = text(client.get("/threads/article-1"))
    assert '<div class="trap" aria-hidden="true">' in page
    assert 'name="fax" tabindex="-1"' in page or ('name="fax"' in page and 'tabindex="-1"' in page)


def test_time_trap_sets_a_fast_form_aside(make_app, redis_client):
    client = make_app(FORM_MIN_SECONDS=3).test_client()
    assert client.post("/threads/article-1", data=form(client)).status_code == 303
    assert redis_client.zcard("cm:{main}:spam") == 1
    assert pending_count(redis_client) == 0


def test_time_trap_lets_a_person_through(make_app, redis_client, monkeypatch):
    client = make_app(FORM_MIN_SECONDS=3).test_client()
    signer = itsdangerous.timed.TimestampSigner
    monkeypatch.setattr(signer, "get_timestamp", lambda self: int(time.time()) - 10)  # shown 10 s ago
    data = form(client)
    monkeypatch.undo()
    assert client.post("/threads/article-1", data=data).status_code == 303
    assert pending_count(redis_client) == 1


def test_flood_control_refuses_a_second_post_from_one_address(make_app, redis_client):
    client = make_app(FLOOD_SECONDS=15).test_client()
    assert client.post("/threads/article-1", data=form(client)).status_code == 303
    response = client.post("/threads/article-1", data=form(client, comment="تعليق ثان سريع"))
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 15
    assert "تعليق ثان سريع" in text(response)
    assert "بسرعة" in text(response)
    assert pending_count(redis_client) == 1
    assert 0 < redis_client.ttl("cm:{main}:flood:127.0.0.1") <= 15
    other = client.post("/threads/article-1", data=form(client, comment="from elsewhere"),
                        environ_base={"REMOTE_ADDR": "192.0.2.8"})
    assert other.status_code == 303


def test_duplicate_text_is_refused_kindly(client, redis_client):
    assert client.post("/threads/article-1", data=form(client, comment="Same  words")).status_code == 303
    response = client.post("/threads/article-1", data=form(client, comment="same words"))
    assert response.status_code == 409
    assert "لقد قلت هذا" in text(response)
    assert pending_count(redis_client) == 1
    # The same words under another article, or from someone else, are fine.
    assert client.post("/threads/article-2", data=form(client, "article-2", comment="same words")).status_code == 303
    assert client.post("/threads/article-1", data=form(client, comment="same words",
                                                       email="other@example.com")).status_code == 303


def test_resending_the_same_form_is_not_a_duplicate(client, redis_client):
    data = form(client)
    assert client.post("/threads/article-1", data=data).status_code == 303
    assert client.post("/threads/article-1", data=data).status_code == 303
    assert pending_count(redis_client) == 1


def test_rate_limit_per_address_keeps_the_text(make_app, redis_client):
    client = make_app(SUBMIT_RATE_LIMIT="2/minute").test_client()
    for i in range(2):
        assert client.post("/threads/article-1", data=form(client, comment=f"n{i}",
                                                           email=f"e{i}@example.com")).status_code == 303
    response = client.post("/threads/article-1?lang=en", data=form(client, comment="the third one",
                                                                   email="e3@example.com"))
    assert response.status_code == 429
    assert "the third one" in text(response)
    assert "too quickly" in text(response)
    assert redis_client.keys("cm:{main}:limits*")  # counted in the site's Redis, under its hash tag


def test_rate_limit_per_email_across_addresses(make_app):
    client = make_app(SUBMIT_RATE_LIMIT="2/minute").test_client()
    codes = [client.post("/threads/article-1", data=form(client, comment=f"n{i}"),
                         environ_base={"REMOTE_ADDR": f"192.0.2.{i}"}).status_code for i in range(3)]
    assert codes == [303, 303, 429]


def test_rate_limit_does_not_count_reading(make_app):
    client = make_app(SUBMIT_RATE_LIMIT="1/minute").test_client()
    assert all(client.get("/threads/article-1").status_code == 200 for _ in range(5))


def api_post(client, i, email="a@example.com"):
    token = client.get("/api/v1/threads/t/token").get_json()["token"]
    return client.post("/api/v1/threads/t/comments", json={"comment": f"c{i}", "author": "a", "email": email,
                                                            "token": token})


def test_rate_limit_on_the_api(make_app):
    client = make_app(SUBMIT_RATE_LIMIT="1/minute").test_client()
    assert [api_post(client, i).status_code for i in range(2)] == [202, 429]


def test_flood_on_the_api_says_when_to_try_again(make_app):
    client = make_app(FLOOD_SECONDS=15).test_client()
    assert api_post(client, 1).status_code == 202
    again = api_post(client, 2, email="b@example.com")
    assert again.status_code == 429
    assert 1 <= int(again.headers["Retry-After"]) <= 15
    assert again.get_json()["error"] == "too_many_requests"


def test_trusted_commenter_is_published_at_once(make_app, store, redis_client):
    app = make_app(TRUST_AFTER_APPROVED=1)
    client = app.test_client()
    first = store.submit(NewComment(thread="article-1", author="Sam", email="Sam@Example.com", body="first"),
                         nonce="n1", now_ms=1).id
    store.decide(first, Decision.APPROVE, "mod", now_ms=2)
    assert client.post("/threads/article-1", data=form(client, comment="trusted words",
                                                       email="sam@example.com")).status_code == 303
    assert "trusted words" in text(app.test_client().get("/threads/article-1"))
    assert pending_count(redis_client) == 0
    assert [e["action"] for _, e in redis_client.xrange("cm:{main}:audit")][-1] == "auto_approved"


def test_trust_is_off_by_default(client, store, redis_client):
    first = store.submit(NewComment(thread="article-1", author="Sam", email="sam@example.com", body="first"),
                         nonce="n1", now_ms=1).id
    store.decide(first, Decision.APPROVE, "mod", now_ms=2)
    client.post("/threads/article-1", data=form(client, comment="again", email="sam@example.com"))
    assert pending_count(redis_client) == 1


@pytest.fixture
def caught(client, redis_client):
    """Two comments the honeypot caught."""
    for i in range(2):
        client.post("/threads/article-1", data=form(client, comment=f"caught {i}", fax="x"))
    return [int(i) for i in redis_client.zrange("cm:{main}:spam", 0, -1)]


def test_spam_list_shows_what_was_caught_and_why(app, team, caught):
    moderator = logged_in(app, "mona")
    page = text(moderator.get("/moderate/spam?lang=en"))
    assert "caught 0" in page and "caught 1" in page
    assert "filled in the hidden field" in page
    assert "2 comments set aside" in page
    assert "caught 0" not in text(moderator.get("/moderate/"))


def test_rescue_returns_a_comment_to_the_queue(app, team, caught, store, redis_client):
    moderator = logged_in(app, "mona")
    response = moderator.post(f"/moderate/comments/{caught[0]}/rescue", data={"csrf_token": moderator.csrf})
    assert response.status_code == 303
    assert store.get(caught[0]).status == "pending"
    assert redis_client.zrange("cm:{main}:spam", 0, -1) == [str(caught[1])]
    assert [e["action"] for _, e in redis_client.xrange("cm:{main}:audit")][-1] == "rescued"
    assert f'id="item-{caught[0]}"' in text(moderator.get("/moderate/"))


def test_empty_spam_rejects_each_once_with_an_audit_entry(app, team, caught, store, redis_client):
    moderator = logged_in(app, "mona")
    response = moderator.post("/moderate/spam/empty", data={"csrf_token": moderator.csrf})
    assert response.status_code == 303
    assert redis_client.zcard("cm:{main}:spam") == 0
    assert all(store.get(i).status == "rejected" and store.get(i).reason == "spam" for i in caught)
    rejections = [e for _, e in redis_client.xrange("cm:{main}:audit") if e["action"] == "rejected"]
    assert sorted(int(e["id"]) for e in rejections) == caught


def test_every_comment_leaves_a_trace(client, app, team, store, redis_client):
    """No path takes in or decides a comment without an audit entry or an event."""
    client.post("/threads/article-1", data=form(client, comment="to spam", fax="x"))
    client.post("/threads/article-1", data=form(client, comment="to the queue"))
    traced = {int(e["id"]) for _, e in redis_client.xrange("cm:{main}:audit") if e.get("id")}
    traced |= {int(e["id"]) for _, e in redis_client.xrange("cm:{main}:events") if e.get("id")}
    stored = {int(k.rsplit(":", 1)[1]) for k in redis_client.scan_iter("cm:{main}:comment:*")}
    assert stored == traced


def test_rate_limit_says_when_to_try_again(make_app):
    client = make_app(SUBMIT_RATE_LIMIT="1/hour").test_client()
    assert client.post("/threads/article-1", data=form(client, comment="one")).status_code == 303
    response = client.post("/threads/article-1", data=form(client, comment="two", email="b@example.com"))
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 3600


def test_rate_limit_counts_only_comments_taken_in(make_app):
    client = make_app(SUBMIT_RATE_LIMIT="2/minute").test_client()
    assert client.post("/threads/article-1", data=form(client, comment="")).status_code == 400
    data = form(client, comment="the same form twice")
    assert [client.post("/threads/article-1", data=data).status_code for _ in range(2)] == [303, 303]
    assert client.post("/threads/article-1", data=form(client, comment="second")).status_code == 303
    assert client.post("/threads/article-1", data=form(client, comment="third")).status_code == 429


@pytest.mark.parametrize(("text", "windows"), [
    ("5/minute;30/hour", [(5, 60), (30, 3600)]),
    ("10 per 5 minutes", [(10, 300)]),
    ("1/second, 100/day", [(1, 1), (100, 86400)]),
    ("", []),
    ("off", []),
])
def test_rate_limit_setting(text, windows):
    assert [(w.count, w.seconds) for w in limits.parse(text)] == windows


def test_rate_limit_setting_that_makes_no_sense_stops_the_start(make_app):
    with pytest.raises(ValueError, match="SUBMIT_RATE_LIMIT"):
        make_app(SUBMIT_RATE_LIMIT="five a minute")
