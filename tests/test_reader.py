"""The reader's thread page and comment form, against a real Redis."""

import re

import pytest

from moderation.models import Decision, NewComment, Status

from .conftest import form_token, pending_count, pending_ids

ARABIC_EMAIL = "أحمد@مثال.مصر"


def text(response):
    return response.get_data(as_text=True)


def queued(redis_client):
    """Every comment hash in Redis."""
    return [redis_client.hgetall(k) for k in sorted(redis_client.scan_iter("cm:*:comment:*"))]


def approve_new(store, thread="article-1", now_ms=1_700_000_000_000, **fields):
    values = {"author": "Reader", "email": "someone@example.com", "body": "hello"}
    values.update(fields)
    comment_id = store.submit(NewComment(thread=thread, **values), nonce=f"n{now_ms}", now_ms=now_ms).id
    store.decide(comment_id, Decision.APPROVE, "mod", now_ms + 1)
    return comment_id


def test_thread_form_has_wordpress_field_names(client):
    page = text(client.get("/threads/article-1"))
    for name in ("comment", "author", "email", "url", "remember", "parent", "token"):
        assert f'name="{name}"' in page
    assert page.count('class="required"') == 3  # comment, author, email


def test_thread_page_is_arabic_rtl_by_default(client):
    page = text(client.get("/threads/article-1"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "اترك تعليقاً" in page
    assert "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *" in page


@pytest.mark.parametrize(("query", "headers", "lang", "direction"), [
    ("?lang=en", {}, "en", "ltr"),
    ("", {"Accept-Language": "en-US,en;q=0.9"}, "en", "ltr"),
    ("?lang=ar", {"Accept-Language": "en"}, "ar", "rtl"),
    ("?lang=xx", {}, "ar", "rtl"),
])
def test_thread_page_language_and_direction(client, query, headers, lang, direction):
    page = text(client.get(f"/threads/article-1{query}", headers=headers))
    assert f'<html lang="{lang}" dir="{direction}">' in page


def test_each_request_is_translated_into_its_own_language(client):
    # The catalog is looked up once per request (i18n.catalog), and never kept beyond it.
    for lang, heading, message in (("ar", "اترك تعليقاً", "يُرجى كتابة تعليقك."),
                                   ("en", "Leave a comment", "Please write your comment."),
                                   ("ar", "اترك تعليقاً", "يُرجى كتابة تعليقك.")):
        response = client.post(f"/threads/article-1?lang={lang}", data={"author": "x"})
        assert response.status_code == 400
        page = text(response)
        assert heading in page and message in page  # a template string, and a form's lazy one


def test_thread_page_default_locale_setting(make_app):
    page = text(make_app(DEFAULT_LOCALE="en").test_client().get("/threads/article-1"))
    assert '<html lang="en" dir="ltr">' in page
    assert "Leave a comment" in page


def test_valid_comment_is_queued_once_with_every_field(post_comment, redis_client):
    response = post_comment(
        comment="  رأيي في   المعاهدة\r\nسطر ثانٍ  ", author="نور الدين", email="Reader@Example.COM",
        url="https://example.com/about",
    )
    assert response.status_code == 303
    [comment] = queued(redis_client)
    assert comment["body"] == "رأيي في   المعاهدة\nسطر ثانٍ"
    assert comment["author"] == "نور الدين"
    assert comment["email"] == "Reader@example.com"  # domain lower-cased by email-validator
    assert comment["url"] == "https://example.com/about"
    assert comment["thread"] == "article-1"
    assert comment["status"] == "pending"
    assert "parent" not in comment  # an empty field is not stored
    assert comment["ip"] == "127.0.0.1"
    assert comment["user_agent"].startswith("Werkzeug")
    assert int(comment["created_at"]) > 1_700_000_000_000
    cid = comment["id"]
    assert redis_client.getbit("cm:{main}:pending-ids", int(cid)) == 1
    assert redis_client.zscore("cm:{main}:thread:article-1:pending", cid) is not None
    [(_, event)] = redis_client.xrange("cm:{main}:events")
    assert event == {"type": "submitted", "id": cid, "thread": "article-1"}


def test_same_token_twice_queues_one_comment(client, post_comment, redis_client):
    token = form_token(client.get("/threads/article-1"))
    first = post_comment(token=token)
    second = post_comment(token=token)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"].split("#")[1] == second.headers["Location"].split("#")[1]
    assert len(queued(redis_client)) == 1
    assert pending_count(redis_client) == 1


def test_each_view_of_a_page_has_a_token_of_its_own(client, post_comment, redis_client, store):
    """The page is rendered once per version of the thread; each view still gets its own token."""
    tokens = [form_token(client.get("/threads/article-1")) for _ in range(3)]
    assert len(set(tokens)) == 3
    for n, token in enumerate(tokens):
        assert post_comment(token=token, comment=f"comment {n}", email=f"r{n}@example.com").status_code == 303
    assert pending_count(redis_client) == 3
    [first, *_] = pending_ids(redis_client)
    assert "comment 0" not in text(client.get("/threads/article-1"))
    store.decide(first, Decision.APPROVE, "mona", now_ms=2_000_000_000_000)
    page = client.get("/threads/article-1")
    assert "comment 0" in text(page)  # a new version: rendered again
    assert form_token(page) not in tokens


def test_redirect_shows_own_pending_comment_to_its_author_only(client, post_comment, app):
    response = post_comment(comment="رأي خاص جدا <b>بالمعاهدة</b>")
    location = response.headers["Location"]
    assert location.startswith("/threads/article-1?")
    own = text(client.get(location))
    assert "تعليقك بانتظار المراجعة." in own
    assert "رأي خاص جدا &lt;b&gt;بالمعاهدة&lt;/b&gt;" in own
    other = text(app.test_client().get("/threads/article-1"))
    assert "رأي خاص جدا" not in other
    assert "بانتظار المراجعة" not in other


def test_pending_link_for_another_thread_shows_nothing(client, post_comment):
    location = post_comment().headers["Location"]
    forged = location.replace("/threads/article-1", "/threads/article-2")
    assert "تعليق تجريبي" not in text(client.get(forged))
    altered = re.sub(r"mine=[^&#]+", "mine=abc.def", location)
    assert "تعليق تجريبي" not in text(client.get(altered))


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"comment": "   "}, "comment", "يُرجى كتابة تعليقك."),
    # Nothing visible: zero-width characters, the blank braille pattern, a Hangul filler.
    ({"comment": "\u200b\u200c \u2800\u3164"}, "comment", "يُرجى كتابة تعليقك."),
    ({"author": "\u200d\ufeff\u2060"}, "author", "يُرجى إدخال اسمك."),
    ({"comment": "x" * 5001}, "comment", "لا يمكن أن يتجاوز تعليقك 5000 حرفًا."),
    ({"author": ""}, "author", "يُرجى إدخال اسمك."),
    ({"author": "ن" * 101}, "author", "لا يمكن أن يتجاوز اسمك 100 حرفًا."),
    ({"email": ""}, "email", "يُرجى إدخال بريدك الإلكتروني."),
    ({"email": "not-an-address"}, "email", "أدخل عنوان بريد إلكتروني صحيحًا"),
    ({"email": "a" * 65 + "@example.com"}, "email", "أدخل عنوان بريد إلكتروني صحيحًا"),
    ({"url": "javascript:alert(1)"}, "url", "أدخل عنوان موقع يبدأ بـ http:// أو https://."),
    ({"url": "ftp://example.com/"}, "url", "أدخل عنوان موقع يبدأ بـ http:// أو https://."),
    ({"url": "https://example.com/" + "a" * 200}, "url", "لا يمكن أن يتجاوز عنوان الموقع 200 حرفًا."),
    ({"parent": "abc"}, "parent", "التعليق الذي ترد عليه غير موجود."),
])
def test_invalid_field_gives_400_with_message_and_text_kept(post_comment, redis_client, fields, field, message):
    typed = {"comment": "نص طويل كتبه القارئ", "author": "سارة", "email": "sara@example.com",
             "url": "https://sara.example"}
    typed.update(fields)
    response = post_comment(**typed)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    error_block = re.search(rf'field-{field} has-error.*?</p>', page, re.S) if field != "parent" else True
    assert error_block, f"no error next to {field}"
    for name, value in typed.items():
        if name not in fields and name != "comment":
            assert f'value="{value}"' in page
    if "comment" not in fields:
        assert "نص طويل كتبه القارئ" in page
    assert queued(redis_client) == []


