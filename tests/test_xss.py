"""XSS vectors in every field and every parameter: inert in every page and in the JSON API.

"Inert" is checked on the parsed page (the standard library's ``html.parser``),
not only by looking for substrings: no element or attribute that our own
templates never write, no ``on…`` handler, no ``style``, no script without a
``src`` of ours, no link or form target with a ``javascript:``, ``data:`` or
``vbscript:`` scheme, and none of the vector's own markup left unescaped.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest

from moderation import PROJECT_ROOT
from moderation.models import Decision

from .conftest import form_token, log_in, logged_in

THREAD = "xss-article"

VECTORS = [
    # Script tags, plain, nested, split and unbalanced.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(3)</scr</script>ipt>",
    "<<script>alert(4);//<</script>",
    "<script\x00>alert(5)</script>",
    "<script/x>alert(6)</script>",
    # Breaking out of the element or attribute the text lands in.
    '"><script>alert(7)</script>',
    "'><script>alert(8)</script>",
    "</textarea><script>alert(9)</script>",
    "</title><script>alert(10)</script>",
    '" onmouseover="alert(11)" x="',
    "' onmouseover='alert(12)' x='",
    "` onmouseover=`alert(13)`",
    '"autofocus onfocus=alert(14) x="',
    "</bdi></span></a><img src=x onerror=alert(15)>",
    # Event handlers.
    "<img src=x onerror=alert(16)>",
    '<img src="x" onerror="alert(17)"/>',
    "<img src=`x`onerror=alert(18)>",
    "<body onload=alert(19)>",
    '<div onmouseover="alert(20)">hover</div>',
    "<input autofocus onfocus=alert(21)>",
    "<details open ontoggle=alert(22)>",
    "<x onclick=alert(23)>click me",
    '<video><source onerror="alert(24)">',
    "<marquee onstart=alert(25)>",
    # javascript:, data: and vbscript: URLs, encoded and mixed-case.
    '<a href="javascript:alert(26)">click</a>',
    '<a href="JaVaScRiPt:alert(27)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(28)">x</a>',
    '<a href="java&#x09;script:alert(29)">x</a>',
    '<a href="%6A%61%76%61%73%63%72%69%70%74:alert(30)">x</a>',
    '<a href=" \x01javascript:alert(31)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgzMik8L3NjcmlwdD4=">x</a>',
    '<a href="vbscript:msgbox(33)">x</a>',
    "<IMG SRC=JaVaScRiPt:alert(34)>",
    "javascript:alert(35)",
    "data:text/html,<script>alert(36)</script>",
    '<iframe src="javascript:alert(37)"></iframe>',
    '<iframe srcdoc="<script>alert(38)</script>">',
    '<object data="data:text/html,<script>alert(39)</script>">',
    '<embed src="javascript:alert(40)">',
    '<form action="javascript:alert(41)"><button>go</button></form>',
    '<button formaction="javascript:alert(42)">go</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(43)">',
    '<base href="javascript:alert(44)//">',
    # SVG and MathML.
    "<svg onload=alert(45)>",
    "<svg><script>alert(46)</script></svg>",
    '<svg><a xlink:href="javascript:alert(47)"><text x="0" y="20">x</text></a></svg>',
    "<svg/onload=alert(48)//",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(49)>",
    '<math href="javascript:alert(50)">x</math>',
    # CSS.
    '<div style="background:url(javascript:alert(51))">x</div>',
    '<div style="width:expression(alert(52))">x</div>',
    '<style>@import "javascript:alert(53)";</style>',
    '<link rel=stylesheet href="javascript:alert(54)">',
    # Broken markup, comments, CDATA.
    '<!--<img src="--><img src=x onerror=alert(55)//">',
    "<![CDATA[<script>alert(56)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(57)>">',
    "<img src=x onerror=alert(58)",
    # Entities and percent-encoding: must stay the text they are.
    "&lt;script&gt;alert(59)&lt;/script&gt;",
    "&#60;script&#62;alert(60)&#60;/script&#62;",
    "%3Cscript%3Ealert(61)%3C/script%3E",
    "\\u003cscript\\u003ealert(62)\\u003c/script\\u003e",
    # Links in the text that try to leave the linkifier's href.
    'https://example.com/"><script>alert(63)</script>',
    "https://example.com/'onmouseover='alert(64)'",
    "https://example.com/?q=<img/src=x/onerror=alert(65)>",
    '<a href=https://example.com/ onclick=alert(66)>https://example.com/</a>',
    "https://example.com/`onmouseover=alert(67)`",
    # Right-to-left override tricks and invisible characters.
    "\u202e>tpircs/<)86(trela>tpircs<",
    "\u202e<script>alert(69)</script>\u202c",
    "<\u200bscript>alert(70)</script>",
    "\u2066<img src=x onerror=alert(71)>\u2069 تعليق عربي",
    # Template syntax that must never be evaluated.
    "{{7*7}}{% raw %}<%= 7*7 %>${alert(72)}",
]

# Websites: the form keeps only http(s); whatever it keeps must be inert in an href.
URL_VECTORS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript%3Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https:javascript:alert(1)",
    "http://javascript:alert(1)@evil.example/",
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/'onmouseover='alert(1)'",
    'https://example.com/"><script>alert(1)</script>',
    "https://example.com/`onmouseover=alert(1)`",
    "https://example.com/#\"><img src=x onerror=alert(1)>",
    "https://example.com/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "https://example.com/\u202e<svg onload=alert(1)>",
    "javascript://example.com/%0Aalert(1)",
]

# Email addresses that pass validation yet hold quotes, backticks and equals signs, and some that do not.
EMAIL_VECTORS = [
    "'onmouseover='alert`1`'@example.com",
    "x`onmouseover=alert`1``@example.com",
    "a'/onload='alert`1`@example.com",
    "\"'><script>alert(1)</script>\"@example.com",
    '"<img src=x onerror=alert(1)>"@example.com',
    "x@example.com<script>alert(1)</script>",
    "x@example.com\"onmouseover=\"alert(1)",
    "{{7*7}}@example.com",
    "&lt&gt&#x27@example.com",
    "\u202eevil@example.com",
]

TEMPLATES = {path: path.read_text(encoding="utf-8") for path in Path(PROJECT_ROOT, "templates").rglob("*.html")}
# Every element our own templates write, and those that form fields and comment_html render.
OWN_TAGS = {tag.lower() for text in TEMPLATES.values() for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", text)}
OWN_TAGS |= {"input", "textarea", "select", "option", "label", "p", "br", "a"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "ping",
                  "cite", "srcset", "lowsrc", "dynsrc", "manifest", "codebase", "content"}
DANGEROUS_SCHEME = re.compile(r"^(?:javascript|data|vbscript|livescript):", re.IGNORECASE)
# The one data: URL we write ourselves: an empty favicon, so browsers do not ask for /favicon.ico.
OWN_DATA_URLS = {("link", "href", "data:,")}
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@pytest.fixture
def app(make_app):
    """The usual test app, with room for a slow fsync: on a loaded machine Redis can stall past the
    2-second default, and these tests are about input, not faults (a stall would spool the comment)."""
    return make_app(REDIS_SOCKET_TIMEOUT_SECONDS=30)


class Collector(HTMLParser):
    """Every element with its attributes, and the text inside each script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.scripts = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag == "script":
            self._script = [dict(attrs), ""]
            self.scripts.append(self._script)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data


