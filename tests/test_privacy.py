"""The security walk: what anyone can fetch never reveals an email or an IP,
moderator routes need a login, CSRF and (for some) an admin, and every
response carries the security headers.

Routes come from ``app.url_map``, so a route added later is walked too (and a
route with a URL variable this file does not know how to fill fails loudly).
"""

import hashlib
import ipaddress
import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from moderation import PROJECT_ROOT
from moderation.models import Decision, NewComment

from .conftest import PASSWORD, form_token, logged_in

THREAD = "privacy-walk"
SPOOFED = "198.51.100.99"  # sent in X-Forwarded-For and friends; TRUSTED_PROXIES is 0, so never believed

# Who writes, from where, and what becomes of each comment. Names never repeat an email's local part.
PEOPLE = [
    {"email": "Leila.Private+walk@Example.org", "ip": "203.0.113.77", "author": "ليلى", "fate": "approved",
     "channel": "form"},
    {"email": "omar.hidden.reader@example.net", "ip": "203.0.113.78", "author": "Omar", "fate": "pending",
     "channel": "form"},
    {"email": "قارئ.سري@مثال.مصر", "ip": "198.51.100.23", "author": "نور", "fate": "rejected", "channel": "form"},
    {"email": "api.secret.writer@example.com", "ip": "2001:db8::77", "author": "API writer", "fate": "approved",
     "channel": "api"},
    {"email": "pending.api.person@example.com", "ip": "192.0.2.55", "author": "Sam", "fate": "pending",
     "channel": "api"},
    {"email": "trapped.spam.person@example.org", "ip": "192.0.2.66", "author": "Spam bot", "fate": "spam",
     "channel": "form"},
]
STATIC_FILES = sorted(p.name for p in Path(PROJECT_ROOT, "static").iterdir() if p.is_file())
TEMPLATES = {path: path.read_text(encoding="utf-8") for path in Path(PROJECT_ROOT, "templates").rglob("*.html")}


@pytest.fixture
def app(make_app):
    """The usual test app, with room for a slow fsync: on a loaded machine Redis can stall past the
    2-second default, and these tests are about input, not faults (a stall would spool the comment)."""
    return make_app(REDIS_SOCKET_TIMEOUT_SECONDS=30)


def needles(person):
    """Every way an email or address could show: as typed, normalised, cased, encoded, hashed."""
    email = person["email"]
    local, _, domain = email.partition("@")
    normalised = f"{local}@{domain.lower()}"
    found = {email, normalised, email.lower(), email.upper(), local, local.lower(), local.upper(),
             quote(email), quote(email, safe=""), quote(email.lower(), safe=""), quote(local, safe="")}
    try:
        ascii_domain = domain.encode("idna").decode()
        found |= {f"{local}@{ascii_domain}", quote(f"{local}@{ascii_domain}", safe="")}
    except UnicodeError:
        pass
    for variant in (email, normalised):
        digest_of = variant.strip().lower().encode()
        found |= {hashlib.md5(digest_of).hexdigest(), hashlib.sha256(digest_of).hexdigest()}
    address = ipaddress.ip_address(person["ip"])
    found |= {person["ip"], str(address), address.exploded, quote(person["ip"], safe="")}
    return found


ALL_NEEDLES = {needle for person in PEOPLE for needle in needles(person)} | {SPOOFED}


def spoofing_headers():
    return {"X-Forwarded-For": SPOOFED, "X-Real-IP": SPOOFED, "Forwarded": f"for={SPOOFED}",
            "Client-IP": SPOOFED}


