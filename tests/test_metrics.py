"""Prometheus metrics and the JSON request log."""

import json

from .conftest import form_token, logged_in


def metric_lines(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def value(text, name):
    """The value of one sample line, e.g. 'comments_waiting{list="queue",site="main"}'."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_submissions_decisions_and_queue_depth(app, team, client, store):
    before = metric_lines(client)
    for i in range(3):
        client.post("/threads/t", data={"comment": f"c{i}", "author": "a", "email": "a@example.com",
                                        "token": form_token(client.get("/threads/t"))})
    moderator = logged_in(app, "mona")
    [first, *_] = store.queue_page("", 0).comments
    moderator.post(f"/moderate/comments/{first.id}/approve", data={"csrf_token": moderator.csrf})
    after = metric_lines(client)
    name = 'comments_submitted_total{outcome="pending",site="main"}'
    assert value(after, name) - value(before, name) == 3
    name = 'comments_decided_total{action="approved",site="main"}'
    assert value(after, name) - value(before, name) == 1
    assert value(after, 'comments_waiting{list="queue",site="main"}') == 2
    assert value(after, 'comments_waiting{list="spam",site="main"}') == 0


def test_metrics_latency_by_route_template_not_path(client):
    client.get("/threads/some-article-slug")
    text = metric_lines(client)
    assert 'route="/threads/<thread>"' in text
    assert "some-article-slug" not in text


def test_metrics_count_redis_errors(make_app, tmp_path):
    client = make_app(REDIS_URL=f"unix://{tmp_path}/none.sock", REDIS_SOCKET_TIMEOUT_SECONDS=0.5).test_client()
    before = value(metric_lines(client), "redis_errors_total")
    client.get("/readyz")
    assert value(metric_lines(client), "redis_errors_total") > before


def test_request_log_is_one_json_line_without_personal_data(client, caplog):
    caplog.set_level("INFO", logger="moderation.access")
    client.post("/threads/t", data={"comment": "hello", "author": "a", "email": "secret.person@example.com",
                                    "token": form_token(client.get("/threads/t"))})
    lines = [r.getMessage() for r in caplog.records if r.name == "moderation.access"]
    entries = [json.loads(line) for line in lines]
    assert {"method": "POST", "route": "/threads/<thread>", "status": 303} == {
        k: entries[-1][k] for k in ("method", "route", "status")}
    assert entries[-1]["ms"] >= 0
    assert "secret.person" not in caplog.text
    assert "127.0.0.1" not in " ".join(lines)
