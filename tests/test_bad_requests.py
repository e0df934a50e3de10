"""Requests nobody should send: wrong content types, broken encodings, huge bodies,
odd thread keys, injected newlines and methods a route does not take.

Each gets a clear 4xx (a page or JSON a person can read), never a 5xx, and
nothing odd is stored.
"""

import io
import json
import logging
import re
import unicodedata

import pytest

from moderation.forms import token_serializer

from .conftest import SECRET, form_token, log_in, logged_in

THREAD = "article-1"
LIMIT = 64 * 1024
FIELDS = {"comment": "نص التعليق", "author": "نور", "email": "reader@example.com"}


@pytest.fixture
def app(make_app):
    """The usual test app, with room for a slow fsync: on a loaded machine Redis can stall past the
    2-second default, and these tests are about input, not faults (a stall would spool the comment)."""
    return make_app(REDIS_SOCKET_TIMEOUT_SECONDS=30)


def stored(redis_client):
    return [redis_client.hgetall(k) for k in redis_client.scan_iter("cm:*:comment:*")]


def page_token(client, thread=THREAD):
    return form_token(client.get(f"/threads/{thread}"))


def api_token(client, thread=THREAD):
    return client.get(f"/api/v1/threads/{thread}/token").get_json()["token"]


def signed_token(thread):
    """A valid form token for ``thread``, signed as the app does, whatever its pages answer."""
    return token_serializer(SECRET).dumps({"t": thread, "n": f"nonce-{thread!r}"})


@pytest.fixture
def server_errors_as_pages(make_app):
    """An app that answers a crash with its 500 page instead of raising into the test."""
    return make_app(PROPAGATE_EXCEPTIONS=False, REDIS_SOCKET_TIMEOUT_SECONDS=30)


# Wrong content types

def form_cases(token):
    urlencoded = "&".join(f"{k}={v}" for k, v in {**FIELDS, "token": token}.items())
    return [
        ("text/plain", urlencoded.encode(), "text/plain"),
        ("no type", urlencoded.encode(), None),
        ("xml", b"<comment>x</comment>", "application/xml"),
        ("latin-1 form", "comment=caf\xe9&author=a&email=a@example.com".encode("latin-1"),
         "application/x-www-form-urlencoded; charset=latin-1"),
    ]


@pytest.mark.parametrize("case", range(4))
def test_form_wrong_content_type_is_400(client, redis_client, case):
    name, body, content_type = form_cases(page_token(client))[case]
    response = client.post(f"/threads/{THREAD}", data=body, content_type=content_type)
    assert response.status_code == 400, name
    assert response.mimetype == "text/html"
    assert stored(redis_client) == []


NOT_TEXT = [5, 1.5, True, {"a": 1}, ["x", "y"], None]


@pytest.mark.parametrize("route", ["/threads/{}", "/embed/{}"])
def test_form_refuses_json_bodies(server_errors_as_pages, redis_client, route):
    client = server_errors_as_pages.test_client()
    answers = {}
    for field in ("comment", "author", "email", "url", "parent", "token"):
        for value in ["text", *NOT_TEXT]:
            data = {**FIELDS, "token": page_token(client), field: value}
            answers[field, repr(value)] = client.post(route.format(THREAD), json=data).status_code
    wrong = {case: status for case, status in answers.items() if not 400 <= status < 500}
    assert not wrong, f"JSON to the HTML form: {wrong}"
    assert stored(redis_client) == []


@pytest.mark.parametrize("field", ["comment", "author", "email", "url", "parent"])
def test_form_field_sent_as_a_file_is_never_read(server_errors_as_pages, redis_client, field):
    """A file part named like a text field is not that field: a required one is missing (400), an optional
    one is left empty; its content is never stored."""
    client = server_errors_as_pages.test_client()
    data = {**FIELDS, "token": page_token(client), field: (io.BytesIO(b"https://file.example/5"), "field.txt")}
    response = client.post(f"/threads/{THREAD}", data=data, content_type="multipart/form-data")
    assert response.status_code == (400 if field in FIELDS else 303)
    for comment in stored(redis_client):
        assert (comment.get("url", ""), comment.get("parent", "")) == ("", "")
        assert not any("file.example" in value for value in comment.values())


def test_form_extra_file_is_ignored_and_never_stored(client, redis_client):
    data = {**FIELDS, "token": page_token(client),
            "attachment": (io.BytesIO(b"<script>alert(1)</script>FILE-CONTENT"), "evil.html", "text/html")}
    response = client.post(f"/threads/{THREAD}", data=data, content_type="multipart/form-data")
    assert response.status_code in {303, 400}
    for comment in stored(redis_client):
        assert comment["body"] == FIELDS["comment"]
        assert not any("FILE-CONTENT" in value or "evil.html" in value for value in comment.values())