def submit(app, person):
    """One person's comment through the real form or API, from their own address."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": person["ip"]}
    fields = {"comment": f"رأي {person['author']} في المقال", "author": person["author"], "email": person["email"]}
    if person["channel"] == "api":
        token = client.get(f"/api/v1/threads/{THREAD}/token", environ_base=environ).get_json()["token"]
        response = client.post(f"/api/v1/threads/{THREAD}/comments", json={**fields, "token": token},
                               environ_base=environ, headers=spoofing_headers())
        assert response.status_code == 202
        return response, response.get_json()["id"], response.get_json()["pending_url"]
    token = form_token(client.get(f"/threads/{THREAD}", environ_base=environ))
    if person["fate"] == "spam":
        fields["fax"] = "+1 555 0100"  # the honeypot
    response = client.post(f"/threads/{THREAD}", data={**fields, "token": token}, environ_base=environ,
                           headers=spoofing_headers())
    assert response.status_code == 303
    location = response.headers["Location"]
    return response, int(re.search(r"#comment-(\d+)$", location).group(1)), location


@pytest.fixture
def walk(app, store, redis_client):
    """Everyone's comments submitted and decided; what each submission answered; the pending links."""
    answers, links, ids = [], [], {}
    for person in PEOPLE:
        response, comment_id, link = submit(app, person)
        answers.append(response)
        links.append(link)
        ids[person["email"]] = comment_id
        if person["fate"] in {"approved", "rejected"}:
            decision = Decision.APPROVE if person["fate"] == "approved" else Decision.REJECT
            store.decide(comment_id, decision, "mona", now_ms=1_800_000_000_000)
    for person in PEOPLE:
        stored = redis_client.hgetall(f"cm:{{main}}:comment:{ids[person['email']]}")
        assert stored["ip"] == person["ip"], "the address must be the client's, not a header's"
        assert stored["status"] == person["fate"]
    return {"answers": answers, "links": links, "ids": ids}


def public_urls(app, walk):
    """Every route outside /moderate/, with its variables filled, plus the pages around them."""
    approved = [walk["ids"][p["email"]] for p in PEOPLE if p["fate"] == "approved"]
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/moderate"):
            continue
        names = set(rule.arguments)
        assert names <= {"thread", "filename", "comment_id", "token"}, f"fill the variables of {rule.rule} in this walk"
        if "token" in names:  # a reader mail's links, made for a commenter's address (the signed token)
            urls.append(rule.rule.replace("<token>", reader_token(app, rule.endpoint, PEOPLE[0]["email"])))
            continue
        if "filename" in names:
            urls += [rule.rule.replace("<path:filename>", name) for name in STATIC_FILES]
            continue
        path = rule.rule.replace("<thread>", THREAD).replace("<int:comment_id>", str(approved[0]))
        urls.append(path)
        if rule.rule == "/api/v1/counts":
            urls.append(f"{path}?thread={THREAD}&thread=other")
        if rule.endpoint in {"reader.thread", "reader.embed"}:
            urls += [f"{path}?lang=en", f"{path}?replyto={approved[0]}", f"{path}?origin=https://news.example",
                     f"{path}?email={quote(PEOPLE[0]['email'])}"]
    # The reader's own pending views: the signed links each writer got back.
    urls += [urlsplit(link)._replace(scheme="", netloc="").geturl() for link in walk["links"]]
    urls += ["/nowhere", "/threads/" + "x" * 201, "/api/v1/nowhere", "/api/v1/threads/" + "x" * 201 + "/comments",
             "/threads/new-start-talks-cairo", f"/threads/{THREAD}?mine=forged.link"]
    return sorted(set(urls))


def reader_token(app, endpoint, email):
    from moderation.notify import reader_links
    from moderation.notify.subscriptions import address_digest

    with app.app_context():
        digest = address_digest(email)
        if "confirm" in endpoint:
            return reader_links.confirm_token("main", digest)
        return reader_links.unsubscribe_token("main", digest, THREAD)


def fetch(client, url, method="GET", **kwargs):
    """The response, read whole and closed (a static file's handle is released even for HEAD or a 304)."""
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    response.close()
    return response