def parse(html):
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def own_script(src):
    return src.startswith("/static/") or src.endswith("/embed.js")


def markup_chunks(vector):
    """The vector's own tags, as written (closed, or cut off by its end): none may reach a page unescaped."""
    chunks = re.findall(r"<[a-zA-Z!/?][^<>]*(?:>|$)", vector)
    return [chunk for chunk in chunks
            if not (bare := re.fullmatch(r"</?([a-zA-Z]+)>", chunk)) or bare.group(1).lower() not in OWN_TAGS]


def attribute_problems(tag, attrs):
    found = []
    for name, value in attrs:
        if name.startswith("on"):
            found.append(f"<{tag} {name}=…> event handler")
        if name in {"style", "srcdoc"}:
            found.append(f"<{tag} {name}=…>")
        if name in URL_ATTRIBUTES and value is not None:
            scheme_part = INVISIBLE.sub("", value)
            if name == "content":
                scheme_part = re.sub(r"^\d*\s*;?\s*url=", "", scheme_part, flags=re.IGNORECASE)
            if DANGEROUS_SCHEME.match(scheme_part) and (tag, name, value) not in OWN_DATA_URLS:
                found.append(f"<{tag} {name}={value!r}>")
    if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
        found.append("<meta http-equiv>")
    return found


