"""Readers report published comments, without an account or a cookie; moderators keep or remove them."""

import re

import pytest

from moderation.models import Decision, NewComment, Status

from .conftest import logged_in

TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"')


@pytest.fixture
def published(store):
    ids = []
    for n, body in enumerate(("a fair comment", "a comment that leaks a position")):
        comment_id = store.submit(NewComment(thread="story", author=f"Writer {n}", email=f"w{n}@example.com",
                                             body=body), nonce=body, now_ms=1_000 + n).id
        store.decide(comment_id, Decision.APPROVE, "ali", 2_000)
        ids.append(comment_id)
    return ids


def report_token(client, comment_id, thread="story"):
    page = client.get(f"/threads/{thread}/comments/{comment_id}/report").get_data(as_text=True)
    match = TOKEN.search(page)
    return match.group(1) or match.group(2)


def send_report(client, comment_id, reason="personal_data", note="", *, ip="192.0.2.10", token=None, thread="story"):
    token = token or report_token(client, comment_id, thread)
    return client.post(f"/threads/{thread}/comments/{comment_id}/report", data={"reason": reason, "note": note,
                                                                                 "token": token},
                       environ_base={"REMOTE_ADDR": ip}, headers={"Accept-Language": "en"})


def test_a_reader_reports_without_an_account_or_a_cookie(client, store, published):
    page = client.get("/threads/story", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'href="/threads/story/comments/{published[1]}/report' in page
    answer = send_report(client, published[1], "personal_data", "shows where the unit is")
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "Thank you. A moderator will look at it." in text and "1 report" not in text
    assert not answer.headers.getlist("Set-Cookie")
    [(comment, count, latest)] = store.reported()
    assert comment.id == published[1] and count == 1
    assert latest[0]["reason"] == "personal_data" and latest[0]["note"] == "shows where the unit is"
    assert store.get(published[1]).status is Status.APPROVED  # still published


def test_one_report_per_network_counts_and_the_most_reported_come_first(client, store, published):
    for ip in ("192.0.2.10", "192.0.2.99", "2001:db8:1:2::5", "2001:db8:1:3::5"):  # one /24, one /48
        assert send_report(client, published[0], "spam", ip=ip).status_code == 200
    for ip in ("198.51.100.1", "203.0.113.1", "192.0.2.77"):
        send_report(client, published[1], "abuse", ip=ip)
    assert [(c.id, count) for c, count, _ in store.reported()] == [(published[1], 3), (published[0], 2)]


def test_reports_are_rate_limited_per_address(make_app, store, published):
    client = make_app(REPORT_RATE_LIMIT="2/hour").test_client()
    assert send_report(client, published[0], ip="198.51.100.1").status_code == 200
    assert send_report(client, published[1], ip="198.51.100.1").status_code == 200
    limited = send_report(client, published[1], ip="198.51.100.1")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "many reports" in limited.get_data(as_text=True)


def test_only_a_published_comment_of_that_article_can_be_reported(client, store, published):
    pending = store.submit(NewComment(thread="story", author="A", email="a@example.com", body="waiting"),
                           nonce="p", now_ms=3_000).id
    assert client.get(f"/threads/story/comments/{pending}/report").status_code == 404
    assert client.get(f"/threads/other/comments/{published[0]}/report").status_code == 404
    assert client.get("/threads/story/comments/999/report").status_code == 404
    tampered = send_report(client, published[0], token=report_token(client, published[0])[:-2] + "xx")
    assert tampered.status_code == 400 and store.reported() == []
    assert send_report(client, published[0], reason="other").status_code == 400  # "other" needs a few words
    assert send_report(client, published[0], reason="bogus").status_code == 400


def test_keep_dismisses_and_a_kept_comment_needs_twice_the_reports_to_return(app, client, store, team, published):
    send_report(client, published[0], ip="198.51.100.1")
    mona = logged_in(app, "mona")
    queue = mona.get("/moderate/reported", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "a fair comment" in queue and "Personal data or a security risk" in queue
    assert mona.post(f"/moderate/comments/{published[0]}/keep", data={"csrf_token": mona.csrf}).status_code == 303
    assert store.reported() == []
    send_report(client, published[0], ip="203.0.113.2")  # 2: not more than twice 1
    assert store.reported() == []
    send_report(client, published[0], ip="192.0.2.3")  # 3
    assert [count for _, count, _ in store.reported()] == [3]
    assert any(f["action"] == "reports_dismissed" for _, f in store.client.xrange(store.keys.audit))


def test_remove_from_the_reported_queue(app, client, store, team, published):
    send_report(client, published[1], ip="198.51.100.1")
    mona = logged_in(app, "mona")
    answer = mona.post(f"/moderate/comments/{published[1]}/remove",
                       data={"csrf_token": mona.csrf, "reason": "personal_data", "next": "/moderate/reported"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/moderate/reported")
    assert store.reported() == [] and store.get(published[1]).status is Status.REMOVED


def test_enough_reports_hide_a_comment_until_a_moderator_looks(make_app, make_moderator, store, published):
    app = make_app(REPORTS_TO_HIDE=2)
    client = app.test_client()
    send_report(client, published[1], ip="198.51.100.1")
    assert len(client.get("/api/v1/threads/story/comments").get_json()["comments"]) == 2
    send_report(client, published[1], ip="203.0.113.1")
    assert [c["id"] for c in client.get("/api/v1/threads/story/comments").get_json()["comments"]] == [published[0]]
    make_moderator("mona")
    mona = logged_in(app, "mona")
    mona.post(f"/moderate/comments/{published[1]}/keep", data={"csrf_token": mona.csrf})
    assert len(client.get("/api/v1/threads/story/comments").get_json()["comments"]) == 2


def test_report_through_the_api(client, store, published):
    token = client.get("/api/v1/threads/story/token").get_json()["token"]
    answer = client.post(f"/api/v1/comments/{published[0]}/reports",
                         json={"reason": "abuse", "note": "insults", "token": token})
    assert answer.status_code == 202 and answer.get_json()["status"] == "received"
    other_thread = client.get("/api/v1/threads/elsewhere/token").get_json()["token"]
    assert client.post(f"/api/v1/comments/{published[0]}/reports",
                       json={"reason": "abuse", "token": other_thread}).status_code == 400
    assert client.post("/api/v1/comments/999/reports", json={"reason": "abuse", "token": token}).status_code == 404
    assert client.post(f"/api/v1/comments/{published[0]}/reports", data="x").status_code == 415
    assert client.post(f"/api/v1/comments/{published[0]}/reports", json={"reason": 3}).status_code == 400
    assert [count for _, count, _ in store.reported()] == [1]


def test_the_embed_report_page_may_be_framed_by_the_news_site(client, published):
    answer = client.get(f"/embed/story/comments/{published[0]}/report")
    assert answer.status_code == 200
    assert "frame-ancestors *" in answer.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in answer.headers


def test_erasing_a_commenter_takes_their_reports_away(app, client, store, published):
    from moderation import erasure

    send_report(client, published[1], ip="198.51.100.1")
    with app.test_request_context():
        job, _started = erasure.request("w1@example.com", "ali")
        erasure.run(job.subject, "cli")
    assert store.reported() == [] and not store.client.exists(store.keys.reports(published[1]))
