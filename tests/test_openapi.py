"""The OpenAPI document against the service: each constraint it states holds at its edges.

Each case is a value that the document allows or refuses (read with jsonschema_rs, which reads
patterns as ECMAScript does, as JSON Schema says) and the same value sent to the app: allowed must
be taken, refused must be answered 400 (404 for a key in a path). The limits come from the served
document, not from this file, so a change on either side that the other does not follow fails here.
"""

import ast
import itertools
import sys
import unicodedata
from pathlib import Path
from urllib.parse import quote

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.forms import PARENT_MAX
from moderation.openapi import REQUEST_LINE_MAX_BYTES
from moderation.text import shows
from moderation.threadkeys import THREAD_KEY

from .conftest import pending_count
from .test_api import approve_new, token_for

THREAD = "article-1"
COMMENTS = "/api/v1/threads/{thread}/comments"
VALID = {"comment": "تعليق Comment", "author": "نور Noor", "email": "reader@example.com"}


@pytest.fixture
def served(client):
    return client.get("/api/v1/openapi.json").get_json()


def field_schemas(served):
    body = served["paths"][COMMENTS]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return body["properties"]


def allows(schema, value):
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True).is_valid(value)


def thread_schema(served):
    [thread] = [p for p in served["paths"][COMMENTS]["parameters"] if p["name"] == "thread"]
    return thread["schema"]


SENT = itertools.count()


def post(client, thread=THREAD, **fields):
    # A new text each time: the same text twice from one commenter is a 409 (duplicate).
    data = {**VALID, "comment": f"{VALID['comment']} {next(SENT)}", **fields}
    data.setdefault("token", token_for(client, thread))
    return client.post(f"/api/v1/threads/{quote(thread, safe='')}/comments",
                       json={k: v for k, v in data.items() if v is not ...})


def test_openapi_document_is_valid_json_schema_throughout(served):
    """Every schema in it is a valid 2020-12 schema, and every pattern compiles as ECMAScript."""
    def walk(node):
        if isinstance(node, dict):
            if "schema" in node and isinstance(node["schema"], dict):
                assert jsonschema_rs.meta.is_valid(node["schema"]), node["schema"]
                jsonschema.Draft202012Validator.check_schema(node["schema"])
                jsonschema_rs.Draft202012Validator(node["schema"])  # compiles every pattern
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(served)


def test_openapi_thread_key_pattern_is_the_code_s_rule(served):
    """Every code point, alone and inside a key: the schema's pattern and reader.THREAD_KEY agree."""
    schema = {"type": "string", "pattern": thread_schema(served)["pattern"]}
    validator = jsonschema_rs.Draft202012Validator(schema)
    disagree = [hex(code) for code in range(sys.maxunicode + 1)
                if not 0xD800 <= code <= 0xDFFF
                and validator.is_valid(f"a{chr(code)}b") != bool(THREAD_KEY.fullmatch(f"a{chr(code)}b"))]
    assert disagree == []


@pytest.mark.parametrize(("key", "allowed"), [
    ("x" * 200, True), ("x" * 201, False), ("ب" * 200, True), ("ب" * 201, False),
    ("مقال-عن-الدفاع", True), ("می\u200cخواهم", True), ("...", True), ("%2F", True),
    (".", False), ("..", False), ("a\\b", False), ("a b", False), ("a\tb", False), ("a\x00b", False),
    ("a\x85b", False), ("a\u00a0b", False), ("a\u061cb", False), ("a\u200bb", False), ("a\u200fb", False),
    ("a\u202eb", False), ("a\u2066b", False), ("a\ufeffb", False), ("a\ufffdb", False), ("a\u3000b", False),
])
def test_openapi_thread_key_edges(served, client, key, allowed):
    assert allows(thread_schema(served), key) is allowed
    path = client.get(f"/api/v1/threads/{quote(key, safe='')}/comments")
    assert path.status_code == (200 if allowed else 404)
    counts = client.get("/api/v1/counts", query_string=[("thread", key)])
    assert counts.status_code == (200 if allowed else 400)


def test_openapi_thread_key_not_in_nfc_is_404_in_a_path_and_counted_as_nfc(served, client, store):
    decomposed, composed = "cafe\u0301", "caf\u00e9"
    approve_new(store, thread=composed, n=2)
    assert allows(thread_schema(served), decomposed)  # JSON Schema cannot state NFC; the text says it
    assert "NFC" in served["paths"][COMMENTS]["parameters"][0]["description"]
    assert client.get(f"/api/v1/threads/{quote(decomposed)}/comments").status_code == 404
    counts = client.get("/api/v1/counts", query_string=[("thread", decomposed), ("thread", composed)])
    assert counts.get_json() == {"counts": {decomposed: 2, composed: 2}}


