"""Several sites in one deployment: the SITES file, a request's site, and nothing shared between sites."""

import json
import re

import pytest
from flask import g

from moderation import accounts, services, sites
from moderation.models import Decision, Intake, NewComment

from .conftest import PASSWORD, csrf_token, form_token
from .test_metrics import value

SITES_TOML = """
[sites.ar]
name = "الدفاع العربي"
hosts = ["ar.example"]
embed_origins = ["https://www.ar-news.example"]
default_locale = "ar"

[sites.en]
name = "Defence English"
hosts = ["en.example", "comments.en.example"]
embed_origins = ["https://www.en-news.example"]
default_locale = "en"
timezone = "Africa/Cairo"
"""
# What site "en" holds that site "ar" must never show: none of it is ever sent in a request to "ar".
EN_SECRETS = ("EN-SECRET-BODY", "EN-SECRET-AUTHOR", "en.secret@example.com", "enboss", "ensecretrule",
              "198.51.100.77")


@pytest.fixture
def sites_file(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(SITES_TOML, encoding="utf-8")
    return path


@pytest.fixture
def two_sites(make_app, sites_file):
    return make_app(SITES=str(sites_file))


def on(app, host):
    """A test client whose every request goes to ``host``."""
    client = app.test_client()
    original = client.open

    def open_on_host(*args, **kwargs):
        kwargs.setdefault("base_url", f"http://{host}")
        return original(*args, **kwargs)

    client.open = open_on_host
    return client


def site(app, key):
    return app.extensions["sites"].get(key)


def text(response):
    return response.get_data(as_text=True)


def submit(store, body, *, thread="shared", author="Reader", email="shared@example.com", ip="", at=0):
    return store.submit(NewComment(thread=thread, author=author, email=email, body=body, ip=ip),
                        nonce=f"{body}-{at}", now_ms=1_700_000_000_000 + at).id


def make_moderator(app, key, name, role="admin"):
    with app.app_context():
        sites.use(site(app, key))
        accounts.create_moderator(name, PASSWORD, role, actor="test")


def log_in(app, host, name):
    client = on(app, host)
    token = csrf_token(client.get("/moderate/login"))
    response = client.post("/moderate/login", data={"username": name, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, text(response)
    client.csrf = csrf_token(client.get("/moderate/log"))
    return client


# The SITES file

def config(**overrides):
    values = {"SITE": "main", "SITES": None, "EMBED_ORIGINS": "*", "DEFAULT_LOCALE": "ar", "TIMEZONE": "UTC",
              "LANGUAGES": ("ar", "en")}
    values.update(overrides)
    return values


def test_sites_load_from_toml_with_defaults_from_the_settings(sites_file):
    ar, en = sites.load(config(SITES=str(sites_file), TIMEZONE="Asia/Amman"))
    assert (ar.key, ar.name, ar.hosts, ar.embed_origins, ar.default_locale, ar.timezone) == (
        "ar", "الدفاع العربي", ("ar.example",), ("https://www.ar-news.example",), "ar", "Asia/Amman")
    assert (en.hosts, en.default_locale, en.timezone) == (("en.example", "comments.en.example"), "en", "Africa/Cairo")


def test_sites_load_from_json(tmp_path):
    path = tmp_path / "sites.json"
    path.write_text(json.dumps({"sites": {"main": {"hosts": ["Comments.Example."]}}}))
    [main] = sites.load(config(SITES=str(path)))
    assert (main.key, main.name, main.hosts, main.embed_origins) == ("main", "main", ("comments.example",), ("*",))


def test_sites_without_a_file_is_the_one_site_at_any_host():
    [main] = sites.load(config(SITE="News.Site", EMBED_ORIGINS="https://a.example https://b.example"))
    assert (main.key, main.hosts, main.embed_origins) == ("News.Site", (), ("https://a.example", "https://b.example"))
    with pytest.raises(sites.InvalidSites, match="hash tag"):
        sites.load(config(SITE="{bad}"))


@pytest.mark.parametrize(("content", "message"), [
    ("[sites.Bad-Key]\nhosts = ['a.example']", "a key is 1 to 40 lower-case letters"),
    ("[sites.a]\nhosts = ['a.example']\n[sites.b]\nhosts = ['a.example']", "listed by both a and b"),
    ("[sites.a]\nhost = ['a.example']", "unknown setting host"),
    ("[sites.a]\nname = 'A'", "hosts lists no host name"),
    ("[sites.a]\nhosts = ['https://a.example']", "is not a host name"),
    ("[sites.a]\nhosts = ['a.example']\ndefault_locale = 'fr'", "default_locale must be one of ar, en"),
    ("[sites.a]\nhosts = ['a.example']\nembed_origins = ['www.a.example']", "is not an origin"),
    ("[sites.a]\nhosts = 'a.example'\nname = 3", "name and timezone are text"),
    ("title = 'no sites'", "lists no sites"),
    ("[sites.a\n", "is not valid TOML"),
])
def test_sites_file_mistakes_stop_start_up_with_a_message(tmp_path, content, message):
    path = tmp_path / "sites.toml"
    path.write_text(content)
    with pytest.raises(sites.InvalidSites, match=re.escape(message)):
        sites.load(config(SITES=str(path)))


def test_sites_file_missing_stops_start_up(make_app, tmp_path):
    with pytest.raises(sites.InvalidSites, match="cannot read"):
        make_app(SITES=str(tmp_path / "nowhere.toml"))


# Which site a request is for

def test_sites_each_host_is_served_its_own_site(two_sites, redis_client):
    ar_client, en_client = on(two_sites, "ar.example"), on(two_sites, "comments.en.example:8443")
    for client, body in ((ar_client, "تعليق على الموقع العربي"), (en_client, "a comment on the English site")):
        token = form_token(client.get("/threads/shared"))
        response = client.post("/threads/shared", data={"comment": body, "author": "نور", "email": "n@example.com",
                                                        "token": token})
        assert response.status_code == 303
    [ar_comment] = site(two_sites, "ar").store.queue_page("", 0).comments
    [en_comment] = site(two_sites, "en").store.queue_page("", 0).comments
    assert (ar_comment.body, en_comment.body) == ("تعليق على الموقع العربي", "a comment on the English site")
    assert (ar_comment.id, en_comment.id) == (1, 1)  # each site counts its own ids
    assert redis_client.keys("cm:{main}:*") == []
    # The same article key on both sites: each page shows its own comments (its own rendered pages too).
    site(two_sites, "ar").store.decide(1, Decision.APPROVE, "m", 1)
    site(two_sites, "en").store.decide(1, Decision.APPROVE, "m", 1)
    # In the same language, so that only the site tells the two pages apart.
    ar_page, en_page = text(ar_client.get("/threads/shared?lang=ar")), text(en_client.get("/threads/shared?lang=ar"))
    ar_json = ar_client.get("/api/v1/threads/shared/comments").get_json()
    en_json = en_client.get("/api/v1/threads/shared/comments").get_json()
    assert ([c["body_html"] for c in ar_json["comments"]], [c["body_html"] for c in en_json["comments"]]) == (
        ["<p>تعليق على الموقع العربي</p>"], ["<p>a comment on the English site</p>"])
    assert "تعليق على الموقع العربي" in ar_page and "English site" not in ar_page
    assert "English site" in en_page and "الموقع العربي" not in en_page


def test_sites_an_unknown_host_is_404_and_health_still_answers(two_sites):
    stranger = on(two_sites, "elsewhere.example")
    response = stranger.get("/threads/shared")
    assert response.status_code == 404
    assert "لا تُعرض تعليقات على هذا العنوان." in text(response)
    api = stranger.get("/api/v1/threads/shared/comments")
    assert (api.status_code, api.get_json()["error"]) == (404, "unknown_site")
    assert stranger.get("/moderate/login").status_code == 404
    assert stranger.get("/healthz").status_code == 200
    ready = stranger.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["sites"] == {"ar": "up", "en": "up"}


def test_sites_default_language_and_time_zone_are_the_sites(two_sites):
    assert 'lang="ar" dir="rtl"' in text(on(two_sites, "ar.example").get("/threads/t"))
    assert 'lang="en" dir="ltr"' in text(on(two_sites, "en.example").get("/threads/t"))
    with two_sites.test_request_context("/threads/t", base_url="http://en.example"):
        two_sites.preprocess_request()
        assert g.site.key == "en"
        from moderation.i18n import select_timezone
        assert select_timezone() == "Africa/Cairo"


def test_sites_form_token_of_one_site_is_refused_by_another(two_sites):
    ar_client, en_client = on(two_sites, "ar.example"), on(two_sites, "en.example")
    token = form_token(ar_client.get("/threads/shared"))
    response = en_client.post("/threads/shared?lang=en", data={"comment": "hello", "author": "a",
                                                               "email": "a@example.com", "token": token})
    assert response.status_code == 400
    assert "belongs to another page" in text(response)
    assert "hello" in text(response)  # the reader's text is kept
    assert site(two_sites, "en").store.pending_count() == 0


def test_sites_one_comments_host_serves_another_sites_embed(two_sites):
    """embed.js's data-site: the iframe asks for ?site=ar, framed only by ar's origins, its form posting to ar."""
    store = site(two_sites, "ar").store
    store.decide(submit(store, "من الموقع العربي"), Decision.APPROVE, "m", 1)
    client = on(two_sites, "comments.en.example")
    response = client.get("/embed/shared?site=ar&origin=https://www.ar-news.example")
    assert response.status_code == 200
    assert "من الموقع العربي" in text(response)
    assert "frame-ancestors 'self' https://www.ar-news.example;" in response.headers["Content-Security-Policy"] + ";"
    assert 'action="/embed/shared?' in text(response) and "site=ar" in text(response)
    token = form_token(response)
    posted = client.post("/embed/shared?site=ar&origin=https://www.ar-news.example",
                         data={"comment": "رد عبر مضيف مشترك", "author": "قارئ", "email": "q@example.com",
                               "token": token}, headers={"Origin": "https://www.ar-news.example"})
    assert posted.status_code == 303 and "site=ar" in posted.headers["Location"]
    assert [c.body for c in store.queue_page("", 0).comments] == ["رد عبر مضيف مشترك"]
    assert site(two_sites, "en").store.pending_count() == 0
    # en's own origins may not post into ar's embed.
    refused = client.post("/embed/shared?site=ar", headers={"Origin": "https://www.en-news.example"},
                          data={"comment": "x", "author": "a", "email": "a@example.com",
                                "token": form_token(client.get("/embed/shared?site=ar"))})
    assert refused.status_code == 403
    assert on(two_sites, "en.example").get("/threads/shared?site=nope").status_code == 404


def test_sites_the_console_never_takes_a_site_parameter(two_sites):
    make_moderator(two_sites, "en", "enboss")
    client = on(two_sites, "ar.example")
    response = client.post("/moderate/login?site=en", data={
        "username": "enboss", "password": PASSWORD,
        "csrf_token": csrf_token(client.get("/moderate/login?site=en"))})
    assert response.status_code == 401  # ar knows no enboss


def test_sites_setup_link_per_site(two_sites):
    runner = two_sites.test_cli_runner()
    result = runner.invoke(args=["moderators", "setup-link", "--site", "en"])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://en.example/moderate/setup?token=")
    path = link.removeprefix("https://en.example")
    assert on(two_sites, "en.example").get(path).status_code == 200
    assert on(two_sites, "ar.example").get(path).status_code == 404  # not ar's link


def test_sites_cli_takes_site_and_needs_it_when_there_are_several(two_sites):
    runner = two_sites.test_cli_runner()
    result = runner.invoke(args=["moderators", "create", "sara", "--role", "admin", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 2 and "--site (ar, en)" in result.output
    result = runner.invoke(args=["moderators", "create", "sara", "--site", "en", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "sara" in runner.invoke(args=["moderators", "list", "--site", "en"]).output
    assert "sara" not in runner.invoke(args=["moderators", "list", "--site", "ar"]).output
    assert "no site 'xx'" in runner.invoke(args=["moderators", "list", "--site", "xx"]).output
    submit(site(two_sites, "en").store, "waiting")
    assert runner.invoke(args=["comments", "pending", "--site", "en"]).output.strip() == "1 pending"
    assert runner.invoke(args=["comments", "pending", "--site", "ar"]).output.strip() == "0 pending"
    listed = runner.invoke(args=["sites", "list"]).output.splitlines()
    assert listed[0].startswith("ar\tالدفاع العربي\tar.example\tslot ")
    assert listed[1].startswith("en\tDefence English\ten.example comments.en.example\tslot ")


def test_sites_metrics_are_labelled_by_site(two_sites):
    client = on(two_sites, "en.example")
    submitted = {key: f'comments_submitted_total{{outcome="pending",site="{key}"}}' for key in ("ar", "en")}
    before = text(client.get("/metrics"))
    client.post("/threads/t", data={"comment": "c", "author": "a", "email": "a@example.com",
                                    "token": form_token(client.get("/threads/t"))})
    metrics = text(client.get("/metrics"))
    assert value(metrics, submitted["en"]) - value(before, submitted["en"]) == 1
    assert value(metrics, submitted["ar"]) == value(before, submitted["ar"])
    assert 'comments_waiting{list="queue",site="en"} 1.0' in metrics
    assert 'comments_waiting{list="queue",site="ar"} 0.0' in metrics
    assert 'http_request_duration_seconds_count{method="POST",route="/threads/<thread>",site="en",status="303"}' \
        in metrics


def test_sites_spool_keeps_the_site_of_each_comment(make_app, sites_file, tmp_path):
    instance = tmp_path / "shared-instance"
    away = make_app(SITES=str(sites_file), REDIS_URL=f"unix://{tmp_path}/none.sock", INSTANCE_PATH=str(instance),
                    REDIS_SOCKET_TIMEOUT_SECONDS=0.5, SPOOL_REPLAY_SECONDS=3600)
    up = make_app(SITES=str(sites_file), INSTANCE_PATH=str(instance))
    token = form_token(on(up, "en.example").get("/threads/t"))
    response = on(away, "en.example").post("/threads/t", data={"comment": "kept while away", "author": "a",
                                                               "email": "a@example.com", "token": token})
    assert response.status_code == 303 and "received=1" in response.headers["Location"]
    [record] = [json.loads(line) for line in (instance / "spool.jsonl").read_text().splitlines()]
    assert record["site"] == "en"
    with up.app_context():
        assert services.replay_spool() == 1
    assert [c.body for c in site(up, "en").store.queue_page("", 0).comments] == ["kept while away"]
    assert site(up, "ar").store.pending_count() == 0


# Isolation: a moderator of one site sees nothing of another

@pytest.fixture
def en_data(two_sites):
    """Site en full of what ar must never show; ar with a little of its own."""
    en, ar = site(two_sites, "en").store, site(two_sites, "ar").store
    make_moderator(two_sites, "en", "enboss")
    make_moderator(two_sites, "ar", "arboss")
    ids = [submit(en, f"EN-SECRET-BODY {i}", author="EN-SECRET-AUTHOR", email=email, ip="198.51.100.77", at=i)
           for i, email in enumerate(["en.secret@example.com", "shared@example.com"] * 5)]
    en.decide(ids[0], Decision.APPROVE, "enboss", 1_700_000_100_000)
    en.decide(ids[1], Decision.REJECT, "enboss", 1_700_000_100_000)
    with two_sites.app_context():
        sites.use(site(two_sites, "en"))
        from moderation import screening
        screening.save_rules({"blocked_words": "ensecretrule"}, "enboss")
    en.submit(NewComment(thread="shared", author="EN-SECRET-AUTHOR", email="en.secret@example.com",
                         body="EN-SECRET-BODY spam"), nonce="spam", now_ms=1, intake=Intake(status="spam"))
    submit(ar, "تعليق عربي", author="قارئ")
    return ids


def console_paths(app, comment_ids):
    """Every GET route of the console and the API, with ids and names of the other site filled in."""
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("moderate.", "api.", "reader.")) or "GET" not in rule.methods:
            continue
        if "comment_id" in rule.arguments:
            for comment_id in comment_ids:
                if "action" in rule.arguments:
                    paths += [f"/moderate/comments/{comment_id}/{a}" for a in ("approve", "reject", "undo", "edit")]
                else:
                    paths.append(rule.rule.replace("<int:comment_id>", str(comment_id)))
        elif "thread" in rule.arguments:
            paths.append(rule.rule.replace("<thread>", "shared"))
        else:
            paths.append(rule.rule)
    extra = ["/moderate/?thread=shared", "/moderate/?email=shared@example.com", "/moderate/updates?after=0-0",
             "/api/v1/counts?thread=shared", "/moderate/spam"]
    return paths + extra


def test_sites_a_moderator_sees_nothing_of_another_site_on_any_route(two_sites, en_data):
    client = log_in(two_sites, "ar.example", "arboss")
    seen = 0
    for path in console_paths(two_sites, [*en_data, 99]):
        with client.get(path) as response:
            body = text(response)
        assert response.status_code < 500, path
        for secret in EN_SECRETS:
            assert secret not in body, f"{path} shows {secret}"
        seen += response.status_code == 200
    assert seen > 20  # the walk reached real pages, not only refusals


def test_sites_a_moderator_cannot_change_another_sites_comments(two_sites, en_data):
    client = log_in(two_sites, "ar.example", "arboss")
    en = site(two_sites, "en").store
    only_en = en_data[-1]  # ar has a single comment: this id exists on en alone
    for action in ("approve", "reject", "undo", "rescue"):
        response = client.post(f"/moderate/comments/{only_en}/{action}", data={"csrf_token": client.csrf},
                               headers={"Accept": "application/json"})
        assert response.status_code == 404, action
    client.post(f"/moderate/comments/{only_en}/edit", data={"csrf_token": client.csrf, "body": "changed"})
    client.post("/moderate/bulk", data={"csrf_token": client.csrf, "action": "reject", "ids": [str(only_en)]})
    client.post("/moderate/spam/empty", data={"csrf_token": client.csrf})
    client.post("/moderate/moderators/enboss/remove", data={"csrf_token": client.csrf})
    got = en.get(only_en)
    assert (got.status, got.body) == ("pending", f"EN-SECRET-BODY {len(en_data) - 1}")
    assert en.spam_count() == 1
    with two_sites.app_context():
        sites.use(site(two_sites, "en"))
        assert [m.name for m in accounts.list_moderators()] == ["enboss"]


def test_sites_a_session_of_one_site_opens_nothing_on_another(two_sites, en_data):
    en_client = log_in(two_sites, "en.example", "enboss")
    cookie = en_client.get_cookie("moderation", domain="en.example")
    intruder = on(two_sites, "ar.example")
    intruder.set_cookie("moderation", cookie.value, domain="ar.example")
    for path in console_paths(two_sites, en_data[:2]):
        if not path.startswith("/moderate/") or path.startswith(("/moderate/login", "/moderate/setup")):
            continue
        response = intruder.get(path, headers={"Accept": "text/html"})
        assert response.status_code in {302, 401}, path
        assert "/moderate/login" in response.headers.get("Location", "/moderate/login"), path
