"""The public JSON API, and the app checked against its own OpenAPI document."""

import re

import jsonschema
import pytest

from moderation.config import DEFAULTS
from moderation.models import Decision, NewComment
from moderation.openapi import document

from .conftest import pending_count

THREAD = "article-1"


def approve_new(store, thread=THREAD, n=1, **fields):
    ids = []
    for i in range(n):
        values = {"author": "Reader", "email": "private@example.com", "body": f"body {i}", "ip": "198.51.100.23"}
        values.update(fields)
        comment_id = store.submit(NewComment(thread=thread, **values), nonce=f"{thread}-{i}-{values['body']}",
                                     now_ms=1_700_000_000_000 + i).id
        store.decide(comment_id, Decision.APPROVE, "mod", now_ms=1_700_000_100_000)
        ids.append(comment_id)
    return ids


def token_for(client, thread=THREAD):
    return client.get(f"/api/v1/threads/{thread}/token").get_json()["token"]


def submit_json(client, thread=THREAD, **fields):
    data = {"comment": "تعليق عبر الواجهة البرمجية", "author": "نور", "email": "api@example.com"}
    data.update(fields)
    data.setdefault("token", token_for(client, thread))
    return client.post(f"/api/v1/threads/{thread}/comments", json={k: v for k, v in data.items() if v is not None})


def schema_of(path, method, status):
    operation = document(DEFAULTS)["paths"][path][method]
    content = operation["responses"][str(status)].get("content")
    return content["application/json"]["schema"] if content else None


def check(response, path, method):
    """The response's status is documented, and its body fits the documented schema."""
    responses = document(DEFAULTS)["paths"][path][method]["responses"]
    assert str(response.status_code) in responses, f"{method} {path}: {response.status_code} undocumented"
    schema = schema_of(path, method, response.status_code)
    if schema is not None:
        jsonschema.validate(response.get_json(), schema)


def test_api_comments_shape_and_order(client, store):
    first, reply = approve_new(store, n=1)[0], None
    reply = approve_new(store, parent=first, body="a reply with https://example.com/x.")[0]
    response = client.get(f"/api/v1/threads/{THREAD}/comments")
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == 2
    assert [c["id"] for c in body["comments"]] == [first, reply]
    assert body["comments"][1]["parent"] == first
    assert body["comments"][1]["body_html"] == (
        '<p>a reply with <a href="https://example.com/x" rel="nofollow ugc noopener" target="_blank">'
        'https://example.com/x</a>.</p>')
    assert body["comments"][0]["created_at"] == "2023-11-14T22:13:20Z"
    check(response, "/api/v1/threads/{thread}/comments", "get")


def test_api_never_returns_private_fields(client, store):
    approve_new(store, n=3)
    submit_json(client)
    raw = client.get(f"/api/v1/threads/{THREAD}/comments").get_data(as_text=True)
    for secret in ("private@example.com", "198.51.100.23", "api@example.com", "127.0.0.1", "user_agent"):
        assert secret not in raw


def test_api_xss_is_escaped_in_body_html(client, store):
    approve_new(store, body='<script>alert(1)</script> javascript:alert(2) <img src=x onerror=alert(3)>')
    comment = client.get(f"/api/v1/threads/{THREAD}/comments").get_json()["comments"][0]
    assert "<script>" not in comment["body_html"] and "<img" not in comment["body_html"]
    assert "&lt;script&gt;" in comment["body_html"]
    assert "<a " not in comment["body_html"]  # javascript: is never a link