def test_openapi_counts_limits(served, client):
    schema = next(p for p in served["paths"]["/api/v1/counts"]["get"]["parameters"] if p["name"] == "thread")["schema"]
    most = schema["maxItems"]
    for asked, allowed in ([["a"] * most, True], [["a"] * (most + 1), False], [[f"t{i}" for i in range(most)], True],
                           [[], False], [["a", ""], False]):
        assert allows(schema, asked) is allowed
        response = client.get("/api/v1/counts", query_string=[("thread", t) for t in asked])
        assert response.status_code == (200 if allowed else 400), asked[:3]


def shown_alone(served):
    return jsonschema_rs.Draft202012Validator(field_schemas(served)["comment"])


def test_openapi_what_shows_is_the_code_s_rule(served):
    """Every code point as a one-character comment: the schema takes it exactly when text.shows does."""
    validator = shown_alone(served)
    disagree = [hex(code) for code in range(sys.maxunicode + 1)
                if not 0xD800 <= code <= 0xDFFF and validator.is_valid(chr(code)) != shows(chr(code))]
    assert disagree == []


def edge_cases(served):
    """(field, value, allowed by the document) at each documented edge; limits read from the document."""
    fields = field_schemas(served)
    comment, author, url = (fields[name]["maxLength"] for name in ("comment", "author", "url"))
    email = fields["email"]["maxLength"]
    long_email = "a@" + ".".join(["b" * 63] * 3) + "." + "c" * (email - len("a@") - 63 * 3 - len("..") - len("."))
    return [
        ("comment", "ب" * comment, True), ("comment", "ب" * (comment + 1), False),
        ("comment", "  " + "x" * (comment - 2), True), ("comment", "x" * comment + " ", False),
        ("comment", "a\x00b\u202e", True), ("comment", "", False), ("comment", " \n\t ", False),
        ("comment", "\u200b\u200c\u3164\u2800", False), ("comment", "\x00\x07", False),
        ("comment", "\U000e0080", False),
        ("author", "ن" * author, True), ("author", "ن" * (author + 1), False), ("author", "\u200f ", False),
        ("email", long_email, True), ("email", long_email + "c", False), ("email", "أحمد@مثال.مصر", True),
        ("email", "nope", False), ("email", "a@example.test", False), ("email", "a@b.LOCALHOST", False),
        ("email", "a@exam\x00ple.com", False), ("email", "a\u202e@example.com", False),
        ("url", None, True), ("url", "", True), ("url", "  ", True), ("url", "example.com", True),
        ("url", "HTTPS://Example.com/مقال?x=1#y", True), ("url", "http://مثال.مصر:8080/", True),
        ("url", "https://e.com/" + "x" * (url - 14), True), ("url", "https://e.com/" + "x" * (url - 13), False),
        ("url", "e.com/" + "x" * (url - 6), True), ("url", " https://e.com/ ", True),
        ("url", "ftp://e.com", False), ("url", "javascript:alert(1)", False), ("url", "https://", False),
        ("url", "https://user@e.com", False), ("url", "http://[::1]/", False), ("url", "https://e.com/a b", False),
        ("url", "https://e\uff0fcom", False), ("url", "https://e\u200b.com", False),
        ("url", "https://e.com\x00", False),
        ("url", "https://e.com:", False), ("url", "e.com\\@evil.example", False), ("url", 5, False),
        ("parent", None, True), ("parent", 0, False), ("parent", -1, False), ("parent", PARENT_MAX + 1, False),
        ("parent", "1", False), ("parent", True, False), ("parent", 1.5, False),
        ("token", "", False), ("token", 7, False),
    ]


@pytest.fixture
def cases(app):
    with app.test_client() as client:
        return edge_cases(client.get("/api/v1/openapi.json").get_json())


def test_openapi_field_edges_hold_in_the_service(served, client, redis_client, cases):
    wrong = []
    for field, value, allowed in cases:
        assert allows(field_schemas(served)[field], value) is allowed, (field, value)
        response = post(client, **{field: value})
        expected = 202 if allowed else 400
        if response.status_code != expected or (not allowed and field not in response.get_json()["errors"]):
            wrong.append((field, value[:40] if isinstance(value, str) else value, response.status_code))
    assert wrong == []
    assert pending_count(redis_client) == sum(allowed for _, _, allowed in cases)


@pytest.mark.parametrize("parent", [1, PARENT_MAX, 2.0])
def test_openapi_parent_allowed_but_unpublished_is_409(served, client, parent):
    """The one field rule the data decides: documented as 409, never as a 400 the schema could have stated."""
    assert allows(field_schemas(served)["parent"], parent)
    response = post(client, parent=parent)
    assert response.status_code == 409
    assert response.get_json()["error"] == "unknown_parent"
    assert "409" in served["paths"][COMMENTS]["post"]["responses"]


