"""Taking down a published comment: any moderator, any time, with a reason; an admin restores it."""

import time

import pytest

from moderation.models import Decision, NewComment, Status

from .conftest import logged_in


@pytest.fixture
def admin_client(app, team):
    return logged_in(app, "ali")


@pytest.fixture
def published_pair(store):
    """A comment approved by ali long ago, and a reply to it approved by ali."""
    parent = store.submit(NewComment(thread="war", author="Nadia", email="n@example.com", body="the position is X"),
                          nonce="p", now_ms=1_000).id
    store.decide(parent, Decision.APPROVE, "ali", now_ms=2_000)
    reply = store.submit(NewComment(thread="war", author="Omar", email="o@example.com", body="a reply",
                                    parent=parent), nonce="r", now_ms=3_000).id
    store.decide(reply, Decision.APPROVE, "ali", now_ms=4_000)
    return parent, reply


def remove(client, comment_id, reason="legal", note=""):
    return client.post(f"/moderate/comments/{comment_id}/remove",
                       data={"csrf_token": client.csrf, "reason": reason, "note": note})


def test_any_moderator_removes_a_published_comment_at_any_time(moderator_client, client, store, redis_client,
                                                               published_pair):
    parent, _ = published_pair
    before = client.get("/api/v1/threads/war/comments")
    response = remove(moderator_client, parent, "legal", "court order 12/2026")  # mona; ali approved it, long ago
    assert response.status_code == 303
    comment = store.get(parent)
    assert comment.status is Status.REMOVED and comment.removed_by == "mona"
    assert comment.removed_reason == "legal: court order 12/2026"
    assert comment.decided_by == "ali"  # the approval stays on record
    after = client.get("/api/v1/threads/war/comments", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    shown = after.get_json()["comments"]
    # Its reply hangs under it: its place stays, saying only that a moderator removed it.
    assert shown[0] == {**shown[0], "id": parent, "placeholder": "removed", "author": "", "body_html": ""}
    assert shown[1]["parent"] == parent
    page = client.get("/threads/war", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "the position is X" not in page and "Removed by a moderator." in page and "a reply" in page
    [entry] = [f for _, f in redis_client.xrange(store.keys.audit) if f["action"] == "removed"]
    assert entry["moderator"] == "mona" and entry["reason"] == "legal: court order 12/2026"


def test_a_removed_comment_without_replies_leaves_nothing(moderator_client, client, store, published_pair):
    parent, reply = published_pair
    assert remove(moderator_client, reply, "abuse").status_code == 303
    assert [c["id"] for c in client.get("/api/v1/threads/war/comments").get_json()["comments"]] == [parent]
    assert client.get("/api/v1/counts?thread=war").get_json()["counts"]["war"] == 1


def test_without_placeholders_the_replies_move_up(make_app, make_moderator, store, published_pair):
    app = make_app(REMOVED_PLACEHOLDER=False)
    make_moderator("mona")
    parent, reply = published_pair
    assert remove(logged_in(app, "mona"), parent).status_code == 303
    shown = app.test_client().get("/api/v1/threads/war/comments").get_json()["comments"]
    assert [c["id"] for c in shown] == [reply]
    assert "removed by a moderator" not in app.test_client().get(
        "/threads/war", headers={"Accept-Language": "en"}).get_data(as_text=True).lower()


def test_remove_needs_a_reason_and_a_published_comment(moderator_client, store, published_pair):
    parent, _ = published_pair
    response = moderator_client.post(f"/moderate/comments/{parent}/remove", data={"csrf_token": moderator_client.csrf,
                                                                                  "reason": ""},
                                     headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert store.get(parent).status is Status.APPROVED
    pending = store.submit(NewComment(thread="war", author="A", email="a@example.com", body="waiting"),
                           nonce="w", now_ms=5_000).id
    answer = moderator_client.post(f"/moderate/comments/{pending}/remove",
                                   data={"csrf_token": moderator_client.csrf, "reason": "spam"},
                                   headers={"Accept": "application/json"})
    assert answer.status_code == 409 and answer.get_json()["error"] == "not_published"
    assert store.get(pending).status is Status.PENDING
    assert remove(moderator_client, parent).status_code == 303
    again = moderator_client.post(f"/moderate/comments/{parent}/remove",
                                  data={"csrf_token": moderator_client.csrf, "reason": "spam"},
                                  headers={"Accept": "application/json", "Accept-Language": "en"})
    assert again.status_code == 409 and "an admin can restore it" in again.get_json()["message"]
    assert moderator_client.post(f"/moderate/comments/{parent}/remove", data={"reason": "spam"}).status_code == 400


def test_removing_is_not_undo(moderator_client, admin_client, store, published_pair):
    parent, _ = published_pair
    assert remove(moderator_client, parent).status_code == 303
    for who in (moderator_client, admin_client):
        answer = who.post(f"/moderate/comments/{parent}/undo", data={"csrf_token": who.csrf},
                          headers={"Accept": "application/json"})
        assert answer.status_code == 409
        assert store.get(parent).status is Status.REMOVED


def test_only_an_admin_restores(moderator_client, admin_client, client, store, published_pair):
    parent, _ = published_pair
    assert remove(moderator_client, parent).status_code == 303
    refused = moderator_client.post(f"/moderate/comments/{parent}/restore", data={"csrf_token": moderator_client.csrf},
                                    headers={"Accept": "application/json"})
    assert refused.status_code == 403 and store.get(parent).status is Status.REMOVED
    page = admin_client.get(f"/moderate/comments/{parent}").get_data(as_text=True)
    assert f"/moderate/comments/{parent}/restore" in page
    assert admin_client.post(f"/moderate/comments/{parent}/restore",
                             data={"csrf_token": admin_client.csrf}).status_code == 303
    restored = store.get(parent)
    assert restored.status is Status.APPROVED and not restored.removed_by
    assert client.get("/api/v1/threads/war/comments").get_json()["comments"][0]["body_html"] == \
        "<p>the position is X</p>"
    actions = [f["action"] for _, f in store.client.xrange(store.keys.audit)]
    assert actions[-2:] == ["removed", "restored"]


def test_the_console_offers_removal_on_a_published_comment(moderator_client, store, published_pair):
    parent, _ = published_pair
    page = moderator_client.get(f"/moderate/comments/{parent}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert f'action="/moderate/comments/{parent}/remove"' in text and "Legal request" in text
    assert "/restore" not in text


def test_remove_and_restore_race_one_wins(store, published_pair):
    parent, _ = published_pair
    now = int(time.time() * 1000)
    store.remove(parent, "mona", now, "spam")
    with pytest.raises(Exception, match="removed"):
        store.remove(parent, "sami", now, "abuse")
    assert store.get(parent).removed_by == "mona"


def test_find_opens_the_comment_a_permalink_names(moderator_client, published_pair):
    parent, _ = published_pair
    for pasted in (f"https://news.example/threads/war#comment-{parent}", f" {parent} "):
        answer = moderator_client.get("/moderate/find", query_string={"q": pasted})
        assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/moderate/comments/{parent}")
    assert moderator_client.get("/moderate/find", query_string={"q": "nothing"}).headers["Location"].endswith(
        "/moderate/log")