def test_api_etag_and_304(client, store):
    approve_new(store)
    first = client.get(f"/api/v1/threads/{THREAD}/comments")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=10"
    again = client.get(f"/api/v1/threads/{THREAD}/comments", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    approve_new(store, body="a newer comment")
    changed = client.get(f"/api/v1/threads/{THREAD}/comments", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["count"] == 2


def test_api_etag_changes_when_a_comment_is_unpublished(client, store):
    [comment_id] = approve_new(store)
    etag = client.get(f"/api/v1/threads/{THREAD}/comments").headers["ETag"]
    store.undo(comment_id, "mod", now_ms=1_700_000_100_001, is_admin=True, window_ms=0)
    response = client.get(f"/api/v1/threads/{THREAD}/comments", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["comments"] == []


@pytest.mark.parametrize("path", [f"/api/v1/threads/{THREAD}/comments", "/api/v1/counts?thread=a",
                                  f"/api/v1/threads/{THREAD}/token", "/api/v1/openapi.json"])
def test_api_cors_for_get_from_any_origin(client, path):
    response = client.get(path, headers={"Origin": "https://news.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_api_counts_for_many_threads(client, store):
    approve_new(store, thread="a", n=3)
    approve_new(store, thread="b", n=1)
    response = client.get("/api/v1/counts?thread=a&thread=b&thread=empty")
    assert response.get_json() == {"counts": {"a": 3, "b": 1, "empty": 0}}
    check(response, "/api/v1/counts", "get")


@pytest.mark.parametrize("query", ["", "?thread=" + "&thread=".join(str(i) for i in range(101)), "?thread=a%2Fb",
                                   "?thread=.."])
def test_api_counts_refuses_bad_requests(client, query):
    response = client.get(f"/api/v1/counts{query}")
    assert response.status_code == 400
    check(response, "/api/v1/counts", "get")


def test_api_submit_queues_and_answers_202(client, redis_client):
    response = submit_json(client, url="https://me.example")
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending"
    assert redis_client.hget(f"cm:{{main}}:comment:{body['id']}", "body") == "تعليق عبر الواجهة البرمجية"
    check(response, "/api/v1/threads/{thread}/comments", "post")
    own = client.get(body["pending_url"].replace("http://localhost", ""))
    assert "تعليقك بانتظار المراجعة." in own.get_data(as_text=True)


def test_api_submit_same_token_queues_once(client, redis_client):
    token = token_for(client)
    first = submit_json(client, token=token)
    second = submit_json(client, token=token)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert pending_count(redis_client) == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({"comment": ""}, "comment"),
    ({"author": None}, "author"),
    ({"email": "nope"}, "email"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"token": "forged"}, "token"),
    ({"parent": 0}, "parent"),
    ({"parent": "12"}, "parent"),
    ({"comment": ["a list"]}, "comment"),
    ({"author": True}, "author"),
])
def test_api_submit_errors_by_field(client, redis_client, fields, field):
    response = submit_json(client, **fields)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid"
    assert field in body["errors"]
    assert pending_count(redis_client) == 0
    check(response, "/api/v1/threads/{thread}/comments", "post")


def test_api_submit_reply_to_an_unpublished_comment_is_409(client, redis_client, store):
    [other_thread] = approve_new(store, thread="another-article")
    for parent in (12345, other_thread):
        response = submit_json(client, parent=parent)
        assert response.status_code == 409
        assert response.get_json()["error"] == "unknown_parent"
        assert "parent" in response.get_json()["errors"]
        check(response, "/api/v1/threads/{thread}/comments", "post")
    assert pending_count(redis_client) == 0


def test_api_submit_reply_to_a_published_comment(client, store):
    [parent] = approve_new(store)
    response = submit_json(client, parent=parent)
    assert response.status_code == 202
    assert store.get(response.get_json()["id"]).parent == parent


def test_api_submit_messages_follow_the_language(client):
    response = client.post(f"/api/v1/threads/{THREAD}/comments?lang=en",
                           json={"comment": "", "author": "a", "email": "a@example.com", "token": token_for(client)})
    assert response.get_json()["errors"]["comment"] == "Please write your comment."


@pytest.mark.parametrize(("data", "content_type", "status"), [
    (b"comment=x", "application/x-www-form-urlencoded", 415),
    (b"{not json", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b'{"comment": "' + b"x" * 70_000 + b'"}', "application/json", 413),
])
def test_api_submit_refuses_bad_bodies(client, data, content_type, status):
    response = client.post(f"/api/v1/threads/{THREAD}/comments", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.is_json
    check(response, "/api/v1/threads/{thread}/comments", "post")


def test_api_redis_down_is_503_json(make_app, tmp_path):
    app = make_app(REDIS_URL=f"unix://{tmp_path}/none.sock", REDIS_SOCKET_TIMEOUT_SECONDS=0.5, SPOOL=False)
    client = app.test_client()
    response = client.get(f"/api/v1/threads/{THREAD}/comments")
    assert response.status_code == 503
    check(response, "/api/v1/threads/{thread}/comments", "get")
    response = submit_json(client)
    assert response.status_code == 503
    check(response, "/api/v1/threads/{thread}/comments", "post")


def test_api_bad_thread_key_is_404_json(client):
    response = client.get("/api/v1/threads/" + "x" * 201 + "/comments")
    assert response.status_code == 404
    check(response, "/api/v1/threads/{thread}/comments", "get")


def test_openapi_document_describes_every_api_route(app, client):
    served = client.get("/api/v1/openapi.json").get_json()
    assert served == document(app.config)
    jsonschema.Draft202012Validator.check_schema(
        served["paths"]["/api/v1/threads/{thread}/comments"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"])
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in served["paths"].items() for method in ops if method != "parameters"}
    assert routes == documented


def test_openapi_token_response_fits(client):
    response = client.get(f"/api/v1/threads/{THREAD}/token")
    check(response, "/api/v1/threads/{thread}/token", "get")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/nothing-here", 404),
    ("DELETE", f"/api/v1/threads/{THREAD}/comments", 405),
])
def test_api_unmatched_routes_answer_json(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]