def test_zero_width_joiners_inside_words_are_kept(post_comment, redis_client):
    # Persian and Arabic write ZWNJ inside words: only a field of nothing else is empty.
    assert post_comment(author="می\u200cخواهم", comment="نمی\u200cدانم").status_code == 303


def test_comment_length_is_a_setting(make_app):
    client = make_app(COMMENT_MAX_LENGTH=10).test_client()
    token = form_token(client.get("/threads/t"))
    response = client.post("/threads/t", data={
        "comment": "x" * 11, "author": "a", "email": "a@example.com", "token": token})
    assert response.status_code == 400
    assert "10" in text(response)


def test_internationalised_email_is_accepted_and_normalised(post_comment, redis_client):
    assert post_comment(email=ARABIC_EMAIL).status_code == 303
    [comment] = queued(redis_client)
    assert comment["email"] == ARABIC_EMAIL


def test_website_without_scheme_gets_https(post_comment, redis_client):
    assert post_comment(url="example.com/me").status_code == 303
    assert queued(redis_client)[0]["url"] == "https://example.com/me"


def test_control_characters_dropped_and_text_normalised(post_comment, redis_client):
    decomposed = "e\u0301"  # NFC: é
    post_comment(comment=f"a\x00b\x07c {decomposed}\tend", author="Na\u202eme\x1b")
    [comment] = queued(redis_client)
    assert comment["body"] == "abc \u00e9\tend"
    assert comment["author"] == "Name"


