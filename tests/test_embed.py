"""The embedded comments, the embed script, replies, and the demo page."""

import re

import pytest

from moderation.models import Decision, NewComment

from .conftest import form_token, pending_count


def text(response):
    return response.get_data(as_text=True)


def approve_new(store, *, thread="article-1", parent=None, author="Reader", body="hello", at=0):
    comment_id = store.submit(NewComment(thread=thread, author=author, email="r@example.com", body=body,
                                            parent=parent), nonce=f"{body}-{at}", now_ms=1_700_000_000_000 + at).id
    store.decide(comment_id, Decision.APPROVE, "mod", now_ms=1_700_000_500_000)
    return comment_id


def test_embed_page_is_compact_and_frameable_by_any_site_by_default(client):
    response = client.get("/embed/article-1?origin=https://news.example&lang=ar")
    assert response.status_code == 200
    page = text(response)
    assert '<body class="embed">' in page
    assert 'data-parent-origin="https://news.example"' in page
    assert "embed-frame.js" in page
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_embed_origins_setting_limits_who_may_frame(make_app):
    client = make_app(EMBED_ORIGINS="https://news.example https://other.example").test_client()
    response = client.get("/embed/article-1?origin=https://news.example")
    assert "frame-ancestors 'self' https://news.example https://other.example" in (
        response.headers["Content-Security-Policy"])
    assert 'data-parent-origin="https://news.example"' in text(response)
    stranger = client.get("/embed/article-1?origin=https://evil.example")
    assert "data-parent-origin" not in text(stranger)  # no height messages to a site not listed


@pytest.mark.parametrize("origin", ["javascript:alert(1)", "https://news.example/path", "news.example", ""])
def test_embed_ignores_an_origin_that_is_not_one(client, origin):
    assert "data-parent-origin" not in text(client.get(f"/embed/article-1?origin={origin}"))


@pytest.mark.parametrize("path", ["/threads/article-1", "/demo"])
def test_other_pages_are_framed_only_by_ourselves(client, path):
    response = client.get(path)
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_embed_submission_stays_in_the_embed_without_cookies(client, redis_client):
    url = "/embed/article-1?origin=https://news.example&lang=en"
    token = form_token(client.get(url))
    client._cookies.clear()  # the browser blocks third-party cookies
    response = client.post(url, data={"comment": "from the iframe", "author": "Sam", "email": "s@example.com",
                                      "token": token})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/embed/article-1?")
    assert "origin=https" in location and "lang=en" in location
    client._cookies.clear()
    page = text(client.get(location))
    assert "Your comment is awaiting moderation." in page
    assert "from the iframe" in page


def test_embed_script_is_served(client):
    with client.get("/embed.js") as response:
        assert response.status_code == 200
        assert response.mimetype in {"text/javascript", "application/javascript"}
        body = text(response)
    # It takes messages only from the service, and only from its own iframe.
    assert "event.origin !== service" in body and "event.source !== frame.contentWindow" in body


def test_reply_link_fills_parent_and_names_who(client, store):
    parent = approve_new(store, author="Layla")
    page = text(client.get("/threads/article-1"))
    link = re.search(rf'href="([^"]*replyto={parent}[^"]*)"', page).group(1).replace("&amp;", "&")
    reply_page = text(client.get(link))
    assert f'name="parent" type="hidden" value="{parent}"' in reply_page
    assert "<bdi>Layla</bdi>" in reply_page.split('id="respond"')[1]


def test_reply_link_to_unpublished_comment_is_dropped(client, store):
    pending = store.submit(NewComment(thread="article-1", author="a", email="a@example.com", body="b"),
                              nonce="p", now_ms=1).id
    page = text(client.get(f"/threads/article-1?replyto={pending}"))
    assert 'name="parent" type="hidden" value=""' in page


def test_replies_nest_to_the_depth_setting_then_flatten(make_app, store):
    chain = [approve_new(store, author="level1", body="one", at=1)]
    for depth in range(2, 6):
        chain.append(approve_new(store, parent=chain[-1], author=f"level{depth}", body=f"d{depth}", at=depth))
    page = text(make_app(REPLY_MAX_DEPTH=3).test_client().get("/threads/article-1?lang=en"))
    assert page.count('<ol class="replies">') == 2  # depth 1 > 2 > 3, and no deeper
    assert "in reply to</span>" not in page
    assert "in reply to <bdi>level3</bdi>" in page  # level4, shown at depth 3, says whom it answers
    assert "in reply to <bdi>level4</bdi>" in page
    flat = text(make_app(REPLY_MAX_DEPTH=1).test_client().get("/threads/article-1"))
    assert '<ol class="replies">' not in flat


def test_demo_page_embeds_with_the_one_line_script(client):
    page = text(client.get("/demo"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "ستارت الجديدة" in page
    assert re.search(r'<script src="http://localhost/embed.js" data-thread="[^"]+" async></script>', page)


def test_demo_can_be_turned_off(make_app):
    assert make_app(DEMO=False).test_client().get("/demo").status_code == 404


@pytest.mark.parametrize(("headers", "status"), [
    ({"Origin": "https://news.example", "Sec-Fetch-Site": "cross-site"}, 303),
    ({"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}, 303),
    ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, 403),
    ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, 403),
    ({}, 303),
])
def test_reader_form_checks_where_it_was_sent_from(make_app, headers, status, redis_client):
    client = make_app(EMBED_ORIGINS="https://news.example").test_client()
    token = form_token(client.get("/embed/article-1"))
    response = client.post("/embed/article-1", headers=headers, data={
        "comment": "where from?", "author": "a", "email": "a@example.com", "token": token})
    assert response.status_code == status
    if status == 403:
        assert "where from?" in text(response)
        assert pending_count(redis_client) == 0


def test_hsts_only_under_https(client):
    assert "Strict-Transport-Security" not in client.get("/threads/a").headers
    secure = client.get("/threads/a", base_url="https://comments.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