def problems(html, vector=None):
    """What makes ``html`` unsafe; empty when it is inert."""
    found = []
    page = parse(html)
    for tag, attrs in page.elements:
        if tag not in OWN_TAGS:
            found.append(f"<{tag}> is not an element we write")
        found += attribute_problems(tag, attrs)
    for attrs, text in page.scripts:
        if not own_script(attrs.get("src") or ""):
            found.append(f"<script src={attrs.get('src')!r}> is not one of ours")
        if text.strip():
            found.append(f"inline script {text.strip()[:40]!r}")
    if vector is not None:
        found += [f"unescaped {chunk!r}" for chunk in markup_chunks(vector) if chunk in html]
    return found


def assert_inert(response, vector, where):
    html = response.get_data(as_text=True)
    assert response.status_code < 500, f"{where}: {response.status_code}"
    found = problems(html, vector)
    assert not found, f"{where} with {vector!r}: {found}"


def assert_api_inert(response, vector, where):
    assert response.status_code < 500, f"{where}: {response.status_code}"
    assert response.mimetype == "application/json", f"{where}: {response.mimetype}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    body = response.get_json()
    for comment in body.get("comments", []):
        found = problems(comment["body_html"], vector)
        assert not found, f"{where} body_html with {vector!r}: {found}"
        url = comment["url"]
        assert url is None or re.match(r"^https?://", url, re.IGNORECASE), f"{where} url {url!r}"


def test_collector_catches_what_it_must():
    """The checker itself: each of these must be reported, the app's own markup must not."""
    for unsafe in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="java&#x09;script:x">',
                   "<svg onload=x>", '<a href=" JAVASCRIPT:x">', '<a href="data:text/html,x">',
                   "<p style=\"x:expression(1)\">", '<meta http-equiv="refresh" content="0;url=javascript:x">',
                   '<form action="vbscript:x">', '<button formaction="javascript:x">'):
        assert problems(unsafe), unsafe
    assert problems("<p>&lt;script&gt;</p>", "<script>alert(1)</script>") == []
    assert problems("<p><img src=x onerror=alert(1)></p>", "<img src=x onerror=alert(1)>")
    for path, source in TEMPLATES.items():  # no template writes anything the checker would call unsafe
        markup = re.sub(r"{[{%#].*?[%}#]}", "", source, flags=re.S)
        assert not [p for p in problems(markup) if "is not one of ours" not in p], path


def submit_form(client, thread=THREAD, **fields):
    data = {"comment": "تعليق", "author": "نور", "email": "reader@example.com"}
    data.update(fields)
    data["token"] = form_token(client.get(f"/threads/{thread}"))
    return client.post(f"/threads/{thread}", data=data)


def submit_api(client, thread=THREAD, **fields):
    data = {"comment": "تعليق", "author": "نور", "email": "reader@example.com"}
    data.update(fields)
    data["token"] = client.get(f"/api/v1/threads/{thread}/token").get_json()["token"]
    return client.post(f"/api/v1/threads/{thread}/comments", json=data)


def anchored_id(response):
    return int(re.search(r"#comment-(\d+)$", response.headers["Location"]).group(1))