@pytest.mark.parametrize(("body", "content_type"), [
    (b"comment=x&author=a&email=a%40example.com", "application/x-www-form-urlencoded"),
    (b'{"comment": "x"}', "text/plain"),
    (b'{"comment": "x"}', None),
    (b'--b\r\nContent-Disposition: form-data; name="comment"\r\n\r\nx\r\n--b--\r\n', "multipart/form-data; boundary=b"),
    (b"<comment>x</comment>", "application/xml"),
    (b'{"comment": "x"}', "application/javascript"),
])
def test_api_wrong_content_type_is_415_json(client, redis_client, body, content_type):
    response = client.post(f"/api/v1/threads/{THREAD}/comments", data=body, content_type=content_type)
    assert response.status_code == 415
    assert response.is_json
    assert response.get_json()["error"] == "unsupported_media_type"
    assert stored(redis_client) == []


def test_api_json_with_charset_is_accepted(client, redis_client):
    body = json.dumps({**FIELDS, "token": api_token(client)}).encode()
    response = client.post(f"/api/v1/threads/{THREAD}/comments", data=body,
                           content_type="application/json; charset=utf-8")
    assert response.status_code == 202
    assert [c["body"] for c in stored(redis_client)] == [FIELDS["comment"]]


@pytest.mark.parametrize("field", ["comment", "author", "url", "email", "token"])
def test_api_number_in_a_text_field_is_400(client, redis_client, field):
    """The OpenAPI document allows a number for ``parent`` only; the other fields are strings."""
    response = client.post(f"/api/v1/threads/{THREAD}/comments",
                           json={**FIELDS, "token": api_token(client), field: 12345})
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert stored(redis_client) == []


@pytest.mark.parametrize("body", [
    b"[" * 20_000 + b"]" * 20_000,
    b'{"comment": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_000 + b"}",
])
def test_api_deeply_nested_json_is_400(server_errors_as_pages, body):
    response = server_errors_as_pages.test_client().post(f"/api/v1/threads/{THREAD}/comments", data=body,
                                                         content_type="application/json")
    assert len(body) < LIMIT
    assert response.status_code == 400
    assert response.is_json


# Invalid UTF-8

BAD_BYTES = ["%FF", "%C0%AE", "%ED%A0%80", "%E2%82", "%F8%88%80%80%80"]
QUERY_PATHS = ["/threads/article-1", "/embed/article-1", "/api/v1/threads/article-1/comments", "/api/v1/counts",
               "/api/v1/threads/article-1/token", "/moderate/login", "/healthz", "/demo", "/embed.js"]