def full_text(response):
    """The whole response as a browser or a proxy sees it: status line, every header, the body."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return f"{response.status}\n{headers}\n\n{response.get_data(as_text=True)}"


def leaks(response):
    text = full_text(response)
    lowered = text.lower()
    return sorted(n for n in ALL_NEEDLES if n in text or n.lower() in lowered)


def test_privacy_needles_are_seen_by_moderators(app, walk, team):
    """The needles are real: a moderator's queue shows the pending commenters' emails and addresses."""
    page = logged_in(app, "mona").get("/moderate/").get_data(as_text=True)
    for person in PEOPLE:
        if person["fate"] == "pending":
            assert person["email"] in page
            assert person["ip"] in page
    assert SPOOFED not in page


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_privacy_no_public_route_reveals_an_email_or_ip(app, walk, method):
    client = app.test_client()
    urls = public_urls(app, walk)
    assert len(urls) >= 25
    found = {}
    for url in urls:
        response = fetch(client, url, method, environ_base={"REMOTE_ADDR": "192.0.2.1"})
        assert response.status_code < 500, url
        if leaked := leaks(response):
            found[url] = leaked
        etag = response.headers.get("ETag")
        if etag and method == "GET":
            again = fetch(client, url, headers={"If-None-Match": etag})
            if leaked := leaks(again):
                found[f"{url} (304)"] = leaked
    assert not found, f"emails or addresses on public routes: {found}"


def test_privacy_405_and_404_pages_reveal_nothing(app, walk):
    client = app.test_client()
    for method, url in [("DELETE", f"/threads/{THREAD}"), ("PUT", "/api/v1/counts"), ("POST", "/healthz"),
                        ("PATCH", f"/api/v1/threads/{THREAD}/comments"), ("GET", "/moderate/logout"),
                        ("GET", f"/threads/{quote(PEOPLE[0]['email'], safe='')}/x")]:
        response = fetch(client, url, method)
        assert response.status_code in {404, 405}
        assert not leaks(response), url


def test_privacy_submission_answers_reveal_nothing_but_to_their_writer(walk):
    """The 303 (Location, Set-Cookie) and the API's 202 carry no email and no address."""
    for response in walk["answers"]:
        assert not leaks(response), full_text(response)[:500]


def test_privacy_forwarded_headers_are_ignored(app, walk, redis_client):
    everything = []
    for key in redis_client.scan_iter("*"):
        everything.append(key)
        kind = redis_client.type(key)
        if kind == "hash":
            everything += redis_client.hvals(key)
        elif kind == "string":
            everything.append(redis_client.get(key))
        elif kind == "zset":
            everything += redis_client.zrange(key, 0, -1)
        elif kind == "stream":
            everything += [v for _, entry in redis_client.xrange(key) for v in entry.values()]
    assert not [value for value in everything if SPOOFED in str(value)]


def test_privacy_logs_hold_no_email_or_ip(app, store, redis_client, caplog):
    caplog.set_level(logging.DEBUG)
    for person in PEOPLE:
        submit(app, person)
    client = app.test_client()
    client.get(f"/threads/{THREAD}")
    client.get(f"/api/v1/threads/{THREAD}/comments")
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert logged, "nothing was logged: the check would prove nothing"
    found = sorted(n for n in ALL_NEEDLES if n in logged and len(n) > 4)
    assert not found, f"the log holds {found}"


# Moderator routes: login, CSRF, admins

def moderator_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/moderate")]