@pytest.mark.parametrize("vector", VECTORS)
def test_xss_vector_inert_for_readers(client, store, vector):
    accepted = []
    # Every field at once: the refused form comes back with everything typed in it.
    refused = submit_form(client, comment=vector, author=vector, email=vector, url=vector, parent=vector)
    assert refused.status_code == 400
    assert_inert(refused, vector, "the refused form")
    api_refused = submit_api(client, comment=vector, author=vector, email=vector, url=vector,
                             parent=vector)
    assert api_refused.status_code == 400
    assert_api_inert(api_refused, vector, "the API's refusal")
    # The text and the name, accepted.
    sent = submit_form(client, comment=vector, author=vector[:100], email="one@example.com")
    assert sent.status_code == 303
    accepted.append(anchored_id(sent))
    own = client.get(sent.headers["Location"])
    assert "comment pending" in own.get_data(as_text=True)
    assert_inert(own, vector, "the reader's own pending comment")
    response = submit_api(client, comment=f"{vector} (API)", author=vector[:100], email="two@example.com")
    assert response.status_code == 202
    accepted.append(response.get_json()["id"])
    # The website: refused (400, form shown again) or kept as an http(s) address.
    website = submit_form(client, comment="رابط", url=vector, email="three@example.com")
    assert website.status_code in {303, 400}
    if website.status_code == 303:
        accepted.append(anchored_id(website))
    else:
        assert_inert(website, vector, "the form refusing the website")
    for comment_id in accepted:
        store.decide(comment_id, Decision.APPROVE, "mona", now_ms=1_800_000_000_000)
    for path in (f"/threads/{THREAD}", f"/threads/{THREAD}?lang=en", f"/embed/{THREAD}?origin=https://news.example"):
        page = client.get(path)
        assert page.status_code == 200
        assert_inert(page, vector, path)
        assert page.get_data(as_text=True).count('class="comment"') == len(accepted)
    api = client.get(f"/api/v1/threads/{THREAD}/comments")
    assert api.get_json()["count"] == len(accepted)
    assert_api_inert(api, vector, "the API's comments")


@pytest.mark.parametrize("url", URL_VECTORS)
def test_xss_website_is_http_or_refused(client, store, redis_client, url):
    for response, kind in ((submit_form(client, url=url), "form"), (submit_api(client, url=url, comment="api"), "api")):
        assert response.status_code in {303, 202, 400}, kind
        if response.status_code == 400:
            continue
        comment_id = anchored_id(response) if kind == "form" else response.get_json()["id"]
        stored = redis_client.hget(f"cm:{{main}}:comment:{comment_id}", "url")
        assert re.match(r"^https?://[^/?#\s]", stored, re.IGNORECASE), stored
        store.decide(comment_id, Decision.APPROVE, "mona", now_ms=1_800_000_000_000)
    for path in (f"/threads/{THREAD}", f"/embed/{THREAD}"):
        assert_inert(client.get(path), url, path)
    assert_api_inert(client.get(f"/api/v1/threads/{THREAD}/comments"), url, "API")


@pytest.mark.parametrize("email", EMAIL_VECTORS)
def test_xss_email_inert_or_refused(client, store, email):
    response = submit_form(client, email=email)
    assert response.status_code in {303, 400}
    assert_inert(response if response.status_code == 400 else client.get(response.headers["Location"]),
                 email, "the form")
    if response.status_code == 303:
        store.decide(anchored_id(response), Decision.APPROVE, "mona", now_ms=1_800_000_000_000)
        page = client.get(f"/threads/{THREAD}")
        assert_inert(page, email, "the thread")
        assert "@example.com" not in page.get_data(as_text=True)


# Query parameters every page reads: each is set to the vector.
PUBLIC_REFLECTIONS = [
    "/threads/{thread}?{query}",
    "/embed/{thread}?{query}",
    "/demo?{query}",
    "/moderate/login?{query}",
    "/moderate/setup?{query}",
    "/nowhere?{query}",
]
READER_PARAMETERS = ("lang", "replyto", "origin", "mine", "next", "token", "thread", "email", "cursor")


@pytest.mark.parametrize("template", PUBLIC_REFLECTIONS)
def test_xss_query_parameters_inert_on_public_pages(client, template):
    for vector in VECTORS + URL_VECTORS:
        query = urlencode(dict.fromkeys(READER_PARAMETERS, vector))
        path = template.format(thread=THREAD, query=query)
        assert_inert(client.get(path), vector, path)