@pytest.mark.parametrize("token", [
    "",
    "garbage",
    "eyJ0IjoiYXJ0aWNsZS0xIiwibiI6IngifQ.forged.signature",
])
def test_bad_token_gives_400_text_kept_and_fresh_token(post_comment, redis_client, token):
    response = post_comment(token=token, comment="نص لا يضيع")
    assert response.status_code == 400
    page = text(response)
    assert "نص لا يضيع" in page
    assert "يُرجى إرساله مرة أخرى" in page
    fresh = form_token(page)
    assert fresh != token
    assert post_comment(token=fresh, comment="نص لا يضيع").status_code == 303
    assert len(queued(redis_client)) == 1


def test_token_of_another_thread_is_refused(client, post_comment):
    token = form_token(client.get("/threads/other"))
    response = post_comment(thread="article-1", token=token)
    assert response.status_code == 400
    assert "هذا النموذج يخص صفحة أخرى" in text(response)


def test_expired_token_is_refused(make_app):
    app = make_app(FORM_TOKEN_MAX_AGE_SECONDS=-1)
    client = app.test_client()
    token = form_token(client.get("/threads/t"))
    response = client.post("/threads/t", data={"comment": "x", "author": "a", "email": "a@example.com",
                                               "token": token})
    assert response.status_code == 400
    assert "بقي هذا النموذج مفتوحًا مدة طويلة" in text(response)


def test_valid_token_is_kept_when_another_field_fails(client, post_comment, redis_client):
    token = form_token(client.get("/threads/article-1"))
    response = post_comment(token=token, email="bad")
    assert form_token(response) == token
    post_comment(token=token)
    post_comment(token=token)
    assert len(queued(redis_client)) == 1


def test_approved_comments_listed_oldest_first_with_replies_nested(client, store):
    first = approve_new(store, now_ms=1_700_000_000_000, body="أول تعليق", author="Alpha")
    second = approve_new(store, now_ms=1_700_000_100_000, body="second comment", author="Beta")
    reply = approve_new(store, now_ms=1_700_000_200_000, body="a reply to the first", parent=first)
    page = text(client.get("/threads/article-1?lang=en"))
    assert page.index("أول تعليق") < page.index("a reply to the first") < page.index("second comment")
    replies = re.search(rf'id="comment-{first}">.*?<ol class="replies">(.*?)</ol>', page, re.S).group(1)
    assert f'id="comment-{reply}"' in replies
    assert f'id="comment-{second}"' not in replies
    assert "3 comments" in page


