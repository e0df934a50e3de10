"""Property-based tests: random Unicode through the reader form and the JSON API.

Whatever a reader (or a script) sends, the service answers with one of its
documented statuses, never a 5xx; and a comment it accepts is stored exactly
as typed after the documented cleaning (``moderation.text``), with nothing
in it that a page or a one-line field should never hold.
"""

import json
import re
import unicodedata
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from moderation.text import BIDI_CONTROLS, clean_line, clean_multiline, is_blank

from .conftest import form_token

THREAD = "fuzz"
COMMENT_MAX = 5000
AUTHOR_MAX = 100
BODY_MAX = 64 * 1024
FORM_STATUSES = {303, 400, 409, 413, 429}
API_STATUSES = {202, 400, 409, 413, 415, 429}
ANCHOR = re.compile(r"#comment-(\d+)$")

FAST = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# The characters that break naive text handling, one or a few code points each.
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200e", "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f"]
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f",
            "\t", "\n", "\r", "\r\n", "\u2028", "\u2029"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d"]
ODD = ["\ufffe", "\uffff", "\U0010ffff", "\U000e0001", "\ufffd", "\u00a0", "\u3000", " ", "  ",
       "e\u0301", "\u0627\u0653", "\u0627\u0654", "\u0644\u0627", "\u0640", "\u064b", "<", ">", "&", '"', "'",
       "\U0001f600", "\U0001f1f8\U0001f1e6"]
ARABIC_WORDS = ["تعليق", "المعاهدة", "رأيي", "في", "الجيش", "صاروخ", "و", "ال", "٣٤٥", "؟", "،"]
ENGLISH_WORDS = ["missile", "treaty", "Cairo", "F-16", "ok", "LOL", "https://example.com/x", "a@b.c"]


def pieces(surrogates):
    return st.one_of(
        st.sampled_from(BIDI + ZERO_WIDTH + CONTROLS + ODD + (SURROGATES if surrogates else [])),
        st.sampled_from(ARABIC_WORDS + ENGLISH_WORDS),
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),  # Arabic
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF),  # Arabic presentation forms A
        st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF),  # Arabic presentation forms B
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        # Anything at all: unassigned code points, and surrogates when asked for.
        st.characters(exclude_categories=() if surrogates else ("Cs",)),
    )


def fuzz_text(min_size=0, max_size=40, surrogates=True):
    return st.lists(pieces(surrogates), min_size=min_size, max_size=max_size).map("".join)


def mostly(common, rare):
    """``common`` about three times in four (``one_of`` alone would favour the richer ``rare``)."""
    return st.sampled_from([False, False, False, True]).flatmap(lambda odd: rare if odd else common)


