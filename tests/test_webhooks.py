"""Webhooks: the admin's page, and the worker's signed deliveries to a real HTTP receiver
(tests/webhookreceiver.py, on 127.0.0.1: these tests allow private addresses, except where they check
that they are refused)."""

import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from moderation.models import Decision, NewComment
from moderation.notify.worker import Worker
from moderation.webhooks import addresses, signing

from .conftest import SECRET, logged_in
from .webhookreceiver import Receiver, verify

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://news.example/comments"
EMAIL, IP, AGENT = "reader.secret@example.com", "203.0.113.77", "Mozilla/5.0 (Secret Browser)"
SECRET_SHOWN = re.compile(r"whsec_[A-Za-z0-9+/=]+")


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def hook_app(make_app, team):
    def make(**overrides):
        settings = {"WEBHOOKS_ALLOW_PRIVATE": True, "PUBLIC_URL": PUBLIC, "WORKER_CLAIM_IDLE_SECONDS": 0,
                    "WORKER_RETRY_SECONDS": 0}
        settings.update(overrides)
        return make_app(**settings)

    return make


def site_of(app):
    return app.extensions["sites"].get("main")


def add_endpoint(app, url, events=("approved",)):
    """An endpoint added through the console by admin "ali": (its id, the secret its next page showed)."""
    admin = logged_in(app, "ali")
    response = admin.post("/moderate/webhooks", data={"url": url, "events": list(events), "csrf_token": admin.csrf})
    assert response.status_code == 303, response.get_data(as_text=True)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    endpoint_id = response.headers["Location"].split("/")[-2]
    return endpoint_id, SECRET_SHOWN.search(page).group(0)


def hooked(app, receiver, events=("approved",)):
    endpoint_id, secret = add_endpoint(app, receiver.url, events)
    receiver.secret = secret
    site = site_of(app)
    site.notify.ensure_groups()  # the worker's group starts at the stream's end
    return site, endpoint_id


def submit(site, thread="article-1"):
    return site.store.submit(NewComment(thread=thread, author="نور", email=EMAIL, body="تعليق عن المقال",
                                        ip=IP, user_agent=AGENT),
                             nonce=f"n-{time.time_ns()}", now_ms=int(time.time() * 1000)).id


def approve(site, comment_id, moderator="mona"):
    site.store.decide(comment_id, Decision.APPROVE, moderator, int(time.time() * 1000))


def run(app, worker=None):
    with app.app_context():
        return (worker or Worker(app)).run_once(site_of(app))


def metric(app, outcome):
    body = app.test_client().get("/metrics").get_data(as_text=True)
    found = re.search(rf'webhook_deliveries_total{{outcome="{outcome}",site="main"}} (\S+)', body)
    return float(found.group(1)) if found else 0.0


# Signing


def test_signing_matches_the_specifications_test_vector():
    # The Standard Webhooks reference library's own test vector (libraries/python/tests/test_webhooks.py).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    msg_id, timestamp, body = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing.signature(secret, msg_id, timestamp, body) == expected
    headers = signing.headers(secret, msg_id, timestamp, body)
    assert headers == {"webhook-id": msg_id, "webhook-timestamp": "1614265330", "webhook-signature": expected}
    # The tests' receiver checks signatures as the specification says: it takes this one, and no other.
    assert verify(secret, headers, body, now=timestamp)
    assert not verify(secret, {**headers, "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="},
                      body, now=timestamp)
    assert not verify(secret, headers, body, now=timestamp + 301)


def test_signing_secrets_are_whsec_and_at_least_24_random_bytes():
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) >= 24


# The deliveries