@pytest.mark.parametrize(("count", "words"), [
    (0, "لا توجد تعليقات"), (1, "تعليق واحد"), (2, "تعليقان"), (3, "3 تعليقات"),
    (11, "11 تعليقًا"), (100, "100 تعليق"),
])
def test_comment_count_uses_arabic_plural_forms(app, count, words):
    with app.test_request_context("/?lang=ar"):
        from flask_babel import ngettext
        assert ngettext("%(num)d comment", "%(num)d comments", count) == words


def test_author_isolated_linked_and_body_paragraphs(client, store):
    approve_new(store, author="Ali علي", url="https://ali.example/", body="line one\nline two\n\nsecond paragraph")
    page = text(client.get("/threads/article-1"))
    assert ('<a href="https://ali.example/" rel="nofollow ugc noopener" target="_blank"><bdi>Ali علي</bdi></a>'
            in page)
    assert "<p>line one<br>line two</p><p>second paragraph</p>" in page
    assert re.search(r'<time datetime="2023-11-14T22:13:20\.001?000?\+00:00">', page) or "2023" in page


def test_dates_are_localised(client, store):
    approve_new(store, now_ms=1_700_000_000_000)
    assert "نوفمبر" in text(client.get("/threads/article-1?lang=ar"))
    assert "Nov" in text(client.get("/threads/article-1?lang=en"))


XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def test_xss_payload_is_escaped_everywhere(client, post_comment, store):
    location = post_comment(comment=XSS, author=XSS).headers["Location"]
    approve_new(store, body=XSS, author=XSS, url='https://x.example/"onmouseover="alert(3)')
    for page in (text(client.get(location)), text(client.get("/threads/article-1"))):
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert '"onmouseover="' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_email_and_ip_never_on_public_page(client, post_comment, store):
    location = post_comment(email="secret.reader@example.com").headers["Location"]
    approve_new(store, email="approved.reader@example.com", ip="203.0.113.9")
    for page in (text(client.get(location)), text(client.get("/threads/article-1")),
                 text(client.get("/threads/article-1?lang=en"))):
        assert "secret.reader" not in page
        assert "approved.reader" not in page
        assert "203.0.113.9" not in page
        assert "127.0.0.1" not in page


def test_reply_to_unpublished_or_other_thread_comment_is_refused(post_comment, store, redis_client):
    pending_id = store.submit(NewComment(thread="article-1", author="a", email="a@example.com", body="b"),
                                 nonce="p", now_ms=1).id
    elsewhere = approve_new(store, thread="article-2")
    for parent in (pending_id, elsewhere, 999):
        response = post_comment(parent=str(parent), comment="رد")
        assert response.status_code == 400
        assert "يمكنك الرد فقط على تعليق منشور في هذه المقالة." in text(response)
        assert "رد" in text(response)
    assert pending_count(redis_client) == 1


def test_reply_to_approved_comment_is_queued_with_parent(post_comment, store, redis_client):
    parent = approve_new(store)
    assert post_comment(parent=str(parent)).status_code == 303
    [new] = [c for c in queued(redis_client) if c["status"] == Status.PENDING]
    assert new["parent"] == str(parent)


def test_remember_keeps_and_prefills_details_then_forgets(client, post_comment):
    response = post_comment(remember="y", author="سارة", email="sara@example.com", url="https://sara.example")
    cookie = response.headers["Set-Cookie"]
    assert "comment_author=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    page = text(client.get("/threads/article-1"))
    assert 'value="سارة"' in page
    assert 'value="sara@example.com"' in page
    assert 'value="https://sara.example"' in page
    response = post_comment(author="سارة", email="sara@example.com", comment="تعليق آخر")
    assert "comment_author=;" in response.headers["Set-Cookie"]
    page = text(client.get("/threads/article-1"))
    assert "sara@example.com" not in page


def test_remember_cookie_is_secure_under_https(client, post_comment):
    token = form_token(client.get("/threads/t", base_url="https://comments.example"))
    response = client.post("/threads/t", base_url="https://comments.example", data={
        "comment": "x", "author": "a", "email": "a@example.com", "token": token, "remember": "y"})
    assert "Secure" in response.headers["Set-Cookie"]