def repeated(sizes):
    """Long text: a random piece repeated to one of ``sizes`` characters."""
    return st.builds(lambda unit, n: (unit * (n // len(unit) + 1))[:n],
                     fuzz_text(min_size=1, max_size=6).filter(bool), st.sampled_from(sizes))


VALID_EMAILS = ["reader@example.com", "أحمد@مثال.مصر", "Mixed.Case@Example.COM", "user+tag@example.org",
                "نور@example.com"]
VALID_URLS = ["", "https://example.com/مقال?x=1", "example.com/me", "http://مثال.مصر/", "HTTPS://Example.com"]

comments = mostly(fuzz_text(max_size=60, surrogates=False),
                  st.one_of(fuzz_text(max_size=60), repeated([1, 4999, 5000, 5001, 6000, 30_000, 70_000])))
authors = mostly(fuzz_text(min_size=1, max_size=12, surrogates=False),
                 st.one_of(fuzz_text(max_size=20), repeated([99, 100, 101, 300])))
# (value, whether it is known to be valid once cleaned)
emails = mostly(
    st.sampled_from(VALID_EMAILS).map(lambda e: (e, True)),
    st.one_of(st.tuples(fuzz_text(max_size=2), st.sampled_from(VALID_EMAILS), fuzz_text(max_size=2))
              .map(lambda t: ("".join(t), False)),
              fuzz_text(max_size=20).map(lambda e: (e, False))),
)
urls = mostly(
    st.sampled_from(VALID_URLS).map(lambda u: (u, True)),
    st.one_of(st.tuples(st.sampled_from(VALID_URLS), fuzz_text(max_size=3)).map(lambda t: ("".join(t), False)),
              fuzz_text(max_size=20).map(lambda u: (u, False))),
)
parents = mostly(st.just(""), st.one_of(fuzz_text(max_size=4), st.sampled_from(["0", "1", "٣", "9" * 20])))


@pytest.fixture
def app(make_app):
    """The usual test app, with room for a slow fsync: on a loaded machine Redis can stall past the
    2-second default, and these tests are about input, not faults (a stall would spool the comment)."""
    return make_app(REDIS_SOCKET_TIMEOUT_SECONDS=30)


def has_surrogate(text):
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def expected_url(url):
    """What the form keeps of a website the reader typed (``forms.web_address``)."""
    url = clean_line(url)
    if url and not re.match("https?://", url, re.IGNORECASE):
        url = "https://" + url
    return url


def expected_email(email):
    return validate_email(clean_line(email), allow_smtputf8=True, strict=True,
                          check_deliverability=False).normalized


def comment_count(redis_client):
    return sum(1 for _ in redis_client.scan_iter("cm:{main}:comment:*", count=1000))


def assert_one_line_clean(name, value):
    for ch in value:
        category = unicodedata.category(ch)
        assert category not in {"Cc", "Cs"}, f"{name} holds {ch!r}"
        assert ch not in BIDI_CONTROLS, f"{name} holds the bidi control {ch!r}"


def assert_body_clean(value):
    for ch in value:
        assert ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs"}, f"body holds {ch!r}"
    assert "\r" not in value


def check_stored(redis_client, comment_id, sent):
    """The comment hash holds exactly what was sent, cleaned as documented."""
    stored = redis_client.hgetall(f"cm:{{main}}:comment:{comment_id}")
    assert stored, f"comment {comment_id} acknowledged but not in Redis"
    stored = {"url": "", "parent": ""} | stored  # an empty field is not stored
    assert stored["thread"] == THREAD
    assert stored["status"] in {"pending", "spam"}
    assert stored["body"] == clean_multiline(sent["comment"])
    assert stored["author"] == clean_line(sent["author"])
    assert stored["email"] == expected_email(sent["email"])
    assert stored["url"] == expected_url(sent.get("url", ""))
    if stored["url"]:
        assert urlsplit(stored["url"]).scheme.lower() in {"http", "https"}
    assert stored["parent"] == ""  # nothing is published in this thread, so no reply can be accepted
    assert_body_clean(stored["body"])
    for name in ("author", "email", "url", "parent", "thread"):
        assert_one_line_clean(name, stored[name])
    assert 0 < len(stored["body"]) <= COMMENT_MAX
    assert 0 < len(stored["author"]) <= AUTHOR_MAX


def check_refusal_expected(sent, status, body_size, surrogates_refused):
    """Statuses the input forces, whatever else is true of it."""
    if body_size > BODY_MAX:
        assert status == 413, f"a {body_size}-byte body answered {status}"
        return True
    if surrogates_refused and any(has_surrogate(v) for v in sent.values()):
        assert status == 400, f"a lone surrogate sent as raw bytes answered {status}"
        return True
    body, author = clean_multiline(sent["comment"]), clean_line(sent["author"])
    if is_blank(body) or len(body) > COMMENT_MAX or is_blank(author) or len(author) > AUTHOR_MAX:
        assert status == 400, f"comment of {len(body)} or name of {len(author)} characters answered {status}"
        return True
    return False


def form_body(fields):
    """URL-encode the fields byte for byte: lone surrogates go out as the raw (invalid) bytes."""
    return "&".join(f"{name}={quote_from_bytes(value.encode('utf-8', 'surrogatepass'), safe='')}"
                    for name, value in fields.items()).encode("ascii")


def submission(comment, author, email, url, parent):
    """The fields sent, and whether all but the comment and the name are known to be valid."""
    (email, email_valid), (url, url_valid) = email, url
    sent = {"comment": comment, "author": author, "email": email, "url": url, "parent": parent}
    return sent, email_valid and url_valid and not clean_line(parent)


submissions = st.builds(submission, comments, authors, emails, urls, parents)


def valid(**fields):
    sent = {"comment": "تعليق", "author": "نور", "email": "reader@example.com", "url": "", "parent": ""}
    sent.update(fields)
    return sent, True


@FAST
@given(submitted=submissions)
@example(submitted=valid(comment="a\x00b\u202e\u200bc\r\nd\ud800", author="Na\u202eme\x1b"))
@example(submitted=valid(comment="ﻻ ﷲ ﷺ ﹰ", author="ﻋﻠﻲ", email="أحمد@مثال.مصر", url="example.com/me"))
@example(submitted=valid(comment="\x00\u200b\r\n\u0661\u0662 mixed عربي English \u202eevil"))
@example(submitted=valid(comment="x" * 5001))
@example(submitted=valid(comment="ب" * 40_000))
def test_fuzz_form_never_5xx_and_stores_what_was_accepted(client, redis_client, submitted):
    sent, known_valid = submitted
    token = form_token(client.get(f"/threads/{THREAD}"))
    body = form_body({**sent, "token": token})
    before = comment_count(redis_client)
    response = client.post(f"/threads/{THREAD}", data=body, content_type="application/x-www-form-urlencoded")
    status = response.status_code
    event(f"form answered {status}")
    for name in re.findall(r"field-(\w+) has-error", response.get_data(as_text=True)):
        event(f"form refused the {name}")
    assert status in FORM_STATUSES, f"undocumented status {status}"
    forced = check_refusal_expected(sent, status, len(body), surrogates_refused=True)
    if not forced and known_valid:
        assert status in {303, 409}, f"a valid comment was refused with {status}"
    if status == 303:
        match = ANCHOR.search(response.headers["Location"])
        assert match, response.headers["Location"]
        assert comment_count(redis_client) == before + 1
        check_stored(redis_client, match.group(1), sent)
    else:
        assert comment_count(redis_client) == before, f"a {status} answer stored a comment"


def api_body(sent, mode):
    if mode == "ascii":  # lone surrogates as \ud800 escapes
        return json.dumps(sent, ensure_ascii=True).encode("ascii")
    # Raw UTF-8; lone surrogates (if any) as their invalid three-byte sequences.
    return json.dumps(sent, ensure_ascii=False).encode("utf-8", "surrogatepass")


@FAST
@given(submitted=submissions, mode=st.sampled_from(["ascii", "raw"]))
@example(submitted=valid(comment="\ud800 lone \udfff", author="\udc00نور"), mode="ascii")
@example(submitted=valid(comment="بسم \u202e RTL \u2066x\u2069", author="a\u200bb", email="نور@example.com",
                         url="https://example.com/مقال?x=1"), mode="raw")
@example(submitted=valid(comment="ﷺ" * 5000), mode="raw")
def test_fuzz_api_never_5xx_and_stores_what_was_accepted(client, redis_client, submitted, mode):
    sent, known_valid = submitted
    # The API's parent is a number, or absent: an empty form field is not sent at all.
    sent = {name: value for name, value in sent.items() if name != "parent" or clean_line(value)}
    token = client.get(f"/api/v1/threads/{THREAD}/token").get_json()["token"]
    body = api_body({**sent, "token": token}, mode)
    before = comment_count(redis_client)
    response = client.post(f"/api/v1/threads/{THREAD}/comments", data=body, content_type="application/json")
    status = response.status_code
    event(f"API answered {status}")
    for name in (response.get_json() or {}).get("errors", {}):
        event(f"API refused the {name}")
    assert status in API_STATUSES, f"undocumented status {status}"
    assert response.is_json
    forced = check_refusal_expected(sent, status, len(body), surrogates_refused=False)
    if not forced and (len(sent["comment"]) > COMMENT_MAX or len(sent["author"]) > AUTHOR_MAX):
        assert status == 400, "the API's limits are on the text as sent (its schema's maxLength)"
        forced = True
    if not forced and known_valid:
        assert status in {202, 409}, f"a valid comment was refused with {status}: {response.get_json()} {sent!a}"
    if status == 202:
        assert response.get_json()["status"] == "pending", "spooled: Redis did not answer in time"
        assert comment_count(redis_client) == before + 1
        check_stored(redis_client, response.get_json()["id"], sent)
    else:
        assert comment_count(redis_client) == before, f"a {status} answer stored a comment"


@pytest.mark.parametrize("url", ["[", "https://[::1", "http://]x/", "example.com]/page", "https://[bad]/"])
def test_fuzz_website_with_a_lone_bracket_is_400_not_500(make_app, redis_client, url):
    """Found by the fuzzer: urlsplit raises ValueError on an unbalanced [ or ] in the host."""
    client = make_app(PROPAGATE_EXCEPTIONS=False, REDIS_SOCKET_TIMEOUT_SECONDS=30).test_client()
    fields = {"comment": "تعليق", "author": "نور", "email": "reader@example.com", "url": url}
    token = form_token(client.get(f"/threads/{THREAD}"))
    form = client.post(f"/threads/{THREAD}", data={**fields, "token": token})
    token = client.get(f"/api/v1/threads/{THREAD}/token").get_json()["token"]
    api = client.post(f"/api/v1/threads/{THREAD}/comments", json={**fields, "token": token})
    assert (form.status_code, api.status_code) == (400, 400)
    assert comment_count(redis_client) == 0


# JSON values that are not text; a number is documented (OpenAPI) only for ``parent``.
not_text = st.one_of(st.booleans(), st.lists(st.integers(), max_size=2), st.floats(allow_nan=False),
                     st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))


@settings(FAST, max_examples=60)
@given(field=st.sampled_from(["comment", "author", "email", "url", "parent", "token"]),
       value=st.one_of(not_text, st.none()))
def test_fuzz_api_non_text_values_are_400(client, redis_client, field, value):
    sent = {"comment": "نص", "author": "نور", "email": "reader@example.com",
            "token": client.get(f"/api/v1/threads/{THREAD}/token").get_json()["token"]}
    sent[field] = value
    before = comment_count(redis_client)
    response = client.post(f"/api/v1/threads/{THREAD}/comments", json=sent)
    if value is None and field in {"url", "parent"}:  # null: not given, and these are optional
        assert response.status_code in {202, 409}
    elif field == "parent" and isinstance(value, float) and value.is_integer() and value >= 1:
        assert response.status_code == 409  # a whole number (JSON Schema's integer), of no published comment
    else:
        assert response.status_code == 400
        assert field in response.get_json()["errors"]
        assert comment_count(redis_client) == before


@settings(FAST, max_examples=40)
@given(comment=fuzz_text(min_size=1, max_size=30), author=fuzz_text(min_size=1, max_size=10))
@example(comment="e\x00\u0301", author="a")
@example(comment="x", author="e\u202e\u0301")
@example(comment="\u0627\u200e\u0653", author="a")
def test_fuzz_stored_text_is_nfc(client, redis_client, comment, author):
    token = client.get(f"/api/v1/threads/{THREAD}/token").get_json()["token"]
    response = client.post(f"/api/v1/threads/{THREAD}/comments",
                           json={"comment": comment, "author": author, "email": "reader@example.com",
                                 "token": token})
    if response.status_code == 202:
        stored = redis_client.hgetall(f"cm:{{main}}:comment:{response.get_json()['id']}")
        assert unicodedata.is_normalized("NFC", stored["body"]), ascii(stored["body"])
        assert unicodedata.is_normalized("NFC", stored["author"]), ascii(stored["author"])


thread_keys = st.one_of(fuzz_text(min_size=1, max_size=12), repeated([199, 200, 201, 10_240]),
                        st.sampled_from([".", "..", "...", "a/b", "a\\b", "%2e%2e", "~", "-", "\u202e"]))


@settings(FAST, max_examples=50)
@given(key=thread_keys)
def test_fuzz_thread_keys_never_5xx(client, key):
    if has_surrogate(key):
        path_key = quote_from_bytes(key.encode("utf-8", "surrogatepass"), safe="")
    else:
        path_key = quote(key, safe="")
    for path in (f"/threads/{path_key}", f"/embed/{path_key}", f"/api/v1/threads/{path_key}/comments",
                 f"/api/v1/threads/{path_key}/token"):
        status = client.get(path).status_code
        event(f"{path.split('/')[1]} answered {status}")
        assert status in {200, 400, 404}, f"{path[:80]} answered {status}"