def fill(rule, comment_id):
    values = {"comment_id": str(comment_id), "action": "approve", "name": "mona", "thread": THREAD,
              "token": "forged.token", "endpoint_id": "0123456789abcdef"}
    assert set(rule.arguments) <= set(values), f"fill the variables of {rule.rule} in this walk"

    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any(") and values[name] not in converter:
            return converter[4:].split(",")[0].strip(" )")  # the first of the words it takes
        return values[name]

    return re.sub(r"<(?:([^<>]*):)?([^<>:]+)>", value, rule.rule)


def pending_comment(store):
    return store.submit(NewComment(thread=THREAD, author="a", email="a@example.com", body="b", ip="192.0.2.9"),
                        nonce="moderator-walk", now_ms=1_800_000_000_000).id


# Reachable without a login, each for its own reason.
# setup: only with a valid one-time link; a mail's Approve / Reject link: its signed token is the credential.
OPEN_TO_ALL = {"/moderate/login": 200, "/moderate/setup": 404, "/moderate/mail/<token>": 404}
# The link's POST carries no session CSRF token: the signed token in its path is the proof
# (tests/test_notify_links.py). A forged one opens nothing.
TOKEN_IN_PATH = {"/moderate/mail/<token>"}


def test_privacy_every_moderator_page_needs_a_login(app, store):
    comment_id = pending_comment(store)
    client = app.test_client()
    walked = 0
    for rule in moderator_rules(app):
        if "GET" not in rule.methods:
            continue
        path = fill(rule, comment_id)
        page = client.get(path)
        if rule.rule in OPEN_TO_ALL:
            assert page.status_code == OPEN_TO_ALL[rule.rule], path
            continue
        assert page.status_code == 302, path
        assert page.headers["Location"].startswith("/moderate/login?next="), path
        script = client.get(path, headers={"Accept": "application/json"})
        assert script.status_code == 401, path
        assert script.is_json
        walked += 1
    assert walked >= 8
    assert store.get(comment_id).status == "pending"


@pytest.mark.parametrize("who", ["anonymous", "ali"])
def test_privacy_every_moderator_post_needs_csrf(app, store, team, redis_client, who):
    comment_id = pending_comment(store)
    client = app.test_client() if who == "anonymous" else logged_in(app, who)
    moderators = redis_client.hgetall("cm:{main}:moderators")
    walked = 0
    for rule in moderator_rules(app):
        if "POST" not in rule.methods:
            continue
        path = fill(rule, comment_id)
        if rule.rule in TOKEN_IN_PATH:
            assert client.post(path).status_code == 404, path
            continue
        data = {"ids": str(comment_id), "action": "approve", "username": "eve", "password": PASSWORD,
                "role": "admin", "body": "changed", "reason": "spam", "feature": "domain:example.com"}
        for response in (client.post(path, data=data),
                         client.post(path, data=data, headers={"Accept": "application/json"}),
                         client.post(path, data={**data, "csrf_token": "forged"})):
            assert response.status_code == 400, f"{who} POST {path}: {response.status_code}"
        walked += 1
    assert walked >= 14
    assert store.get(comment_id).status == "pending"
    assert store.get(comment_id).body == "b"
    assert redis_client.hgetall("cm:{main}:moderators") == moderators
    assert redis_client.hgetall("cm:{main}:thread-states") == {}


def test_privacy_setup_post_needs_csrf(app, client, redis_client):
    from moderation import accounts

    with app.app_context():
        token = accounts.issue_setup_token()
    data = {"token": token, "username": "eve", "password": PASSWORD, "confirm": PASSWORD}
    assert client.post("/moderate/setup", data=data).status_code == 400
    assert client.post("/moderate/setup", data={**data, "csrf_token": "forged"}).status_code == 400
    assert redis_client.hgetall("cm:{main}:moderators") == {}


ADMIN_ONLY = re.compile(r"^/moderate/(moderators|rules|webhooks)")


def test_privacy_admin_routes_refuse_a_moderator(app, team, redis_client):
    mona = logged_in(app, "mona")
    moderators = redis_client.hgetall("cm:{main}:moderators")
    rules = redis_client.hgetall("cm:{main}:rules")
    walked = 0
    for rule in moderator_rules(app):
        if not ADMIN_ONLY.match(rule.rule):
            continue
        path = fill(rule, 1).replace("/mona/", "/ali/")
        if "GET" in rule.methods:
            assert mona.get(path).status_code == 403, path
        if "POST" in rule.methods:
            data = {"csrf_token": mona.csrf, "username": "eve", "password": PASSWORD * 2, "role": "admin",
                    "blocked_words": "x", "max_links": "9", "url": "https://93.184.215.14/", "events": "approved"}
            assert mona.post(path, data=data).status_code == 403, path
            assert mona.post(path, data=data, headers={"Accept": "application/json"}).status_code == 403, path
        walked += 1
    assert walked >= 4
    assert redis_client.hgetall("cm:{main}:moderators") == moderators
    assert redis_client.hgetall("cm:{main}:rules") == rules
    assert redis_client.zrange("cm:{main}:webhooks", 0, -1) == []
    assert logged_in(app, "ali").get("/moderate/moderators").status_code == 200  # admins do get in


# Security headers

class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline, self.handlers, self._open = [], [], False

    def handle_starttag(self, tag, attrs):
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self._open = True
            if not dict(attrs).get("src"):
                self.inline.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = False

    def handle_data(self, data):
        if self._open and data.strip():
            self.inline.append(data.strip()[:60])


def header_problems(response, moderator):
    found = []
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    script_src = directives.get("script-src", directives.get("default-src"))
    if script_src is None:
        found.append("no script-src or default-src")
    elif "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src or "*" in script_src:
        found.append(f"script-src {script_src}")
    if moderator and directives.get("frame-ancestors") != ["'none'"]:
        found.append(f"frame-ancestors {directives.get('frame-ancestors')}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        found.append("no nosniff")
    if not response.headers.get("Referrer-Policy"):
        found.append("no Referrer-Policy")
    if response.mimetype == "text/html":
        scripts = Scripts()
        scripts.feed(response.get_data(as_text=True))
        found += [f"inline script {s}" for s in scripts.inline] + scripts.handlers
    return found


def test_privacy_security_headers_on_every_response(app, walk, team, store):
    anonymous = app.test_client()
    mona = logged_in(app, "mona")
    comment_id = pending_comment(store)
    checked, found = 0, {}
    requests = [(anonymous, url, "GET") for url in public_urls(app, walk)]
    requests += [(anonymous, url, "HEAD") for url in public_urls(app, walk)]
    requests += [(anonymous, "/threads/x", "DELETE"), (anonymous, "/healthz", "POST")]
    for rule in moderator_rules(app):
        if "GET" in rule.methods:
            path = fill(rule, comment_id)
            requests += [(anonymous, path, "GET"), (mona, path, "GET")]
    requests += [(mona, "/moderate/comments/1/approve", "POST"), (anonymous, "/moderate/logout", "GET")]
    for client, url, method in requests:
        response = fetch(client, url, method)
        assert response.status_code < 500, url
        # (A 404 or 405 under /moderate/ matched no route: a plain error page with nothing to click.)
        moderator = url.startswith("/moderate") and response.status_code not in {404, 405}
        if problems := header_problems(response, moderator):
            found[f"{method} {url} ({response.status_code})"] = problems
        checked += 1
    assert not found, found
    assert checked >= 70


def test_privacy_embed_page_is_frameable_only_by_the_embed_origins(make_app):
    app = make_app(EMBED_ORIGINS="https://news.example https://m.news.example")
    policy = app.test_client().get(f"/embed/{THREAD}").headers["Content-Security-Policy"]
    ancestors = re.search(r"frame-ancestors ([^;]+)", policy).group(1).split()
    assert set(ancestors) == {"'self'", "https://news.example", "https://m.news.example"}
    assert "frame-ancestors 'self'" in app.test_client().get(f"/threads/{THREAD}").headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", sorted(TEMPLATES), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_privacy_templates_have_no_inline_script(path):
    source = TEMPLATES[path]
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", source, re.IGNORECASE), "a <script> without src"
    assert not re.search(r"<script[^>]*>[^<\s]", source, re.IGNORECASE), "code inside a <script src>"
    assert not re.search(r"\son[a-z]+\s*=", source, re.IGNORECASE), "an inline event handler"
    assert "javascript:" not in source.lower()
    assert "|safe" not in source.replace(" ", "")