def test_redis_down_gives_503_with_text_kept(make_app, tmp_path):
    app = make_app(REDIS_URL=f"unix://{tmp_path}/nothing-here.sock", REDIS_SOCKET_TIMEOUT_SECONDS=0.5, SPOOL=False)
    client = app.test_client()
    page = client.get("/threads/article-1")
    assert page.status_code == 503
    token = form_token(page)
    response = client.post("/threads/article-1", data={
        "comment": "كلماتي الثمينة", "author": "نور", "email": "n@example.com", "token": token})
    assert response.status_code == 503
    body = text(response)
    assert "كلماتي الثمينة" in body
    assert "التعليقات غير متاحة للحظات" in body
    assert form_token(body) == token  # sending it again later still queues it once


def test_oversized_body_gives_413_page(client):
    response = client.post("/threads/article-1", data={"comment": "x" * 70_000})
    assert response.status_code == 413
    assert '<html lang="ar" dir="rtl">' in text(response)
    assert "كبير جدًا" in text(response)


@pytest.mark.parametrize(("body", "content_type"), [
    (b"comment=%ff%fe&author=a", "application/x-www-form-urlencoded"),
    (b"comment=\xff\xfe&author=a", "application/x-www-form-urlencoded"),
    (b'--b\r\nContent-Disposition: form-data; name="comment"\r\n\r\n\xff\r\n--b--\r\n',
     "multipart/form-data; boundary=b"),
])
def test_bad_encoding_gives_400(client, redis_client, body, content_type):
    response = client.post("/threads/article-1", data=body, content_type=content_type)
    assert response.status_code == 400
    assert queued(redis_client) == []


def test_malformed_body_gives_400_not_500(client):
    response = client.post("/threads/article-1", data=b"{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("path", [
    "/threads/" + "a" * 201,
    "/threads/a%20b",
    "/threads/..",
    "/threads/a%00b",
    "/threads/a%2Fb",
])
def test_bad_thread_keys_are_404(client, path):
    assert client.get(path).status_code == 404


def test_arabic_thread_key_works(post_comment, client, redis_client):
    slug = "لقاء-أمريكي-روسي-في-القاهرة"
    page = client.get("/threads/" + "%D9%84%D9%82%D8%A7%D8%A1-" + slug.split("-", 1)[1])
    assert page.status_code == 200
    assert post_comment(thread=slug).status_code == 303
    assert queued(redis_client)[0]["thread"] == slug


@pytest.mark.parametrize(("method", "path", "code"), [
    ("GET", "/nowhere", 404),
    ("DELETE", "/threads/article-1", 405),
])
def test_error_pages_are_localised(client, method, path, code):
    response = client.open(path, method=method, headers={"Accept-Language": "en"})
    assert response.status_code == code
    assert '<html lang="en" dir="ltr">' in text(response)
    assert "Traceback" not in text(response)


def test_internal_error_page_hides_the_trace(make_app):
    app = make_app(TESTING=False, SECRET_KEY="s" * 40)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in text(response)
    assert "حدث خطأ" in text(response)


def test_bidi_override_cannot_leak_out_of_a_comment(client, store):
    approve_new(store, body="\u202eevil override", author="Ali")
    approve_new(store, body="next comment", now_ms=1_700_000_500_000)
    page = text(client.get("/threads/article-1"))
    # The body sits in its own direction-isolated block; the author name in <bdi>.
    assert re.search(r'<div class="comment-body" dir="auto"><p>\u202eevil override</p></div>', page)
    assert "<bdi>Ali</bdi>" in page


def test_rendered_list_follows_every_change_of_the_thread(client, store):
    first = approve_new(store, body="first words")
    assert "first words" in text(client.get("/threads/article-1"))
    approve_new(store, body="second words", now_ms=1_700_000_900_000)
    page = text(client.get("/threads/article-1"))
    assert "second words" in page and "first words" in page
    store.undo(first, "mod", now_ms=1_700_001_000_000, is_admin=True, window_ms=0)
    assert "first words" not in text(client.get("/threads/article-1"))
    assert "first words" not in client.get("/api/v1/threads/article-1/comments").get_data(as_text=True)


def test_thread_key_with_zero_width_non_joiner_is_a_word(client):
    persian = "می\u200cخواهم"  # "I want": Persian needs the ZWNJ
    assert client.get("/threads/" + persian).status_code == 200
