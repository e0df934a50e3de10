"""Reader notifications against a real SMTP server (tests/mailserver.py): the form's opt-in, double opt-in,
reply mail only after approval, throttling, one-click unsubscribe, limits, and what export and erasure see."""

import json
import re
import time
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from moderation.keys import Keys
from moderation.models import Decision, NewComment
from moderation.notify import reader_links
from moderation.notify.worker import Worker

from .conftest import form_token
from .test_notify import PUBLIC, mail_app, run, site_of, smtp  # noqa: F401 (fixtures)

READER = "noor@example.com"
LINK = re.compile(re.escape(PUBLIC) + r"(/subscriptions/(?:confirm|unsubscribe)/[A-Za-z0-9_.-]+)")


def now_ms():
    return int(time.time() * 1000)


def ready(app):
    """The worker's groups (they start at the stream's end), before anything is submitted."""
    site = site_of(app)
    site.notify.ensure_groups()
    return site


def comment(site, email, body, *, parent=None, subscribe=False, thread="article-1", approve=True):
    comment_id = site.store.submit(NewComment(thread=thread, author="قارئ", email=email, body=body, parent=parent,
                                              subscribe=subscribe, ip="203.0.113.9"),
                                   nonce=f"n-{time.time_ns()}", now_ms=now_ms()).id
    if approve:
        site.store.decide(comment_id, Decision.APPROVE, "ali", now_ms())
    return comment_id


def paths(message, kind):
    """The service paths of the message's links of ``kind`` (confirm, unsubscribe), in its text part."""
    return [p for p in LINK.findall(message.get_body(("plain",)).get_content()) if f"/{kind}/" in p]


def confirmed_reader(app, smtp, thread="article-1", email=READER):  # noqa: F811
    """A published comment of ``email`` that opted in, its confirmation mail, and the link followed."""
    site = site_of(app)
    first = comment(site, email, "تعليقي الأول", subscribe=True, thread=thread)
    before = len(smtp.inbox.messages)
    run(app, Worker(app))
    [confirmation] = smtp.inbox.wait_for(before + 1)[before:]
    [confirm] = paths(confirmation, "confirm")
    assert app.test_client().post(confirm).status_code == 200
    return first, confirmation


def test_form_has_the_opt_in_unticked_and_stores_it(app, client, post_comment):
    page = client.get("/threads/article-1").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="subscribe_comments"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and 'value="subscribe"' in box and "checked" not in box
    assert 'name="subscribe_comments"' in client.get("/embed/article-1").get_data(as_text=True)
    assert post_comment(subscribe_comments="subscribe").status_code == 303
    assert post_comment(comment="بدون اشتراك").status_code == 303
    redis = app.extensions["redis"]
    keys = Keys("main")
    assert redis.hget(keys.comment(1), "subscribe") == "1"
    assert redis.hget(keys.comment(2), "subscribe") is None


