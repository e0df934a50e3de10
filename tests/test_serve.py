"""`make run`'s server: gunicorn with the embedded Redis, stopped cleanly, data kept."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from moderation.embedded import EmbeddedRedis

from .conftest import form_token

pytestmark = pytest.mark.own_servers  # starts and stops servers of its own

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(instance, port, log, extra_env=None):
    """Start `make run`'s gunicorn; its log goes to the file ``log``."""
    env = {**os.environ, "INSTANCE_PATH": str(instance), "PORT": str(port), "WEB_WORKERS": "2"}
    env.pop("REDIS_URL", None)
    env.update(extra_env or {})
    if "SECRET_KEY" not in (extra_env or {}):
        env.pop("SECRET_KEY", None)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("gunicorn did not become ready: " + Path(log).read_text())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def submit(port, thread, body):
    base = f"http://127.0.0.1:{port}/threads/{thread}"
    with urllib.request.urlopen(base, timeout=5) as response:
        token = form_token(response.read().decode())
    data = urlencode({"comment": body, "author": "a", "email": "a@example.com", "token": token}).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(base, data=data, timeout=5)
    except urllib.error.HTTPError as answer:
        return answer.code
    return None


def test_serve_stops_workers_then_redis_and_keeps_data(tmp_path):
    port = free_port()
    instance, log = tmp_path / "instance", tmp_path / "gunicorn.log"
    server = start(instance, port, log)
    try:
        redis_server = EmbeddedRedis(instance)
        assert redis_server.is_running()
        assert submit(port, "t", "survives a restart") == 303
        # Metrics add up every worker's samples (prometheus-client's multiprocess mode).
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            metrics = response.read().decode()
        assert "comments_submitted_total{" in metrics
        assert 'comments_waiting{list="queue",site="main"}' in metrics
        assert list((instance / "prometheus").glob("*.db"))
        # No moderator yet: the one-time setup link is printed, and it works.
        link = re.search(r"http://127\.0\.0\.1:\d+/moderate/setup\?token=[\w-]+", log.read_text()).group(0)
        with urllib.request.urlopen(link, timeout=5) as response:
            assert response.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0
    assert not redis_server.is_running()
    assert "embedded redis-server stopped" in log.read_text()

    server = start(instance, port, log)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/threads/t?mine=x", timeout=5) as response:
            assert response.status == 200
        assert redis_server.is_running()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert not redis_server.is_running()
    redis_server.start()
    try:
        client = redis.Redis.from_url(redis_server.url, decode_responses=True)
        assert client.hget("cm:{main}:comment:1", "body") == "survives a restart"
        client.close()
    finally:
        redis_server.stop()


def test_serve_with_run_worker_starts_the_worker_and_stops_it_before_redis(tmp_path):
    """`make run` sets RUN_WORKER: one background worker beside gunicorn, stopped by Ctrl-C with it."""
    port = free_port()
    instance, log = tmp_path / "instance", tmp_path / "gunicorn.log"
    server = start(instance, port, log, {"RUN_WORKER": "1"})
    try:
        pid = int(re.search(r"background worker started \(pid (\d+)\)", log.read_text()).group(1))
        redis_server = EmbeddedRedis(instance)
        client = redis.Redis.from_url(redis_server.url, decode_responses=True)
        deadline = time.monotonic() + 30
        while True:  # the worker's consumer group appears once it runs
            try:
                if any(g["name"] == "notify" for g in client.xinfo_groups("cm:{main}:events")):
                    break
            except redis.ResponseError:
                pass
            assert time.monotonic() < deadline, "the worker did not start: " + log.read_text()
            time.sleep(0.1)
        assert submit(port, "t", "for the worker") == 303
        client.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert server.returncode == 0
    assert "background worker stopped" in log.read_text()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not redis_server.is_running()