def test_webhooks_approve_sends_one_signed_delivery_without_email_or_ip(hook_app, receiver):
    app = hook_app()
    site, endpoint_id = hooked(app, receiver, events=("approved",))
    comment_id = submit(site)
    run(app)  # "submitted" was not chosen: nothing goes out for it
    assert receiver.received == []
    approve(site, comment_id)
    run(app)
    [delivery] = receiver.wait_for(1)
    assert delivery.valid
    assert delivery.path == "/hook"
    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["webhook-id"] == f"msg_main_{delivery.headers['webhook-id'].split('_')[2]}_{endpoint_id}"
    message = json.loads(delivery.body)
    assert message["type"] == "comment.approved"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", message["timestamp"])
    data = message["data"]
    assert data == {"site": "main", "id": comment_id, "thread": "article-1", "parent": None, "author": "نور",
                    "body": "تعليق عن المقال", "status": "approved", "moderator": "mona",
                    "created_at": data["created_at"], "url": f"{PUBLIC}/threads/article-1"}
    # Moderator-only data never leaves by webhook, in no field and no header.
    raw = delivery.body.decode() + json.dumps(delivery.headers)
    for private in (EMAIL, IP, AGENT, "reader.secret", "203.0.113"):
        assert private not in raw
    assert not {"email", "ip", "user_agent"} & set(data)
    run(app)
    run(app, Worker(app, consumer="another"))
    assert len(receiver.received) == 1
    assert site.notify.backlog()[0] == 0
    [(msg_id, line)] = site.webhooks.deliveries(endpoint_id)
    assert msg_id == delivery.headers["webhook-id"]
    assert (line["outcome"], line["status"], line["attempts"], line["event"]) == ("sent", "200", 1, "approved")
    assert metric(app, "sent") == 1.0


def test_webhooks_receiver_answering_500_then_200_is_retried_then_delivered(hook_app, receiver):
    app = hook_app()
    site, endpoint_id = hooked(app, receiver)
    receiver.answers = [500]
    approve(site, submit(site))
    run(app)
    [first] = receiver.wait_for(1)
    assert site.notify.backlog()[0] == 1  # not acknowledged: it comes round again
    [(_, line)] = site.webhooks.deliveries(endpoint_id)
    assert (line["outcome"], line["status"], line["attempts"], line["error"]) == ("failed", "500", 1, "HTTP 500")
    run(app)
    first, second = receiver.wait_for(2)
    assert first.valid and second.valid
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert site.notify.backlog()[0] == 0
    [(_, line)] = site.webhooks.deliveries(endpoint_id)
    assert (line["outcome"], line["status"], line["attempts"]) == ("sent", "200", 2)
    page = logged_in(app, "ali").get(f"/moderate/webhooks/{endpoint_id}").get_data(as_text=True)
    assert re.search(r"<td>2</td>", page) and "HTTP 200" in page
    assert (metric(app, "failed"), metric(app, "sent")) == (1.0, 1.0)
    run(app)
    assert len(receiver.received) == 2


def test_webhooks_a_redirect_is_not_followed_and_counts_as_a_failure(hook_app, receiver):
    app = hook_app()
    site, endpoint_id = hooked(app, receiver)
    receiver.answers = [(302, {"Location": receiver.url.replace("/hook", "/elsewhere")})]
    approve(site, submit(site))
    run(app)
    [delivery] = receiver.wait_for(1)
    assert delivery.path == "/hook"
    [(_, line)] = site.webhooks.deliveries(endpoint_id)
    assert (line["outcome"], line["status"]) == ("failed", "302")
    assert "redirects are not followed" in line["error"]
    assert site.notify.backlog()[0] == 1
    assert [r.path for r in receiver.received] == ["/hook"]


def test_webhooks_no_answer_in_time_is_a_failure(hook_app, receiver):
    app = hook_app(WEBHOOKS_TIMEOUT_SECONDS=0.3)
    site, endpoint_id = hooked(app, receiver)
    receiver.hold = threading.Event()  # the receiver takes the request and does not answer
    approve(site, submit(site))
    run(app)
    receiver.hold.set()
    [(_, line)] = site.webhooks.deliveries(endpoint_id)
    assert (line["outcome"], line["status"], line["error"]) == ("failed", "", "no answer within 0.3 s")
    assert site.notify.backlog()[0] == 1


def test_webhooks_dead_letter_after_the_limit_then_sent_back_with_the_same_id(hook_app, receiver):
    app = hook_app(WORKER_MAX_ATTEMPTS=2)
    site, endpoint_id = hooked(app, receiver)
    receiver.answers = [503, 503]
    approve(site, submit(site))
    run(app)
    run(app)
    assert site.notify.dead_count() == 1
    admin = logged_in(app, "ali")
    raw = admin.get("/moderate/dead-letters").get_data(as_text=True)
    letter = re.search(r'name="letter" value="([^"]+)"', raw).group(1)
    import html

    assert admin.post("/moderate/dead-letters/retry", data={"letter": html.unescape(letter),
                                                            "csrf_token": admin.csrf}).status_code == 303
    run(app)
    first, second, third = receiver.wait_for(3)
    assert third.valid and {first.headers["webhook-id"], second.headers["webhook-id"]} == {third.headers["webhook-id"]}
    [(_, line)] = site.webhooks.deliveries(endpoint_id)
    assert (line["outcome"], line["attempts"]) == ("sent", 3)