def test_api_takes_the_opt_in_as_a_boolean(app, client):
    def send(**fields):
        token = client.get("/api/v1/threads/article-1/token").get_json()["token"]
        body = {"comment": f"تعليق {time.time_ns()}", "author": "نور", "email": READER, "token": token, **fields}
        return client.post("/api/v1/threads/article-1/comments", json=body)

    assert send(subscribe_comments=True).status_code == 202
    assert send(subscribe_comments=False).status_code == 202
    wrong = send(subscribe_comments="yes")
    assert wrong.status_code == 400 and "subscribe_comments" in wrong.get_json()["errors"]
    redis, keys = app.extensions["redis"], Keys("main")
    assert [redis.hget(keys.comment(i), "subscribe") for i in (1, 2)] == ["1", None]
    schema = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/threads/{thread}/comments"]
    properties = schema["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert properties["subscribe_comments"]["type"] == "boolean"


def test_double_opt_in_nothing_before_approval_nor_before_confirming(mail_app, smtp):  # noqa: F811
    app = mail_app()
    site = ready(app)
    worker = Worker(app)
    first = comment(site, READER, "تعليقي", subscribe=True, approve=False)
    comment(site, "sami@example.com", "تعليق آخر ينتظر", approve=False)
    run(app, worker)
    assert smtp.inbox.messages == []  # nothing while the comment waits for a moderator
    site.store.decide(first, Decision.APPROVE, "ali", now_ms())
    run(app, worker)
    [confirmation] = smtp.inbox.wait_for(1)
    assert confirmation["To"] == READER
    assert confirmation["Subject"] == "أكّد تنبيهات الردود من main"
    html = confirmation.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert confirmation["List-Unsubscribe"].startswith(f"<{PUBLIC}/subscriptions/unsubscribe/")
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [confirm] = paths(confirmation, "confirm")
    assert paths(confirmation, "unsubscribe")  # and a link in the body

    # A reply approved before the address is confirmed: nothing is sent to it.
    comment(site, "sami@example.com", "رد أول", parent=first)
    run(app, worker)
    assert len(smtp.inbox.messages) == 1
    # The confirmation page's GET changes nothing (mail scanners follow links); its POST confirms.
    client = app.test_client()
    page = client.get(confirm)
    assert page.status_code == 200 and "<form method=\"post\"" in page.get_data(as_text=True)
    assert site.readers.subscription(site_digest(app, READER))[0]["state"] == "pending"
    comment(site, "sami@example.com", "رد ثان", parent=first)
    run(app, worker)
    assert len(smtp.inbox.messages) == 1
    assert client.post(confirm).status_code == 200
    comment(site, "lina@example.com", "رد بعد التأكيد", parent=first)
    run(app, worker)
    [_, notification] = smtp.inbox.wait_for(2)
    assert notification["To"] == READER
    text = notification.get_body(("plain",)).get_content()
    assert "رد بعد التأكيد" in text and f"{PUBLIC}/threads/article-1#comment-" in text
    assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    run(app, Worker(app, consumer="another"))
    assert len(smtp.inbox.messages) == 2  # each message once
    assert site.notify.backlog()[0] == 0


def site_digest(app, email):
    from moderation.notify.subscriptions import address_digest

    with app.app_context():
        return address_digest(email)


def test_a_second_opt_in_sends_no_second_confirmation(mail_app, smtp):  # noqa: F811
    app = mail_app()
    site = ready(app)
    comment(site, READER, "أول", subscribe=True)
    comment(site, READER, "ثان", subscribe=True, thread="article-2")
    run(app, Worker(app))
    run(app, Worker(app))
    assert len(smtp.inbox.wait_for(1)) == 1
    assert sorted(site.readers.subscription(site_digest(app, READER))[1]) == ["article-1", "article-2"]


def test_no_mail_for_the_authors_own_reply(mail_app, smtp):  # noqa: F811
    app = mail_app()
    site = ready(app)
    first, _ = confirmed_reader(app, smtp)
    comment(site, "NOOR@example.com", "أرد على نفسي", parent=first)  # the same address, written otherwise
    run(app, Worker(app))
    assert len(smtp.inbox.messages) == 1  # the confirmation only


def test_at_most_one_mail_per_thread_per_interval(mail_app, smtp):  # noqa: F811
    app = mail_app()
    site = ready(app)
    first, _ = confirmed_reader(app, smtp)
    other = comment(site, READER, "في مقال آخر", subscribe=True, thread="article-2")  # confirmed already
    for n in range(3):
        comment(site, f"r{n}@example.com", f"رد رقم {n}", parent=first)
    comment(site, "r9@example.com", "رد في مقال آخر", parent=other, thread="article-2")
    run(app, Worker(app))
    run(app, Worker(app))
    bodies = [m.get_body(("plain",)).get_content() for m in smtp.inbox.wait_for(3)[1:]]
    assert len(bodies) == 2 and any("رد رقم 0" in b for b in bodies) and any("رد في مقال آخر" in b for b in bodies)
    assert not any("رد رقم 1" in b or "رد رقم 2" in b for b in bodies)


def test_without_an_interval_every_reply_is_mailed(mail_app, smtp):  # noqa: F811
    app = mail_app(NOTIFY_MIN_MINUTES=0)
    site = ready(app)
    first, _ = confirmed_reader(app, smtp)
    for n in range(3):
        comment(site, f"r{n}@example.com", f"رد رقم {n}", parent=first)
    run(app, Worker(app))
    assert len(smtp.inbox.wait_for(4)) == 4


def test_one_click_unsubscribe_without_cookie_or_csrf_stops_the_mail(mail_app, smtp):  # noqa: F811
    app = mail_app()
    site = ready(app)
    first, confirmation = confirmed_reader(app, smtp)
    header = confirmation["List-Unsubscribe"].strip("<>")
    assert header.startswith("https://")
    path = urlsplit(header).path.removeprefix(urlsplit(PUBLIC).path)
    fresh = app.test_client()  # no cookie, no session; CSRF protection is on in this app
    answer = fresh.post(path, data="List-Unsubscribe=One-Click",
                        content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert site.readers.subscription(site_digest(app, READER)) == ({}, {})
    comment(site, "sami@example.com", "رد بعد إلغاء الاشتراك", parent=first)
    run(app, Worker(app))
    assert len(smtp.inbox.messages) == 1


def test_unsubscribe_from_one_thread_keeps_the_other(mail_app, smtp):  # noqa: F811
    app = mail_app(NOTIFY_MIN_MINUTES=0)
    site = ready(app)
    first, _ = confirmed_reader(app, smtp)
    other = comment(site, READER, "في مقال آخر", subscribe=True, thread="article-2")
    comment(site, "sami@example.com", "رد", parent=first)
    run(app, Worker(app))
    [notification] = smtp.inbox.wait_for(2)[1:]
    [one, everything] = paths(notification, "unsubscribe")
    client = app.test_client()
    page = client.get(one).get_data(as_text=True)
    assert 'value="thread"' in page and 'value="all"' in page
    assert client.get(everything).get_data(as_text=True).count("<button") == 1
    assert client.post(one, data={"scope": "thread"}).status_code == 200
    comment(site, "sami@example.com", "رد آخر", parent=first)
    comment(site, "sami@example.com", "رد في الثاني", parent=other, thread="article-2")
    run(app, Worker(app))
    [last] = smtp.inbox.wait_for(3)[2:]
    assert "رد في الثاني" in last.get_body(("plain",)).get_content()


def old_token(app, salt, payload, days):
    class Old(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - days * 24 * 3600

    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt, signer=Old).dumps(payload)


def test_tampered_expired_and_foreign_tokens_are_refused(mail_app, smtp):  # noqa: F811
    app = mail_app()
    site = ready(app)
    confirmed_reader(app, smtp)
    digest = site_digest(app, READER)
    client = app.test_client()
    with app.app_context():
        good = reader_links.unsubscribe_token("main", digest)
        foreign = reader_links.unsubscribe_token("sport", digest)
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    expired = old_token(app, reader_links.UNSUBSCRIBE_SALT, ["main", digest, ""], 400)
    expired_confirm = old_token(app, reader_links.CONFIRM_SALT, ["main", digest], 8)
    for token, code in ((tampered, 400), (foreign, 400), ("nonsense", 400), (expired, 403)):
        for method in (client.get, client.post):
            answer = method(f"/subscriptions/unsubscribe/{token}", data={"scope": "all"})
            assert answer.status_code == code, (token, method)
    assert client.post(f"/subscriptions/confirm/{expired_confirm}").status_code == 403
    assert client.post("/subscriptions/confirm/" + good).status_code == 400  # another kind of link
    assert site.readers.subscription(digest)[0]["state"] == "confirmed"  # none of them changed anything


def test_public_answers_are_the_same_whatever_the_address(mail_app, smtp):  # noqa: F811
    app = mail_app()
    ready(app)
    confirmed_reader(app, smtp)
    client = app.test_client()
    with app.app_context():
        known = reader_links.unsubscribe_token("main", site_digest(app, READER), "article-1")
        unknown = reader_links.unsubscribe_token("main", site_digest(app, "nobody@example.com"), "article-1")
        confirmed = reader_links.confirm_token("main", site_digest(app, READER))
        never = reader_links.confirm_token("main", site_digest(app, "nobody@example.com"))

    def seen(response):
        return response.status_code, response.get_data(as_text=True), sorted(response.headers.items())

    assert seen(client.get(f"/subscriptions/unsubscribe/{known}")) == \
        seen(client.get(f"/subscriptions/unsubscribe/{unknown}"))
    assert seen(client.get(f"/subscriptions/confirm/{confirmed}")) == \
        seen(client.get(f"/subscriptions/confirm/{never}"))
    assert seen(client.post(f"/subscriptions/confirm/{confirmed}")) == \
        seen(client.post(f"/subscriptions/confirm/{never}"))
    # Subscribed, then unsubscribed, then unknown: the same answer each time.
    answers = [seen(client.post(f"/subscriptions/unsubscribe/{t}", data={"scope": "thread"}))
               for t in (known, known, unknown)]
    assert answers[0] == answers[1] == answers[2]
    # The form tells nothing either: the same page after a post with the box ticked, known address or not.
    def thread_after(email):
        page = client.get("/threads/article-2")
        return client.post("/threads/article-2", data={"comment": f"نص {email}", "author": "نور", "email": email,
                                                      "subscribe_comments": "subscribe",
                                                      "token": form_token(page)}).status_code

    assert thread_after(READER) == thread_after("nobody@example.com") == 303


def test_commenters_export_shows_subscriptions_and_erase_removes_them(mail_app, smtp):  # noqa: F811
    from moderation import commenters, erasure

    app = mail_app()
    ready(app)
    confirmed_reader(app, smtp)
    digest = site_digest(app, READER)
    with app.app_context():
        exported = commenters.export(READER, "ali")
    [subscription] = exported["subscriptions"]
    assert subscription["thread"] == "article-1" and subscription["state"] == "confirmed"
    assert subscription["confirmed_at"]
    json.dumps(exported)
    with app.app_context():
        job, _ = erasure.request(READER, "ali")
        erasure.run(job.subject, "test")
        assert commenters.export(READER, "ali")["subscriptions"] == []
    redis, keys = app.extensions["redis"], Keys("main")
    assert not redis.exists(keys.reader(digest), keys.reader_threads(digest))


def test_published_mail_is_optional_and_for_confirmed_authors(mail_app, smtp):  # noqa: F811
    app = mail_app(NOTIFY_PUBLISHED=True)
    site = ready(app)
    confirmed_reader(app, smtp)
    comment(site, READER, "تعليق آخر منشور", subscribe=True)
    comment(site, "sami@example.com", "بلا اشتراك")
    run(app, Worker(app))
    [published] = smtp.inbox.wait_for(2)[1:]
    assert published["To"] == READER and "تعليق آخر منشور" in published.get_body(("plain",)).get_content()
    assert published["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    run(app, Worker(app))
    assert len(smtp.inbox.messages) == 2


@pytest.mark.parametrize("limit", ["MAIL_PER_RECIPIENT_PER_HOUR", "MAIL_TOTAL_PER_HOUR"])
def test_over_the_hourly_limit_the_mail_waits_and_is_sent_later(mail_app, smtp, limit):  # noqa: F811
    app = mail_app(**{limit: 1}, WORKER_RETRY_SECONDS=60)
    site = ready(app)
    first, _ = confirmed_reader(app, smtp)  # the confirmation took the hour's one mail
    comment(site, "sami@example.com", "رد ينتظر", parent=first)
    worker = Worker(app)
    now = now_ms()
    run(app, worker, now=now)
    assert len(smtp.inbox.messages) == 1
    [(entry_id, _fields)] = [(i, f) for i, f in site.notify.client.xrange(site.store.keys.events)
                             if f["type"] == "approved" and f["id"] != str(first)]
    assert site.notify.attempts(entry_id)[0] == 1  # kept and retried, not dropped
    assert site.notify.backlog()[0] == 1
    app.config[limit] = 10  # the next hour, as far as the limit can tell
    run(app, worker, now=now + 61_000)
    [_, notification] = smtp.inbox.wait_for(2)
    assert "رد ينتظر" in notification.get_body(("plain",)).get_content()
    assert site.notify.backlog()[0] == 0
