"""Faults survived: Redis killed or away or hanging, the spool, and nothing lost or doubled."""

import socket
import threading
import time

import pytest
import redis

from moderation import create_app
from moderation.embedded import EmbeddedRedis
from moderation.models import Decision, NewComment
from moderation.store import Store

from .conftest import SECRET, form_token, pending_count, pending_ids

pytestmark = pytest.mark.own_servers  # starts and stops servers of its own


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, to stop, kill and restart."""
    server = EmbeddedRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def faulty_app(own_redis, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "REDIS_URL": own_redis.url,
                      "INSTANCE_PATH": str(tmp_path / "instance"), "FORM_MIN_SECONDS": 0, "FLOOD_SECONDS": 0,
                      "SUBMIT_RATE_LIMIT": "", "REDIS_SOCKET_TIMEOUT_SECONDS": 0.5,
                      "SPOOL_REPLAY_SECONDS": 0.2})
    yield app
    app.extensions["redis"].close()


def client_of(server):
    return redis.Redis.from_url(server.url, decode_responses=True)


def test_kill_9_of_redis_loses_no_acknowledged_submission_or_decision(own_redis):
    store = Store(client_of(own_redis))
    ids = [store.submit(NewComment(thread="t", author="a", email=f"e{i}@example.com", body=f"comment {i}"),
                        nonce=f"n{i}", now_ms=1_000 + i).id for i in range(300)]
    for comment_id in ids[:120]:
        store.decide(comment_id, Decision.APPROVE if comment_id % 2 else Decision.REJECT, "mod", now_ms=5_000)
    store.client.close()
    own_redis.kill()
    own_redis.start()
    client = client_of(own_redis)
    store = Store(client)
    assert pending_count(client) == 180
    statuses = [c.status for c in store.get_many(ids)]
    assert statuses[:120] == ["approved" if i % 2 else "rejected" for i in ids[:120]]
    assert statuses[120:] == ["pending"] * 180
    audit = [e for _, e in client.xrange("cm:{main}:audit")]
    assert sorted(int(e["id"]) for e in audit) == ids[:120]  # each decision once
    assert len(store.published("t")) == 60
    client.close()


def test_redis_away_then_back_the_app_recovers_by_itself(faulty_app, own_redis):
    client = faulty_app.test_client()
    assert client.get("/readyz").status_code == 200
    own_redis.stop()
    assert client.get("/readyz").status_code == 503
    assert client.get("/threads/t").status_code == 503
    own_redis.start()
    assert client.get("/readyz").status_code == 200
    assert client.get("/threads/t").status_code == 200


def test_spool_takes_in_every_comment_once_in_order(faulty_app, own_redis):
    faulty_app.config["SPOOL_REPLAY_SECONDS"] = 3600  # only the replays this test asks for
    client = faulty_app.test_client()
    tokens = [form_token(client.get("/threads/t")) for _ in range(5)]
    own_redis.stop()
    for i, token in enumerate(tokens):
        data = {"comment": f"kept while away {i}", "author": "نور", "email": f"r{i}@example.com", "token": token}
        response = client.post("/threads/t", data=data)
        assert response.status_code == 303
        assert "received=1" in response.headers["Location"]
        # The reader sends the same form again (a double click): still one comment.
        assert client.post("/threads/t", data=data).status_code == 303
    spool = faulty_app.extensions["spool"]
    assert spool.waiting()
    own_redis.start()
    with faulty_app.app_context():
        from moderation import services

        assert services.replay_spool() == 10
        assert services.replay_spool() == 0  # and again: nothing twice
    redis_client = client_of(own_redis)
    bodies = [redis_client.hget(f"cm:{{main}}:comment:{i}", "body")
              for i in pending_ids(redis_client)]
    assert bodies == [f"kept while away {i}" for i in range(5)]
    assert not spool.waiting()
    redis_client.close()


def test_spool_is_replayed_without_anyone_asking(faulty_app, own_redis):
    client = faulty_app.test_client()
    token = form_token(client.get("/threads/t"))
    own_redis.stop()
    client.post("/threads/t", data={"comment": "back soon", "author": "a", "email": "a@example.com",
                                    "token": token})
    page = client.get("/threads/t?received=1")
    assert "تم استلام تعليقك" in page.get_data(as_text=True)
    own_redis.start()
    redis_client = client_of(own_redis)
    deadline = time.monotonic() + 15
    while pending_count(redis_client) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)  # the replayer checks every 0.2 s; this waits for it, bounded
    assert pending_count(redis_client) == 1
    redis_client.close()


def test_spool_file_is_private(faulty_app, own_redis):
    import os
    import stat

    client = faulty_app.test_client()
    token = form_token(client.get("/threads/t"))
    own_redis.stop()
    client.post("/threads/t", data={"comment": "x", "author": "a", "email": "a@example.com", "token": token})
    assert stat.S_IMODE(os.stat(faulty_app.extensions["spool"].path).st_mode) == 0o600
    own_redis.start()


def test_api_submission_is_spooled_too(faulty_app, own_redis):
    client = faulty_app.test_client()
    token = client.get("/api/v1/threads/t/token").get_json()["token"]
    own_redis.stop()
    response = client.post("/api/v1/threads/t/comments", json={"comment": "via api", "author": "a",
                                                                "email": "a@example.com", "token": token})
    assert response.status_code == 202
    assert response.get_json() == {"id": None, "status": "received", "pending_url": None}
    own_redis.start()


@pytest.fixture
def hanging_redis():
    """A TCP server that accepts connections and never answers: Redis hung."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_hanging_redis_answers_within_bounded_time(hanging_redis, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "REDIS_URL": hanging_redis,
                      "INSTANCE_PATH": str(tmp_path), "REDIS_SOCKET_TIMEOUT_SECONDS": 1.0, "SPOOL": False,
                      "SUBMIT_RATE_LIMIT": ""})
    client = app.test_client()
    started = time.monotonic()
    assert client.get("/readyz").status_code == 503
    page = client.get("/threads/t")
    assert page.status_code == 503
    response = client.post("/threads/t", data={"comment": "my words", "author": "a", "email": "a@example.com",
                                               "token": form_token(page)})
    assert response.status_code == 503
    assert "my words" in response.get_data(as_text=True)
    # Three requests, each bounded by about one socket timeout.
    assert time.monotonic() - started < 3 * 2 * 1.0
    app.extensions["redis"].close()


def test_spooled_form_keeps_the_time_it_was_sent(faulty_app, own_redis):
    """A bot's too-fast form is spam after the replay too, however late the replay runs."""
    faulty_app.config.update(FORM_MIN_SECONDS=3, SPOOL_REPLAY_SECONDS=3600)
    client = faulty_app.test_client()
    token = form_token(client.get("/threads/t"))
    own_redis.stop()
    client.post("/threads/t", data={"comment": "fast bot", "author": "a", "email": "a@example.com", "token": token})
    own_redis.start()
    time.sleep(3.5)  # the replay runs later than the trap's 3 seconds: the form's own time must count
    with faulty_app.app_context():
        from moderation import services

        assert services.replay_spool() == 1
    redis_client = client_of(own_redis)
    assert redis_client.zcard("cm:{main}:spam") == 1
    redis_client.close()