def test_xss_vectors_inert_in_the_moderator_console(app, client, team):
    queued, spam = [], []
    for i, vector in enumerate(VECTORS):
        # Half of them filled in the honeypot: they go to the spam list.
        response = submit_form(client, comment=vector, author=vector[:100], email=f"r{i}@example.com",
                               fax="y" if i % 2 else "")
        assert response.status_code == 303, vector
        (spam if i % 2 else queued).append(anchored_id(response))
        website = submit_form(client, comment=f"website {i}", url=vector, email=f"w{i}@example.com")
        if website.status_code == 303:
            queued.append(anchored_id(website))
    for i, url in enumerate(URL_VECTORS):
        website = submit_form(client, comment=f"url {i}", url=url, email=f"u{i}@example.com")
        if website.status_code == 303:
            queued.append(anchored_id(website))
    for i, email in enumerate(EMAIL_VECTORS):
        response = submit_form(client, comment=f"email {i}", email=email)
        if response.status_code == 303:
            queued.append(anchored_id(response))
    # Failed logins with markup for a name are in the log.
    for vector in VECTORS[:4]:
        assert log_in(app.test_client(), vector[:64], "wrong password").status_code in {400, 401}
    mona = logged_in(app, "mona")
    everything = VECTORS + URL_VECTORS + EMAIL_VECTORS
    # Edit two comments and reject one with the vectors as the new text and the note.
    for comment_id, vector in zip(queued[:3], VECTORS[-3:], strict=True):
        assert mona.post(f"/moderate/comments/{comment_id}/edit",
                         data={"csrf_token": mona.csrf, "body": vector}).status_code == 303
    assert mona.post(f"/moderate/comments/{queued[3]}/reject",
                     data={"csrf_token": mona.csrf, "reason": "abuse", "note": VECTORS[0]}).status_code == 303
    pages = ["/moderate/", "/moderate/?lang=en", "/moderate/spam", "/moderate/log", "/moderate/log?lang=en"]
    next_page = re.search(r'href="([^"]*cursor=[^"]*)" rel="next"', mona.get("/moderate/").get_data(as_text=True))
    if next_page:
        pages.append(next_page.group(1).replace("&amp;", "&"))
    pages += [f"/moderate/comments/{i}" for i in queued + spam]
    for path in pages:
        response = mona.get(path)
        assert response.status_code == 200, path
        found = problems(response.get_data(as_text=True))
        found += [f"unescaped {c!r} of {v!r}" for v in everything for c in markup_chunks(v)
                  if c in response.get_data(as_text=True)]
        assert not found, f"{path}: {found}"
    html = mona.get("/moderate/spam").get_data(as_text=True)
    assert html.count('class="item spam-item"') == len(spam)
    updates = mona.get("/moderate/updates?after=0-0", headers={"Accept": "application/json"})
    assert updates.status_code == 200
    for item in updates.get_json()["items"]:
        assert not problems(item), item[:200]


MODERATOR_REFLECTIONS = [
    "/moderate/?{query}",
    "/moderate/spam?{query}",
    "/moderate/log?{query}",
    "/moderate/comments/{comment_id}?{query}",
    "/moderate/comments/{comment_id}/approve?{query}",
]
# (``before`` and ``after`` are stream ids that are never shown; malformed ones are in test_bad_requests.py.)
MODERATOR_PARAMETERS = ("thread", "email", "cursor", "moderator", "next", "lang")


def test_xss_query_parameters_inert_in_the_moderator_console(app, client, team):
    comment_id = anchored_id(submit_form(client))
    mona = logged_in(app, "mona")
    for template in MODERATOR_REFLECTIONS:
        for vector in VECTORS + URL_VECTORS:
            query = urlencode(dict.fromkeys(MODERATOR_PARAMETERS, vector))
            path = template.format(comment_id=comment_id, query=query)
            assert_inert(mona.get(path), vector, path)