def test_webhooks_events_not_chosen_are_not_sent(hook_app, receiver):
    app = hook_app()
    site, _ = hooked(app, receiver, events=("rejected", "undone"))
    approved, rejected = submit(site), submit(site, thread="article-2")
    approve(site, approved)
    site.store.decide(rejected, Decision.REJECT, "mona", int(time.time() * 1000))
    run(app)
    [delivery] = receiver.wait_for(1)
    assert json.loads(delivery.body)["type"] == "comment.rejected"
    assert json.loads(delivery.body)["data"]["id"] == rejected
    run(app)
    assert len(receiver.received) == 1


def test_webhooks_switched_off_sends_nothing_and_deleted_is_gone(hook_app, receiver, redis_client):
    app = hook_app()
    site, endpoint_id = hooked(app, receiver, events=("approved", "submitted"))
    admin = logged_in(app, "ali")
    assert admin.post(f"/moderate/webhooks/{endpoint_id}/disable", data={"csrf_token": admin.csrf}).status_code == 303
    first = submit(site)
    run(app)
    assert receiver.received == []
    assert admin.post(f"/moderate/webhooks/{endpoint_id}/enable", data={"csrf_token": admin.csrf}).status_code == 303
    approve(site, first)
    run(app)
    [delivery] = receiver.wait_for(1)
    assert json.loads(delivery.body)["type"] == "comment.approved"
    assert admin.post(f"/moderate/webhooks/{endpoint_id}/delete", data={"csrf_token": admin.csrf}).status_code == 303
    assert "/hook" not in admin.get("/moderate/webhooks").get_data(as_text=True)
    assert redis_client.keys(f"cm:{{main}}:webhook:{endpoint_id}*") == []
    submit(site)
    run(app)
    assert len(receiver.received) == 1
    audit = [fields for _, fields in redis_client.xrange("cm:{main}:audit") if fields["action"].startswith("webhook")]
    assert [(a["action"], a["moderator"], a["webhook"]) for a in audit] == [
        ("webhook_added", "ali", endpoint_id), ("webhook_disabled", "ali", endpoint_id),
        ("webhook_enabled", "ali", endpoint_id), ("webhook_deleted", "ali", endpoint_id)]
    assert admin.post(f"/moderate/webhooks/{endpoint_id}/enable", data={"csrf_token": admin.csrf}).status_code == 404


def test_webhooks_worker_killed_after_sending_sends_again_with_the_same_id(redis_server, hook_app, receiver,
                                                                           tmp_path):
    """kill -9 of the worker once the receiver has the message and before the worker heard back: the next
    worker sends it once more, with the same webhook-id, and never a third time."""
    app = hook_app()
    site, _ = hooked(app, receiver)
    receiver.hold = threading.Event()
    approve(site, submit(site))
    env = {**os.environ, "REDIS_URL": redis_server.url, "SECRET_KEY": SECRET, "INSTANCE_PATH": str(tmp_path),
           "PUBLIC_URL": PUBLIC, "WORKER_POLL_SECONDS": "0.05", "WORKER_CLAIM_IDLE_SECONDS": "600",
           "WEBHOOKS_ALLOW_PRIVATE": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        receiver.wait_for(1, timeout=60)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    receiver.hold.set()
    receiver.hold = None
    assert site.notify.backlog()[0] == 1
    run(app, Worker(app, consumer="taker"))
    first, second = receiver.wait_for(2)
    assert first.valid and second.valid
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert site.notify.backlog()[0] == 0
    run(app, Worker(app, consumer="taker"))
    assert len(receiver.received) == 2


def test_webhooks_delivery_checks_the_address_again(hook_app, receiver):
    """Added while private addresses were allowed; the setting off since: the worker does not call it."""
    site, endpoint_id = hooked(hook_app(), receiver)
    app = hook_app(WEBHOOKS_ALLOW_PRIVATE=False)
    approve(site, submit(site))
    run(app)
    assert receiver.received == []
    [(_, line)] = site.webhooks.deliveries(endpoint_id)
    assert line["outcome"] == "failed" and line["error"].startswith("address refused (private: 127.0.0.1")


# The console


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.0.0.8/hook",
                                 "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]/hook", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
                                 "http://100.64.0.1/", "http://224.0.0.1/"])
