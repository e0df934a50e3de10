"""The worker and the moderator mail it sends, against a real SMTP server (tests/mailserver.py)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme

from moderation import sites
from moderation.models import Decision, NewComment
from moderation.notify.mail import Mailer
from moderation.notify.worker import Worker

from .conftest import SECRET, logged_in
from .mailserver import MailServer, free_port

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://news.example/comments"


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    def make(**overrides):
        settings = {"SMTP_URL": smtp.url, "MAIL_FROM": "comments@news.example", "PUBLIC_URL": PUBLIC,
                    "WORKER_CLAIM_IDLE_SECONDS": 0, "WORKER_RETRY_SECONDS": 0, "MAIL_ALERTS_PER_HOUR": 1000}
        settings.update(overrides)
        return make_app(**settings)

    return make


def site_of(app):
    return app.extensions["sites"].get("main")


def prepare(app, *names, alerts="each"):
    """Moderators with addresses and a choice, and the worker's groups (which start at the stream's end)."""
    from moderation import accounts

    site = site_of(app)
    with app.app_context():
        for name in names:
            accounts.create_moderator(name, "correct horse battery staple", "moderator", actor="test")
            site.notify.set_preferences(name, f"{name}@news.example", alerts, 15)
    site.notify.ensure_groups()
    return site


def submit(site, n=1, thread="article-1"):
    return [site.store.submit(NewComment(thread=thread, author=f"قارئ {i}", email=f"r{i}@example.com",
                                         body=f"تعليق رقم {i}", ip="203.0.113.7"),
                              nonce=f"n-{time.time_ns()}-{i}", now_ms=int(time.time() * 1000)).id
            for i in range(n)]


def run(app, worker, now=None):
    with app.app_context():
        return worker.run_once(site_of(app), now=now)


def comment_ids(messages):
    """The comments the messages are about, by the console link of each (a digest has several)."""
    return [int(i) for m in messages for i in re.findall(r"/moderate/comments/(\d+)",
                                                         m.get_body(("plain",)).get_content())]


def test_worker_alerts_each_moderator_once_in_arabic(mail_app, smtp):
    app = mail_app()
    site = prepare(app, "mona", "sami")
    [comment_id] = submit(site)
    worker = Worker(app)
    assert run(app, worker)
    messages = smtp.inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["mona <mona@news.example>", "sami <sami@news.example>"]
    message = messages[0]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "تعليق رقم 0" in text and "article-1" in message["Subject"]
    assert f"{PUBLIC}/threads/article-1" in text
    assert f"{PUBLIC}/moderate/mail/" in text and f"{PUBLIC}/moderate/comments/{comment_id}" in html
    run(app, worker)
    run(app, Worker(app, consumer="another"))
    assert len(smtp.inbox.messages) == 2
    assert site.notify.backlog() == (0, 0.0)
    assert site.notify.counts()["sent"] == 2


def test_worker_sends_nothing_for_a_comment_decided_before_it_came(mail_app, smtp):
    app = mail_app()
    site = prepare(app, "mona")
    [comment_id] = submit(site)
    site.store.decide(comment_id, Decision.APPROVE, "ali", int(time.time() * 1000))
    run(app, Worker(app))
    assert smtp.inbox.messages == []
    assert site.notify.backlog()[0] == 0


def test_worker_without_smtp_url_sends_nothing_and_acknowledges(make_app):
    app = make_app()
    site = prepare(app, "mona")
    submit(site)
    run(app, Worker(app))
    assert site.notify.backlog() == (0, 0.0)


def test_worker_several_at_once_handle_each_event_once(mail_app, smtp):
    app = mail_app(WORKER_BATCH=3)
    site = prepare(app, "mona")
    submit(site, 10)
    first, second = Worker(app, consumer="w1"), Worker(app, consumer="w2")
    for _ in range(4):
        run(app, first)
        run(app, second)
    assert len(smtp.inbox.wait_for(10)) == 10
    assert sorted(comment_ids(smtp.inbox.messages)) == list(range(1, 11))


def test_worker_retries_while_smtp_is_down_then_delivers(mail_app):
    down = MailServer(port=free_port())
    app = mail_app(SMTP_URL=down.url, WORKER_RETRY_SECONDS=60)
    site = prepare(app, "mona")
    submit(site)
    worker = Worker(app)
    now = int(time.time() * 1000)
    run(app, worker, now=now)
    assert site.notify.backlog()[0] == 1
    assert site.notify.attempts(site.notify.client.xrange(site.store.keys.events)[0][0])[0] == 1
    down.start()
    try:
        run(app, worker, now=now + 1000)  # within the backoff: not yet
        assert down.inbox.messages == []
        run(app, worker, now=now + 61_000)
        assert len(down.inbox.wait_for(1)) == 1
    finally:
        down.stop()
    counts = site.notify.counts()
    assert (counts["failed"], counts["retried"], counts["sent"]) == (1, 1, 1)
    assert site.notify.backlog()[0] == 0


def test_worker_dead_letter_after_the_limit_and_retry_from_the_console(mail_app, make_moderator):
    down = MailServer(port=free_port())
    app = mail_app(SMTP_URL=down.url, WORKER_MAX_ATTEMPTS=3)
    site = prepare(app, "mona")
    make_moderator("ali", "admin")
    [comment_id] = submit(site)
    worker = Worker(app)
    for _ in range(3):
        run(app, worker)
    assert site.notify.backlog()[0] == 0  # acknowledged: it is a dead letter now
    [(raw, letter)] = site.notify.dead_letters()
    assert letter["attempts"] == 3 and "ConnectionRefusedError" in letter["error"]
    assert letter["fields"] == {"type": "submitted", "id": str(comment_id), "thread": "article-1"}
    admin = logged_in(app, "ali")
    page = admin.get("/moderate/dead-letters").get_data(as_text=True)
    assert f"#{comment_id}" in page and "ConnectionRefusedError" in page
    assert logged_in(app, "mona").get("/moderate/dead-letters").status_code == 403
    assert admin.post("/moderate/dead-letters/retry", data={"letter": raw, "csrf_token": admin.csrf}).status_code \
        == 303
    assert site.notify.dead_letters() == []
    assert admin.post("/moderate/dead-letters/retry", data={"letter": raw, "csrf_token": admin.csrf}).status_code \
        == 303  # twice: sent back once
    down.start()
    try:
        run(app, worker)
        [message] = down.inbox.wait_for(1)
    finally:
        down.stop()
    assert f"/moderate/comments/{comment_id}" in message.get_body(("plain",)).get_content()
    run(app, worker)
    assert len(down.inbox.messages) == 1
    assert site.notify.counts()["dead"] == 1


def test_worker_digest_groups_what_waits_and_sends_nothing_when_nothing_waits(mail_app, smtp):
    app = mail_app()
    site = prepare(app, "mona", alerts="digest")
    ids = submit(site, 3)
    worker = Worker(app)
    now = int(time.time() * 1000)
    run(app, worker, now=now)
    assert smtp.inbox.messages == []  # waits for the period
    site.store.decide(ids[2], Decision.REJECT, "ali", now)
    run(app, worker, now=now + 15 * 60_000 + 1000)
    [digest] = smtp.inbox.wait_for(1)
    text = digest.get_body(("plain",)).get_content()
    assert f"/moderate/comments/{ids[0]}" in text or "تعليق رقم 0" in text
    assert "تعليق رقم 1" in text and "تعليق رقم 2" not in text
    assert digest["Subject"] == "تعليقان ينتظران في main"
    run(app, worker, now=now + 31 * 60_000)
    assert len(smtp.inbox.messages) == 1  # nothing waits: nothing sent
    [late] = submit(site)
    site.store.decide(late, Decision.APPROVE, "ali", now)
    run(app, worker, now=now + 60 * 60_000)
    run(app, worker, now=now + 90 * 60_000)
    assert len(smtp.inbox.messages) == 1


def test_worker_failed_digest_backs_off_then_dead_letter_and_retry_from_the_console(mail_app, make_moderator):
    down = MailServer(port=free_port())  # nothing listens: each attempt is refused
    app = mail_app(SMTP_URL=down.url, WORKER_RETRY_SECONDS=60, WORKER_RETRY_MAX_SECONDS=100,
                   WORKER_MAX_ATTEMPTS=3)
    site = prepare(app, "mona", alerts="digest")
    make_moderator("ali", "admin")
    ids = submit(site, 2)
    worker = Worker(app)
    due = int(time.time() * 1000) + 15 * 60_000 + 1000

    def failed():
        return site.notify.counts().get("failed", 0)

    run(app, worker, now=due)
    assert failed() == 1
    run(app, worker, now=due + 59_000)  # within the first delay (60 s): not tried
    assert failed() == 1
    run(app, worker, now=due + 60_000)
    assert failed() == 2
    run(app, worker, now=due + 60_000 + 99_000)  # the delay doubled, capped at 100 s: not yet
    assert failed() == 2
    assert site.notify.dead_letters() == []
    run(app, worker, now=due + 60_000 + 100_000)
    [(raw, letter)] = site.notify.dead_letters()
    assert letter["attempts"] == 3 and "ConnectionRefusedError" in letter["error"]
    assert letter["fields"] == {"type": "digest", "moderator": "mona"}
    run(app, worker, now=due + 3600_000)  # a dead letter waits for an admin, however long
    counts = site.notify.counts()
    assert (counts["failed"], counts["retried"], counts["dead"]) == (3, 2, 1)
    admin = logged_in(app, "ali")
    page = admin.get("/moderate/dead-letters").get_data(as_text=True)
    assert "digest" in page and "mona" in page and "ConnectionRefusedError" in page
    assert admin.post("/moderate/dead-letters/retry", data={"letter": raw, "csrf_token": admin.csrf}).status_code \
        == 303
    assert site.notify.dead_letters() == []
    down.start()
    try:
        run(app, worker, now=due + 3601_000)
        [digest] = down.inbox.wait_for(1)
        assert sorted(comment_ids([digest])) == ids
        run(app, worker, now=due + 7200_000)
        assert len(down.inbox.messages) == 1  # sent once; nothing waits any more
    finally:
        down.stop()
    assert site.notify.counts()["sent"] == 1
    assert site.notify.backlog()[0] == 0


def test_worker_killed_mid_batch_loses_nothing(redis_server, mail_app, smtp, tmp_path):
    """kill -9 of a worker process while it sends: another takes over; each comment alerted, at most one twice."""
    app = mail_app()
    site = prepare(app, "mona")
    total = 40
    submit(site, total)
    env = {**os.environ, "REDIS_URL": redis_server.url, "SECRET_KEY": SECRET, "INSTANCE_PATH": str(tmp_path),
           "SMTP_URL": smtp.url, "PUBLIC_URL": PUBLIC, "WORKER_POLL_SECONDS": "0.05", "WORKER_BATCH": "50",
           "WORKER_CLAIM_IDLE_SECONDS": "600",
           "MAIL_ALERTS_PER_HOUR": "1000"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        smtp.inbox.wait_for(10, timeout=60)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    sent_before = len(smtp.inbox.messages)
    assert sent_before < total, "the worker finished before it was killed: nothing was tested"
    assert site.notify.backlog()[0] > 0
    taker = Worker(app, consumer="taker")
    while run(app, taker):
        pass
    messages = smtp.inbox.wait_for(total)
    ids = comment_ids(messages)
    assert set(ids) == set(range(1, total + 1))
    assert len(ids) - len(set(ids)) <= 1  # the message in flight when it died, at most
    assert site.notify.backlog()[0] == 0


def test_metrics_show_the_worker(mail_app, smtp):
    app = mail_app()
    site = prepare(app, "mona")
    submit(site, 2)
    body = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'worker_events_waiting{site="main"} 2.0' in body
    assert 'worker_lag_seconds{site="main"}' in body
    run(app, Worker(app))
    body = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'worker_events_waiting{site="main"} 0.0' in body
    assert 'worker_messages_total{outcome="sent",site="main"} 2.0' in body


def test_preferences_page_saves_choice_and_says_when_mail_is_off(make_app, make_moderator):
    app = make_app()
    make_moderator("mona")
    client = logged_in(app, "mona")
    page = client.get("/moderate/notifications").get_data(as_text=True)
    assert "SMTP_URL" in page
    answer = client.post("/moderate/notifications", data={"csrf_token": client.csrf, "alerts": "each",
                                                          "email": "", "digest_minutes": "15"})
    assert answer.status_code == 400
    answer = client.post("/moderate/notifications", data={"csrf_token": client.csrf, "alerts": "digest",
                                                          "email": "mona@news.example", "digest_minutes": "30"})
    assert answer.status_code == 303
    with app.app_context():
        assert site_of(app).notify.preferences(["mona"]) == {"mona": ("mona@news.example", "digest", 30)}
    assert "mona@news.example" in client.get("/moderate/notifications").get_data(as_text=True)
    assert sites  # the module is what the worker uses to pick a site


def test_worker_a_wave_past_the_hourly_share_becomes_one_digest(mail_app, smtp):
    app = mail_app(MAIL_ALERTS_PER_HOUR=3)
    site = prepare(app, "mona")
    submit(site, 12)
    worker = Worker(app)
    now = int(time.time() * 1000)
    run(app, worker, now=now)
    assert len(smtp.inbox.wait_for(3)) == 3
    run(app, worker, now=now + 15 * 60_000 + 1000)
    messages = smtp.inbox.wait_for(4)
    assert len(messages) == 4
    assert sorted(comment_ids(messages)) == list(range(1, 13))  # each comment in exactly one mail


def test_worker_mail_in_english_reads_left_to_right(mail_app, smtp):
    app = mail_app(DEFAULT_LOCALE="en")
    site = prepare(app, "mona")
    submit(site)
    run(app, Worker(app))
    [message] = smtp.inbox.wait_for(1)
    html = message.get_body(("html",)).get_content()
    assert 'dir="ltr"' in html and 'lang="en"' in html
    assert message["Subject"] == "New comment waiting: article-1"
    assert "Approve" in html and "Reject" in html


def test_worker_an_event_it_cannot_read_ends_as_a_dead_letter(mail_app, smtp, redis_client):
    app = mail_app(WORKER_MAX_ATTEMPTS=2)
    site = prepare(app, "mona")
    redis_client.xadd(site.store.keys.events, {"type": "submitted", "thread": "t"})  # no id
    [good] = submit(site)
    worker = Worker(app)
    run(app, worker)
    run(app, worker)
    [(_raw, letter)] = site.notify.dead_letters()
    assert "KeyError" in letter["error"] and letter["attempts"] == 2
    assert comment_ids(smtp.inbox.wait_for(1)) == [good]  # the others go on
    assert site.notify.backlog()[0] == 0


def test_worker_logs_in_with_the_user_and_password_of_smtp_url(mail_app):
    server = MailServer(login=("relay-user", "s3cret p@ss")).start()
    try:
        app = mail_app(SMTP_URL=f"smtp://relay-user:s3cret%20p%40ss@127.0.0.1:{server.port}")
        site = prepare(app, "mona")
        submit(site)
        run(app, Worker(app))
        assert len(server.inbox.wait_for(1)) == 1
        assert server.logins == ["relay-user"]
        wrong = mail_app(SMTP_URL=f"smtp://relay-user:wrong@127.0.0.1:{server.port}")
        submit(site)
        run(app=wrong, worker=Worker(wrong))
        assert len(server.inbox.messages) == 1
        assert site.notify.counts()["failed"] == 1
    finally:
        server.stop()


@pytest.fixture
def certificates(tmp_path):
    """A test CA (its PEM file for SMTP_CA_FILE) and a certificate it issued for 127.0.0.1."""
    ca = trustme.CA()
    ca_file = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return str(ca_file), ca.issue_cert("127.0.0.1")


@pytest.mark.parametrize("tls", ["smtps", "starttls"])
def test_worker_delivers_over_tls_and_logs_in_there(mail_app, certificates, tls):
    ca_file, certificate = certificates
    server = MailServer(login=("relay-user", "s3cret"), tls=tls, certificate=certificate).start()
    try:
        url = server.url.replace("://", "://relay-user:s3cret@")
        app = mail_app(SMTP_URL=url, SMTP_CA_FILE=ca_file)
        site = prepare(app, "mona")
        [comment_id] = submit(site)
        run(app, Worker(app))
        [message] = server.inbox.wait_for(1)
        assert comment_ids([message]) == [comment_id]
        assert server.logins == ["relay-user"]  # AUTH is offered only over TLS
        assert site.notify.counts()["sent"] == 1
    finally:
        server.stop()


@pytest.mark.parametrize("tls", ["smtps", "starttls"])
def test_worker_refuses_an_untrusted_certificate_and_never_falls_back_to_plain_text(mail_app, certificates, tls):
    _ca_file, certificate = certificates
    # STARTTLS only offered, no login asked: a client that skipped TLS or went on without it would deliver.
    server = MailServer(tls=tls, certificate=certificate, require_tls=False).start()
    try:
        app = mail_app(SMTP_URL=server.url)  # no SMTP_CA_FILE: the system's CAs do not know the test CA
        site = prepare(app, "mona")
        submit(site)
        run(app, Worker(app))
        assert site.notify.counts()["failed"] == 1
        assert server.inbox.messages == []
        assert site.notify.backlog()[0] == 1  # pending, retried later: not lost
    finally:
        server.stop()


def address_of_this_machine():
    """An address of this machine that is not a loopback one, as another host reaches it; None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # a datagram socket only picks its route: nothing is sent
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_a_server_on_another_machine_that_offers_no_starttls_is_refused(mail_app):
    host = address_of_this_machine()
    if host is None:
        pytest.skip("this machine has no address but loopback")
    server = MailServer(host=host).start()  # plain text only: as if someone on the way stripped STARTTLS
    try:
        app = mail_app(SMTP_URL=server.url)
        site = prepare(app, "mona")
        submit(site)
        run(app, Worker(app))
        assert site.notify.counts()["failed"] == 1 and server.inbox.messages == []
        assert site.notify.backlog()[0] == 1  # pending, retried later: not lost
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "plain"
        message.set_content("allowed in plain text when the operator says so")
        Mailer(server.url, "a@example.com", require_tls=False).send(message)
        assert len(server.inbox.wait_for(1)) == 1
    finally:
        server.stop()
