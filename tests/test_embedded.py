"""The embedded redis-server: one per instance folder, durable across restarts and crashes."""

import os
import subprocess
import sys

import pytest
import redis

from moderation.embedded import EmbeddedRedis
from moderation.models import NewComment
from moderation.store import Store

from .conftest import pending_count, pending_ids

pytestmark = pytest.mark.own_servers  # starts and stops servers of its own


def client_for(server):
    return redis.Redis.from_url(server.url, decode_responses=True)


def submit_many(server, count):
    client = client_for(server)
    store = Store(client)
    ids = [store.submit(NewComment(thread="t", author="a", email="a@example.com", body=f"body {i}"),
                        nonce=f"n{i}", now_ms=i).id for i in range(count)]
    client.close()
    return ids


def test_embedded_runs_with_append_only_fsync_always(tmp_path):
    server = EmbeddedRedis(tmp_path)
    assert server.start()
    try:
        client = client_for(server)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("appendfsync") == {"appendfsync": "always"}
        assert client.config_get("dir")["dir"] == str(tmp_path)
        assert client.config_get("port") == {"port": "0"}
        client.close()
        assert (tmp_path / "redis.sock").exists()
    finally:
        server.stop()
    assert not server.is_running()


def test_embedded_start_is_idempotent_per_folder(tmp_path):
    first, second = EmbeddedRedis(tmp_path), EmbeddedRedis(tmp_path)
    assert first.start()
    try:
        assert not second.start()
        assert first.pid() == second.pid()
    finally:
        first.stop()


def test_embedded_keeps_data_across_clean_restart(tmp_path):
    server = EmbeddedRedis(tmp_path)
    server.start()
    ids = submit_many(server, 20)
    server.stop()
    server.start()
    try:
        client = client_for(server)
        assert pending_ids(client) == [int(i) for i in ids]
        client.close()
    finally:
        server.stop()


def test_embedded_keeps_acknowledged_comments_after_kill_9(tmp_path):
    server = EmbeddedRedis(tmp_path)
    server.start()
    ids = submit_many(server, 200)
    server.kill()
    assert not server.is_running()
    server.start()
    try:
        client = client_for(server)
        assert pending_count(client) == 200
        assert client.hget(f"cm:{{main}}:comment:{ids[-1]}", "body") == "body 199"
        client.close()
    finally:
        server.stop()


def test_cli_reaches_the_same_embedded_server(tmp_path):
    """`flask --app wsgi comments …` with REDIS_URL unset uses the instance's own server."""
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40}
    env.pop("REDIS_URL", None)
    server = EmbeddedRedis(tmp_path)
    server.start()
    [comment_id] = submit_many(server, 1)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "comments"]
    try:
        out = subprocess.run([*flask, "pending"], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "1 pending"
        subprocess.run([*flask, "approve", str(comment_id), "--moderator", "ops"], env=env, check=True,
                       capture_output=True)
        assert server.is_running(), "the CLI stopped a server it did not start"
    finally:
        server.stop()
    # Not running: the command starts the server, does its work, and stops it again.
    out = subprocess.run([*flask, "pending"], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 pending"
    assert not server.is_running()
    out = subprocess.run([*flask, "approve", str(comment_id)], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert "already approved by ops" in out.stderr