def test_webhooks_page_refuses_local_and_private_addresses(make_app, team, url):
    app = make_app(DEFAULT_LOCALE="en")
    admin = logged_in(app, "ali")
    response = admin.post("/moderate/webhooks", data={"url": url, "events": ["approved"], "csrf_token": admin.csrf})
    assert response.status_code == 400
    assert "private or local network" in response.get_data(as_text=True)
    assert site_of(app).webhooks.endpoints() == []


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.com/hook", "starting with https:// or http://"),
    ("https://user:password@93.184.215.14/hook", "user name and password"),
    ("javascript:alert(1)", "starting with https:// or http://"),
    ("", "Enter the address to send to."),
])
def test_webhooks_page_refuses_what_is_not_a_web_address(make_app, team, url, message):
    app = make_app(DEFAULT_LOCALE="en")
    admin = logged_in(app, "ali")
    response = admin.post("/moderate/webhooks", data={"url": url, "events": ["approved"], "csrf_token": admin.csrf})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_webhooks_page_needs_an_event(make_app, team):
    app = make_app(DEFAULT_LOCALE="en")
    admin = logged_in(app, "ali")
    response = admin.post("/moderate/webhooks", data={"url": "https://93.184.215.14/hook", "csrf_token": admin.csrf})
    assert response.status_code == 400
    assert "Choose at least one event." in response.get_data(as_text=True)


def test_webhooks_secret_is_shown_once(make_app, team):
    app = make_app(DEFAULT_LOCALE="en")
    admin = logged_in(app, "ali")
    response = admin.post("/moderate/webhooks", data={"url": "https://93.184.215.14/hook?token=abc",
                                                      "events": ["approved", "rejected"], "csrf_token": admin.csrf})
    assert response.status_code == 303
    first = admin.get(response.headers["Location"])
    assert first.headers["Cache-Control"] == "no-store"
    [secret] = SECRET_SHOWN.findall(first.get_data(as_text=True))
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    [endpoint] = site_of(app).webhooks.endpoints()
    assert endpoint.secret == secret and endpoint.events == ("approved", "rejected") and endpoint.enabled
    again = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "whsec_" not in again and "not shown again" in again
    listing = admin.get("/moderate/webhooks").get_data(as_text=True)
    assert "https://93.184.215.14/hook?token=abc" in listing and "whsec_" not in listing
    assert "whsec_" not in admin.get(f"/moderate/webhooks/{endpoint.id}").get_data(as_text=True)


def test_webhooks_page_is_for_admins_only(make_app, team):
    app = make_app()
    moderator = logged_in(app, "mona")
    assert moderator.get("/moderate/webhooks").status_code == 403
    response = moderator.post("/moderate/webhooks", data={"url": "https://93.184.215.14/", "events": ["approved"],
                                                          "csrf_token": moderator.csrf})
    assert response.status_code == 403
    assert site_of(app).webhooks.endpoints() == []
    assert "/moderate/webhooks" not in moderator.get("/moderate/log").get_data(as_text=True)
    assert "/moderate/webhooks" in logged_in(app, "ali").get("/moderate/log").get_data(as_text=True)
    anonymous = app.test_client().get("/moderate/webhooks")
    assert anonymous.status_code in (302, 303) and "/moderate/login" in anonymous.headers["Location"]
    assert logged_in(app, "ali").get("/moderate/webhooks/0123456789abcdef").status_code == 404


def test_webhooks_page_in_arabic(make_app, team):
    app = make_app()
    admin = logged_in(app, "ali")
    page = admin.get("/moderate/webhooks").get_data(as_text=True)
    assert 'dir="rtl"' in page and "<h1>الويب هوك</h1>" in page and "Add an endpoint" not in page


@pytest.mark.parametrize(("address", "allowed"), [
    ("93.184.215.14", True), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True), ("127.0.0.1", False),
    ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.0.1", False), ("169.254.169.254", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:10.0.0.1", False), ("0.0.0.0", False),
    ("::", False), ("224.0.0.1", False), ("ff02::1", False), ("240.0.0.1", False), ("100.64.0.1", False),
])
def test_addresses_public_only(address, allowed):
    assert addresses.public(address) is allowed
