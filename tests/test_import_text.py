"""How imported bodies become text (``htmltext``) and how articles get their thread keys (``threadkeys``)."""

import pytest

from moderation.htmltext import to_text
from moderation.threadkeys import ThreadKeys


@pytest.mark.parametrize(("html", "text"), [
    ("plain text\nkept as typed", "plain text\nkept as typed"),
    ("<p>one</p>\n<p>two<br/>three</p>", "one\n\ntwo\nthree"),
    ("Tom &amp; Jerry &lt;3 &#1575;&#1604;&#1593;&#1585;&#1576;&#1610;&#1577;", "Tom & Jerry <3 العربية"),
    ("a <script>alert(1)</script>b<style>p{}</style> c", "a b c"),
    ('<a href="https://example.com/page">the page</a>', "the page (https://example.com/page)"),
    ('<a href="https://example.com/">https://example.com/</a>', "https://example.com/"),
    ('<a href="https://example.com/x">example.com/x</a>', "https://example.com/x"),
    ('<a href="javascript:alert(1)">click</a>', "click"),
    ('<b onclick="x()">bold</b> <img src=x onerror=alert(1)>', "bold"),
    ("<ul><li>one</li><li>two</li></ul>after", "one\ntwo\n\nafter"),
    ("   \n\n  spaced   out  \n\n\n\n  lines ", "spaced out\n\nlines"),
    ("unclosed <b>bold <a href='https://x.example/'>link", "unclosed bold link (https://x.example/)"),
    ("مرحبا <bdi>Ali</bdi>، كيف حالك؟", "مرحبا Ali، كيف حالك؟"),
])
def test_html_becomes_the_text_its_reader_saw(html, text):
    assert to_text(html) == text


def test_thread_keys_for_wordpress():
    link = "https://news.example/2024/05/%d9%85%d9%82%d8%a7%d9%84/?utm_source=x&fbclid=y&p=2"
    assert ThreadKeys("post-id").wordpress("123", "slug", link) == "123"
    assert ThreadKeys("slug").wordpress("123", "%d9%85%d9%82%d8%a7%d9%84", link) == "مقال"
    assert ThreadKeys("path").wordpress("123", "", link) == "2024:05:مقال?p=2"
    assert ThreadKeys("path", site_url="https://news.example/2024").wordpress("", "", link) == "05:مقال?p=2"
    assert ThreadKeys("path").wordpress("", "", "https://news.example/") == ""  # no key: its comments are refused
    assert ThreadKeys("slug").wordpress("", "bad/slug", "") == ""


def test_thread_keys_for_disqus():
    wordpress = "123 https://news.example/?p=123"
    assert ThreadKeys("post-id").disqus(wordpress, "https://news.example/story/") == "123"
    assert ThreadKeys("post-id").disqus("story-key", "https://news.example/story/") == "story-key"
    assert ThreadKeys("post-id").disqus("/story/", "https://news.example/a/story/") == "a:story"
    assert ThreadKeys("post-id").disqus("", "https://news.example/a/story/?utm_medium=x") == "a:story"
    assert ThreadKeys("slug").disqus(wordpress, "https://news.example/a/story/") == "story"


def test_thread_keys_refuse_an_unknown_rule():
    with pytest.raises(ValueError, match="post-id, slug, path"):
        ThreadKeys("title")
