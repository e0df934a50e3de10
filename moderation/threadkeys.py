"""Thread keys: what a key may be, and the rule that names an imported article's thread.

An article's comments are found by its key, the ``data-thread`` its page
passes to ``embed.js`` (and the ``<thread>`` of ``/threads/<thread>``). An
import must give the old comments the key the site's pages will pass, so
the site chooses one rule (``--thread-key``), the same its theme uses:

- ``post-id`` (the default): WordPress's post ID, ``"123"``; it stays when
  a title, a slug or a permalink changes. A Disqus thread made by the
  WordPress plugin has the identifier ``"123 https://…/?p=123"``: its
  first word. Any other Disqus identifier is the key as it is, if it is a
  valid key, or else the thread's address by the ``path`` rule.
- ``slug``: WordPress's post name, decoded (``"مقال-جديد"``, not
  ``"%d9%85…"``); for Disqus, the last segment of the thread's address.
- ``path``: the article address's path below the site's address
  (``--site-url``), decoded, without its slashes at either end and with
  the ones inside it written as ``:`` (a key holds no ``/``):
  ``https://example.com/2024/05/story/?utm_source=x`` is ``2024:05:story``.
  A query that is not tracking (``utm_*``, ``fbclid``…) stays, after ``?``.
"""

import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

RULES = ("post-id", "slug", "path")
# A thread key: at most 200 characters, no slash, backslash, space, control,
# bidi mark or zero-width space, and no U+FFFD (what bytes that are not UTF-8
# become). ZWNJ and ZWJ stay: Persian, Urdu and Kurdish words need them.
# The refused characters are written so that Python's re and the ECMAScript
# regexes of JSON Schema read them alike: the API schema (openapi.py) states them.
THREAD_KEY_MAX_LENGTH = 200
THREAD_KEY_REFUSED = (r"/\\\s\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069"
                      r"\ufeff\ufffd")
THREAD_KEY = re.compile(f"[^{THREAD_KEY_REFUSED}]{{1,{THREAD_KEY_MAX_LENGTH}}}")
RESERVED_THREAD_KEYS = frozenset({".", ".."})
TRACKING = re.compile(r"utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl")
WORDPRESS_IDENTIFIER = re.compile(r"(\d+) \S")


def valid_thread_key(thread):
    """A key as a news site makes them: no path tricks, nothing invisible, and in NFC
    (another normalisation of the same slug would be a second thread)."""
    return (bool(THREAD_KEY.fullmatch(thread)) and thread not in RESERVED_THREAD_KEYS
            and unicodedata.is_normalized("NFC", thread))


class ThreadKeys:
    """The chosen rule, for the articles of one file; each method returns a key, or "" when none can be made."""

    def __init__(self, rule="post-id", site_url=""):
        if rule not in RULES:
            raise ValueError(f"thread keys are one of {', '.join(RULES)}, not {rule!r}")
        self.rule = rule
        self.site_path = urlsplit(site_url).path.rstrip("/") if site_url else ""

    def wordpress(self, post_id, slug, link):
        if self.rule == "post-id":
            return _checked(post_id.strip())
        if self.rule == "slug":
            return _checked(unquote(slug.strip()))
        return self.path(link)

    def disqus(self, identifier, link):
        identifier = identifier.strip()
        if self.rule == "post-id" and identifier:
            wordpress = WORDPRESS_IDENTIFIER.match(identifier)
            if wordpress:
                return wordpress.group(1)
            if _checked(identifier):
                return _checked(identifier)
        if self.rule == "slug":
            return _checked(unquote(urlsplit(link.strip()).path.rstrip("/").rpartition("/")[2]))
        return self.path(link)

    def path(self, link):
        parts = urlsplit(link.strip())
        path = unquote(parts.path)
        if self.site_path and (path == self.site_path or path.startswith(self.site_path + "/")):
            path = path[len(self.site_path):]
        key = ":".join(segment for segment in path.split("/") if segment)
        query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
                 if not TRACKING.fullmatch(name.lower())]
        if query:
            key += "?" + unquote(urlencode(sorted(query)))
        return _checked(key)


def _checked(key):
    key = unicodedata.normalize("NFC", key)
    return key if valid_thread_key(key) else ""
