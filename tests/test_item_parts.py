"""Queue items made from one rendering per shape: each value in its place, escaped once, links as url_for makes them."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import url_for

from moderation.item_parts import ItemParts
from moderation.models import Comment, Status


def comment(**fields):
    values = {"id": 7, "thread": "مقال-الأسبوع", "author": "نور", "body": "سطر أول\n\nhttps://example.org/x",
              "created_at": datetime(2026, 12, 1, 9, 30, tzinfo=UTC), "status": Status.PENDING,
              "email": "nour+news@example.com", "ip": "198.51.100.7"}
    values.update(fields)
    return Comment(**values)


@pytest.fixture
def parts(app):
    def make(me="mona", is_admin=False, lang="en"):
        context = app.test_request_context(f"/moderate/?lang={lang}")
        context.push()
        app.preprocess_request()
        made = ItemParts(me, is_admin, lambda signal: f"label of {signal}")
        made.pop = context.pop
        return made

    made = []
    yield lambda **kw: made.append(make(**kw)) or made[-1]
    for p in reversed(made):
        p.pop()


def test_item_parts_links_are_the_ones_url_for_makes(parts):
    p = parts()
    html = str(p.render(comment(parent=3)))
    thread = "مقال-الأسبوع"
    for link in (url_for("moderate.queue", email="nour+news@example.com"), url_for("reader.thread", thread=thread),
                 url_for("moderate.queue", thread=thread), url_for("moderate.comment", comment_id=7),
                 url_for("moderate.comment", comment_id=3), url_for("moderate.approve", comment_id=7),
                 url_for("moderate.reject", comment_id=7), url_for("moderate.undo", comment_id=7)):
        assert f'"{link.replace("&", "&amp;")}"' in html, link


def test_item_parts_escape_each_value_once(parts):
    html = str(parts().render(comment(author='<b>"x"</b> & co', url="https://example.org/?a=1&b=2")))
    assert "&lt;b&gt;&#34;x&#34;&lt;/b&gt; &amp; co" in html
    assert 'href="https://example.org/?a=1&amp;b=2"' in html
    assert "<b>" not in html and "&amp;lt;" not in html


def test_item_parts_every_shape_shows_what_it_has(parts):
    p = parts(is_admin=True)
    full = replace(comment(url="https://example.org/me", parent=3, edited_by="ali"), signals=("held_word: x",),
                   score=0.42, held=True)
    html = str(p.render(full, claimant="<omar>"))
    assert 'class="item claimed"' in html
    assert 'class="website" href="https://example.org/me"' in html
    assert "In reply to comment" in html and ">#3</a>" in html
    assert "label of held_word: x" in html and "Spam score 0.42" in html and "Look closer" in html
    assert "Being reviewed by &lt;omar&gt;" in html
    assert "Edited by ali" in html
    assert html.count('name="force" value="y"') == 2  # an admin may decide over the claim
    bare = str(p.render(comment()))
    for absent in ("claimed", "website", "In reply", "signals", "Being reviewed", "Edited by", "force"):
        assert absent not in bare, absent
    # A moderator sees a claimed item without its decision forms.
    assert "decide approve" not in str(parts(is_admin=False).render(full, claimant="omar"))


def test_item_parts_two_items_of_one_shape_keep_their_own_values(parts):
    p = parts()
    first, second = p.render(comment(id=11, author="أول")), p.render(comment(id=12, author="ثان"))
    assert len(p.shapes) == 1
    assert 'id="item-11"' in first and "أول" in first and "ثان" not in first
    assert 'id="item-12"' in second and "ثان" in second and "item-11" not in second
    assert "Select comment 12" in second


def test_item_parts_speak_the_page_language(parts):
    html = str(parts(lang="ar").render(comment()))
    assert "موافقة" in html
    assert "Approve" not in html