@pytest.mark.parametrize("path", QUERY_PATHS)
@pytest.mark.parametrize("bad", BAD_BYTES)
def test_invalid_utf8_in_query_string_is_400(client, path, bad):
    for query in (f"lang={bad}", f"thread=a{bad}b&next=/{bad}"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, query
        if path.startswith("/api/"):
            assert response.is_json


@pytest.mark.parametrize("path", QUERY_PATHS)
def test_raw_invalid_bytes_in_query_string_are_400(server_errors_as_pages, path):
    """Bytes that are not UTF-8 and not percent-encoded, as curl or a bot can send them."""
    client = server_errors_as_pages.test_client()
    response = client.get(path, environ_overrides={"QUERY_STRING": "lang=\xff\xfe"})  # as WSGI passes bytes
    assert response.status_code == 400


@pytest.mark.parametrize("bad", BAD_BYTES)
@pytest.mark.parametrize("field", ["comment", "author", "email", "url", "parent", "token", "unknown"])
def test_invalid_utf8_in_form_body_is_400(client, redis_client, bad, field):
    fields = {**FIELDS, "token": page_token(client)}
    fields[field] = fields.get(field, "") + bad
    body = "&".join(f"{k}={v}" for k, v in fields.items())
    response = client.post(f"/threads/{THREAD}", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert stored(redis_client) == []


@pytest.mark.parametrize("raw", [b"\xff", b"\xc0\xae", b"\xe2\x82", b"\xf8\x88\x80\x80\x80", b"\x80"])
def test_invalid_utf8_in_json_is_400(client, redis_client, raw):
    body = json.dumps({**FIELDS, "token": api_token(client)}, ensure_ascii=False).encode()
    body = body.replace("نور".encode(), raw)
    response = client.post(f"/api/v1/threads/{THREAD}/comments", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json
    assert stored(redis_client) == []


# Oversized bodies

def form_of_size(size, token):
    head = f"author=a&email=a%40example.com&token={token}&comment=".encode()
    return head + b"x" * (size - len(head))


def json_of_size(size, token):
    head = json.dumps({"author": "a", "email": "a@example.com", "token": token})[:-1].encode() + b', "comment": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def test_form_body_at_the_limit_is_read_just_over_is_413(client, redis_client):
    token = page_token(client)
    at_limit = client.post(f"/threads/{THREAD}", data=form_of_size(LIMIT, token),
                           content_type="application/x-www-form-urlencoded")
    assert at_limit.status_code == 400  # read, and refused for the comment's length
    assert "field-comment has-error" in at_limit.get_data(as_text=True)
    over = client.post(f"/threads/{THREAD}", data=form_of_size(LIMIT + 1, token),
                       content_type="application/x-www-form-urlencoded")
    assert over.status_code == 413
    page = over.get_data(as_text=True)
    assert over.mimetype == "text/html"
    assert '<html lang="ar" dir="rtl">' in page
    assert "كبير جدًا" in page
    assert "Traceback" not in page
    assert stored(redis_client) == []


def test_api_body_at_the_limit_is_read_just_over_is_413(client, redis_client):
    token = api_token(client)
    body = json_of_size(LIMIT, token)
    assert len(body) == LIMIT
    at_limit = client.post(f"/api/v1/threads/{THREAD}/comments", data=body, content_type="application/json")
    assert at_limit.status_code == 400
    assert "comment" in at_limit.get_json()["errors"]
    over = client.post(f"/api/v1/threads/{THREAD}/comments?lang=en", data=json_of_size(LIMIT + 1, token),
                       content_type="application/json")
    assert over.status_code == 413
    assert over.is_json
    assert over.get_json()["message"]
    assert stored(redis_client) == []


@pytest.mark.parametrize("path", ["/threads/article-1", "/embed/article-1", "/api/v1/threads/article-1/comments",
                                  "/moderate/login"])
def test_body_without_length_over_the_limit_is_413(client, redis_client, path):
    """A chunked body (no Content-Length) is cut at the limit by the server: still a 413, never half-read."""
    if path.startswith("/api/"):
        head = json.dumps({**FIELDS, "token": api_token(client)})[:-1] + ', "pad": "'
        body, content_type = head.encode() + b"x" * (LIMIT + 10) + b'"}', "application/json"
    else:
        head = "&".join(f"{k}={v}" for k, v in {**FIELDS, "token": page_token(client)}.items()) + "&pad="
        body, content_type = head.encode() + b"x" * (LIMIT + 10), "application/x-www-form-urlencoded"
    response = client.post(path, input_stream=io.BytesIO(body), content_type=content_type,
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert stored(redis_client) == []


def test_multipart_over_the_limit_is_413(client, redis_client):
    data = {**FIELDS, "token": page_token(client), "comment": (io.BytesIO(b"x" * (LIMIT + 1)), "big.txt")}
    response = client.post(f"/threads/{THREAD}", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert stored(redis_client) == []


# Path tricks in thread keys

BAD_KEYS = [
    "..", ".", "%2e%2e", "%2E%2E", "%2e", ".%2e", "a%2Fb", "..%2F..%2Fetc%2Fpasswd", "%2F", "a%5Cb", "%5C..%5C",
    "..%5C..%5Cwindows", "a%00b", "%00", "a%0D%0Ab", "a%09b", "a%20b", "%20", "a%7Fb", "a%C2%85b", "a%C2%9Fb",
    "x" * 201, "a" * 10_240, "%2e%2e%2f%2e%2e%2f",
]
THREAD_ROUTES = ["/threads/{}", "/embed/{}", "/api/v1/threads/{}/comments", "/api/v1/threads/{}/token"]


@pytest.mark.parametrize("route", THREAD_ROUTES)
@pytest.mark.parametrize("key", BAD_KEYS, ids=lambda k: k[:20] + (f"…{len(k)}" if len(k) > 20 else ""))
def test_bad_thread_key_is_404_and_nothing_stored(client, redis_client, route, key):
    path = route.format(key)
    response = client.get(path)
    assert response.status_code in {400, 404}, path[:80]
    if route.endswith("/comments") or route.startswith(("/threads", "/embed")):
        posted = client.post(path, data={**FIELDS, "token": signed_token(key)})
        assert 400 <= posted.status_code < 500
    assert stored(redis_client) == []


@pytest.mark.parametrize("key", ["a/b", "..", ".", "a\\b", "a\x00b", "x" * 201, "a b", "a\r\nb"])
def test_bad_thread_key_in_counts_is_400(client, key):
    response = client.get("/api/v1/counts", query_string={"thread": ["ok", key]})
    assert response.status_code == 400
    assert response.is_json


# Keys that pass the pattern but are not what the article's address says: invalid UTF-8 read as U+FFFD,
# another normalisation of the same word, invisible direction controls that disguise another key.
ODD_KEYS = [
    pytest.param("%FF", "\ufffd", id="invalid-utf8"),
    pytest.param("%C0%AE%C0%AE", "\ufffd\ufffd\ufffd\ufffd", id="overlong-dots"),
    pytest.param("%ED%A0%80", "\ufffd\ufffd\ufffd", id="surrogate-bytes"),
    pytest.param("cafe%CC%81", "cafe\u0301", id="not-nfc"),
    pytest.param("%E2%80%AEelcitra", "\u202eelcitra", id="rlo"),
    pytest.param("a%E2%81%A6b", "a\u2066b", id="lri"),
]


@pytest.mark.parametrize(("key", "thread"), ODD_KEYS)
def test_odd_thread_key_is_refused_or_normalised(client, redis_client, key, thread):
    for route in THREAD_ROUTES:
        status = client.get(route.format(key)).status_code
        assert 300 <= status < 500, f"{route.format(key)} answered {status}"
    for route in ("/threads/{}", "/embed/{}"):
        client.post(route.format(key), data={**FIELDS, "token": signed_token(thread)})
    client.post(f"/api/v1/threads/{key}/comments", json={**FIELDS, "token": signed_token(thread)})
    for comment in stored(redis_client):
        assert comment["thread"] != thread
        assert unicodedata.is_normalized("NFC", comment["thread"])
        assert not re.search(r"[\ufffd\u202a-\u202e\u2066-\u2069]", comment["thread"])


# Header and log injection

INJECTED = "\r\nX-Injected: 1\r\n\r\n<h1>INJECTED</h1>"


def assert_no_injection(response, caplog):
    assert response.status_code < 500
    assert "X-Injected" not in response.headers
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, f"{name}: {value!r}"
    for record in caplog.records:
        message = record.getMessage()
        if "X-Injected" in message or "INJECTED" in message:
            assert "\n" not in message and "\r" not in message, f"log line split: {message!r}"


@pytest.mark.parametrize("field", ["author", "url", "email", "comment", "parent"])
@pytest.mark.parametrize("channel", ["form", "api"])
def test_newlines_in_fields_inject_no_header_and_split_no_log(client, redis_client, caplog, field, channel):
    caplog.set_level(logging.DEBUG)
    fields = {**FIELDS, "url": "https://example.com/", field: "https://example.com/me" + INJECTED}
    if channel == "form":
        fields |= {"token": page_token(client), "remember": "y"}
        response = client.post(f"/threads/{THREAD}", data=fields)
    else:
        response = client.post(f"/api/v1/threads/{THREAD}/comments", json={**fields, "token": api_token(client)})
    assert_no_injection(response, caplog)
    for comment in stored(redis_client):
        for name in ("author", "email", "url", "parent", "thread"):
            assert "\r" not in comment.get(name, "") and "\n" not in comment.get(name, ""), name
        assert "\r" not in comment["body"]


@pytest.mark.parametrize("path", [
    "/threads/a%0D%0AX-Injected:%201",
    "/threads/article-1?lang=en%0D%0AX-Injected:%201",
    "/embed/article-1?lang=en%0D%0AX-Injected:%201&origin=https://news.example%0D%0AX-Injected:%201",
    "/api/v1/threads/article-1/comments?lang=en%0D%0AX-Injected:%201",
    "/api/v1/counts?thread=a%0D%0AX-Injected:%201",
    "/moderate/login?next=/moderate/%0D%0AX-Injected:%201",
    "/moderate/?thread=%0D%0AX-Injected:%201",
    "/moderate/login?next=%0D%0AX-Injected:%201",
])
def test_newlines_in_parameters_inject_no_header(client, caplog, path):
    caplog.set_level(logging.DEBUG)
    assert_no_injection(client.get(path), caplog)


def test_newlines_in_lang_do_not_reach_the_redirect(client, caplog):
    caplog.set_level(logging.DEBUG)
    token = page_token(client)
    response = client.post(f"/threads/{THREAD}?lang=en%0D%0AX-Injected:%201", data={**FIELDS, "token": token})
    assert response.status_code == 303
    assert_no_injection(response, caplog)


def test_newlines_in_next_after_login_do_not_reach_the_redirect(app, make_moderator, caplog):
    caplog.set_level(logging.DEBUG)
    make_moderator("mona")
    client = app.test_client()
    response = log_in(client, "mona", next_path="/moderate/log%0D%0AX-Injected:%201")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/"
    assert_no_injection(response, caplog)
    decision = client.post("/moderate/bulk", data={"csrf_token": logged_in(app, "mona").csrf, "action": "approve",
                                                   "next": "/moderate/" + INJECTED})
    assert decision.status_code in {303, 400}
    assert_no_injection(decision, caplog)


def test_newlines_in_login_name_split_no_log_line(app, make_moderator, caplog):
    caplog.set_level(logging.DEBUG)
    make_moderator("mona")
    response = log_in(app.test_client(), "mona" + INJECTED, "wrong password")
    assert response.status_code in {400, 401}
    assert_no_injection(response, caplog)
    assert not any("INJECTED" in r.getMessage() and "\n" in r.getMessage() for r in caplog.records)


def test_user_agent_with_newlines_injects_nothing(client, redis_client, caplog):
    caplog.set_level(logging.DEBUG)
    agent = "Mozilla/5.0" + INJECTED
    response = client.post(f"/threads/{THREAD}", data={**FIELDS, "token": page_token(client)},
                           environ_overrides={"HTTP_USER_AGENT": agent})
    assert_no_injection(response, caplog)


@pytest.mark.parametrize("channel", ["form", "api"])
def test_user_agent_control_characters_are_not_stored(client, redis_client, channel):
    agent = "Mozilla/5.0\x00\x1b[31m red\x1b[0m\r\n\x85\x9b6n" + "\u202e"
    environ = {"HTTP_USER_AGENT": agent}
    if channel == "form":
        response = client.post(f"/threads/{THREAD}", data={**FIELDS, "token": page_token(client)},
                               environ_overrides=environ)
    else:
        response = client.post(f"/api/v1/threads/{THREAD}/comments", json={**FIELDS, "token": api_token(client)},
                               environ_overrides=environ)
    assert response.status_code in {202, 303}
    [comment] = stored(redis_client)
    assert comment["user_agent"].startswith("Mozilla/5.0")
    assert not [ch for ch in comment["user_agent"] if unicodedata.category(ch) == "Cc"], comment["user_agent"]


# Methods a route does not take

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def concrete(rule):
    values = {"thread": THREAD, "comment_id": "1", "name": "mona", "filename": "style.css",
              "token": "not-a-signed-token", "endpoint_id": "0123456789abcdef"}

    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):  # the first of the words it takes
            return converter[4:].split(",")[0].strip(" )")
        return values[name]

    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", value, rule.rule)


@pytest.mark.parametrize("method", METHODS)
def test_method_not_allowed_is_405_with_allow(app, client, method):
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        path = concrete(rule)
        allowed = set(adapter.allowed_methods(path))
        if method in allowed:
            continue
        response = client.open(path, method=method)
        assert response.status_code == 405, f"{method} {path}: {response.status_code}"
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == allowed, path
        assert "Traceback" not in response.get_data(as_text=True)
        checked += 1
    assert checked


# Malformed paging parameters of the moderator console

def test_moderator_paging_parameters_never_5xx(make_app, make_moderator):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    make_moderator("mona")
    mona = logged_in(app, "mona")
    for path in ["/moderate/?cursor=abc", "/moderate/?cursor=1:x", "/moderate/?cursor=1e999:2",
                 "/moderate/?cursor=-1:-1", "/moderate/?cursor=" + "9" * 400, "/moderate/spam?cursor=abc",
                 "/moderate/spam?cursor=-inf:x", "/moderate/log?before=1-1", "/moderate/?email=%00",
                 "/moderate/?thread=" + "x" * 5000, "/moderate/log?moderator=" + "x" * 5000]:
        assert mona.get(path).status_code < 500, path


@pytest.mark.parametrize("path", ["/moderate/log?before=abc", "/moderate/log?before=99999999999999999999-0",
                                  "/moderate/updates?after=abc", "/moderate/updates?after=1-x",
                                  "/moderate/?cursor=nan:1"])
def test_moderator_malformed_stream_ids_are_400_not_500(make_app, make_moderator, path):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    make_moderator("mona")
    response = logged_in(app, "mona").get(path, headers={"Accept": "application/json"}
                                          if "updates" in path else {})
    assert 400 <= response.status_code < 500