@pytest.mark.parametrize("field", ["comment", "author", "email", "token"])
def test_openapi_required_fields(served, client, field):
    body = served["paths"][COMMENTS]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert field in body["required"]
    response = post(client, **{field: ...})
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


# Text a website field may hold: the characters its rule is about, and anything at all.
URLISH = st.lists(st.one_of(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "e.com", "مثال.مصر", "/", "?",
                                             "#", "@", ":", ":80", "[", "]", "\\", " ", "\t", "\x00", "\u200b",
                                             "\uff0f", "\u3000", "x", "%20", "www."]),
                            st.characters(exclude_categories=("Cs",))), max_size=8).map("".join)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(url=URLISH, email=st.one_of(st.just("reader@example.com"), URLISH.map(lambda x: f"a{x}@example.com")))
def test_openapi_website_and_email_rules_agree_on_random_text(client, url, email):
    fields = field_schemas(client.get("/api/v1/openapi.json").get_json())
    response = post(client, url=url, email=email)
    refused = set(response.get_json().get("errors", {})) if response.status_code == 400 else set()
    assert ("url" in refused) is not allows(fields["url"], url), ascii(url)
    assert ("email" in refused) is not allows(fields["email"], email), ascii(email)


def test_openapi_documented_headers_are_sent(served, client, store):
    approve_new(store)
    get = served["paths"][COMMENTS]["get"]["responses"]
    first = client.get(f"/api/v1/threads/{THREAD}/comments")
    again = client.get(f"/api/v1/threads/{THREAD}/comments", headers={"If-None-Match": first.headers["ETag"]})
    token = client.get(f"/api/v1/threads/{THREAD}/token")
    counts = client.get("/api/v1/counts?thread=a")
    missing = client.get("/api/v1/threads/" + "x" * 201 + "/comments")
    for response, documented in ((first, get["200"]), (again, get["304"]), (missing, get["404"]),
                                 (token, served["paths"]["/api/v1/threads/{thread}/token"]["get"]["responses"]["200"]),
                                 (counts, served["paths"]["/api/v1/counts"]["get"]["responses"]["200"])):
        for name, header in documented["headers"].items():
            assert name in response.headers, (response.request.path, name)
            assert allows(header["schema"], response.headers[name]), (name, response.headers[name])


def test_openapi_429_has_retry_after(make_app, redis_client):
    app = make_app(SUBMIT_RATE_LIMIT="1/minute")
    client = app.test_client()
    served = client.get("/api/v1/openapi.json").get_json()
    assert post(client).status_code == 202
    limited = post(client, comment="another")
    assert limited.status_code == 429
    documented = served["paths"][COMMENTS]["post"]["responses"]["429"]
    jsonschema.validate(limited.get_json(), documented["content"]["application/json"]["schema"])
    assert allows(documented["headers"]["Retry-After"]["schema"], limited.headers["Retry-After"])


def test_openapi_limits_follow_the_settings(make_app):
    served = make_app(COMMENT_MAX_LENGTH=300).test_client().get("/api/v1/openapi.json").get_json()
    assert field_schemas(served)["comment"]["maxLength"] == 300


def test_openapi_token_link_leads_to_the_comment_post(served, client):
    """The link schemathesis's stateful phase follows: a token and its site, into the same thread's POST."""
    [link] = served["paths"]["/api/v1/threads/{thread}/token"]["get"]["responses"]["200"]["links"].values()
    assert link["operationId"] == served["paths"][COMMENTS]["post"]["operationId"]
    given_token = client.get(f"/api/v1/threads/{THREAD}/token").get_json()
    assert link["requestBody"] == {"token": "$response.body#/token"}
    assert link["parameters"] == {"path.thread": "$request.path.thread", "query.site": "$response.body#/site"}
    response = client.post(f"/api/v1/threads/{THREAD}/comments?site={given_token['site']}",
                           json={**VALID, "token": given_token["token"]})
    assert response.status_code == 202


def test_openapi_nfc_text_is_not_longer_than_sent(client, redis_client):
    """A few characters become two in NFC (U+0958); the limit is on the text as sent, so they cannot push it over."""
    expanding = "\u0958" * 100
    assert len(unicodedata.normalize("NFC", expanding)) == 200
    assert post(client, author=expanding).status_code == 202


def test_openapi_request_line_limit_is_gunicorn_s():
    """The counts description names gunicorn's request-line limit; gunicorn.conf.py is what sets it."""
    config = ast.parse((Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text())
    [limit] = [node.value.value for node in config.body if isinstance(node, ast.Assign)
               and [getattr(t, "id", None) for t in node.targets] == ["limit_request_line"]]
    assert limit == REQUEST_LINE_MAX_BYTES
