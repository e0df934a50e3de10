"""Load through gunicorn, with a worker killed in the middle: nothing lost, nothing twice, no 5xx.

32 clients send 2,000 comments to `make run`'s server (gunicorn, threaded
workers, the embedded Redis). Part-way through, one worker is killed with
SIGKILL; a client whose connection dies sends the same form (same token)
again. Afterwards every form is in Redis exactly once, reconciled by id.
"""

import http.client
import os
import re
import signal
import threading
import urllib.parse

import psutil
import pytest
import redis

from moderation.embedded import EmbeddedRedis
from moderation.forms import token_serializer

from .conftest import SECRET
from .test_serve import free_port, start

pytestmark = pytest.mark.own_servers  # starts and stops servers of its own

SUBMISSIONS = 2_000
CLIENTS = 32
THREAD = "load-test"


@pytest.fixture
def server(tmp_path):
    port = free_port()
    instance, log = tmp_path / "instance", tmp_path / "gunicorn.log"
    env = {"SECRET_KEY": SECRET, "FORM_MIN_SECONDS": "0", "FLOOD_SECONDS": "0",
           "SUBMIT_RATE_LIMIT": "1000000/minute", "WEB_WORKERS": "2", "WEB_THREADS": "8"}
    process = start(instance, port, log, extra_env=env)
    yield process, port, instance
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def body(i, token):
    text = f"تعليق رقم {i} under load, comment number {i}"
    return urllib.parse.urlencode({"comment": text, "author": f"Reader {i}", "email": f"r{i}@example.com",
                                   "token": token}).encode(), text


def send(port, payload):
    """POST once on a new connection; the status and the comment id, or None when the connection died."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", f"/threads/{THREAD}", body=payload,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        match = re.search(r"#comment-(\d+)$", response.getheader("Location") or "")
        return response.status, int(match.group(1)) if match else None
    except (ConnectionError, http.client.HTTPException, TimeoutError):
        return None
    finally:
        connection.close()


def test_load_with_a_worker_killed_loses_nothing_and_doubles_nothing(server):
    process, port, instance = server
    serializer = token_serializer(SECRET)
    forms = [body(i, serializer.dumps({"t": THREAD, "n": f"load-{i}"})) for i in range(SUBMISSIONS)]
    answers = [None] * SUBMISSIONS
    statuses, retried = [], []
    lock = threading.Lock()
    next_index = iter(range(SUBMISSIONS))
    killed = threading.Event()

    def kill_one_worker():
        worker = psutil.Process(process.pid).children()[0]
        os.kill(worker.pid, signal.SIGKILL)
        killed.set()

    def client():
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            if i == SUBMISSIONS // 3 and not killed.is_set():
                kill_one_worker()
            for _attempt in range(20):
                result = send(port, forms[i][0])
                if result is not None:
                    break
                with lock:
                    retried.append(i)  # the connection died: send the same form again
            status, comment_id = result
            with lock:
                statuses.append(status)
                answers[i] = comment_id

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert killed.is_set()
    print(f"\n{len(set(retried))} forms sent again after their connection died")
    assert not [s for s in statuses if s >= 500]
    assert statuses.count(303) == SUBMISSIONS
    client_redis = redis.Redis.from_url(EmbeddedRedis(instance).url, decode_responses=True)
    stored = client_redis.zrange(f"cm:{{main}}:thread:{THREAD}:pending", 0, -1)
    assert len(stored) == SUBMISSIONS  # nothing lost, nothing twice
    assert len(set(answers)) == SUBMISSIONS
    pipe = client_redis.pipeline()
    for comment_id in answers:
        pipe.hget(f"cm:{{main}}:comment:{comment_id}", "body")
    assert pipe.execute() == [text for _, text in forms]  # each acknowledged id holds its own form
    client_redis.close()
