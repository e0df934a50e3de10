"""The Approve / Reject links of a moderator's mail: signed, expiring, a GET that changes nothing."""

import re
import time

import itsdangerous
import pytest

from moderation.models import NewComment
from moderation.notify import links

from .conftest import logged_in


@pytest.fixture
def pending(app, team):
    store = app.extensions["sites"].get("main").store
    return store.submit(NewComment(thread="article-1", author="نور", email="r@example.com", body="تعليق ينتظر",
                                   ip="203.0.113.7"), nonce="n1", now_ms=int(time.time() * 1000)).id


def link(app, comment_id, action="approve", moderator="mona", site="main"):
    with app.app_context():
        return f"/moderate/mail/{links.make_token(site, comment_id, action, moderator)}"


def confirm(client, path):
    """Open the link, then press its button as a browser would."""
    page = client.get(path)
    if page.status_code != 200:
        return page
    assert '<form method="post">' in page.get_data(as_text=True)
    return client.post(path)


def status(app, comment_id):
    return app.extensions["sites"].get("main").store.get(comment_id)


def test_link_get_shows_a_confirmation_and_changes_nothing(app, pending):
    client = app.test_client()
    for _ in range(3):  # a mail scanner may follow it as often as it likes
        page = client.get(link(app, pending))
        assert page.status_code == 200
        assert "تعليق ينتظر" in page.get_data(as_text=True)
        assert re.search(r'<form method="post">', page.get_data(as_text=True))
    assert status(app, pending).status == "pending"


@pytest.mark.parametrize("action,expected", [("approve", "approved"), ("reject", "rejected")])
def test_link_post_decides_once_audited_under_the_moderator(app, pending, action, expected, redis_client):
    client = app.test_client()
    answer = confirm(client, link(app, pending, action))
    assert answer.status_code == 200
    comment = status(app, pending)
    assert comment.status == expected and comment.decided_by == "mona"
    [entry] = [f for _, f in redis_client.xrange("cm:{main}:audit") if f.get("action") == expected]
    assert entry["moderator"] == "mona" and entry["id"] == str(pending)
    # Reused after the decision: the page says so, and nothing changes.
    again = confirm(client, link(app, pending, "reject" if action == "approve" else "approve"))
    assert again.status_code == 409 and "mona" in again.get_data(as_text=True)
    assert status(app, pending).status == expected


def test_link_someone_else_decided_first_is_409(app, pending):
    client = app.test_client()
    path = link(app, pending)
    assert client.get(path).status_code == 200
    admin = logged_in(app, "ali")
    assert admin.post(f"/moderate/comments/{pending}/reject", data={"csrf_token": admin.csrf}).status_code == 303
    answer = client.post(path)
    assert answer.status_code == 409 and "ali" in answer.get_data(as_text=True)
    assert status(app, pending).decided_by == "ali"


def test_link_starts_no_session_and_keeps_a_login(app, pending):
    """The session cookie is SameSite=Strict: a link followed from a webmail comes without it, and a
    page that started a new session there would log the moderator out."""
    page = app.test_client().get(link(app, pending))
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    mona = logged_in(app, "mona")
    assert confirm(mona, link(app, pending)).status_code == 200
    assert mona.get("/moderate/").status_code == 200


def test_link_expired_is_410(app, pending, monkeypatch):
    old = int(time.time()) - 73 * 3600
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: old)
    path = link(app, pending)
    monkeypatch.undo()
    assert confirm(app.test_client(), path).status_code == 410
    assert status(app, pending).status == "pending"


def test_link_expiry_is_a_setting(make_app, team, pending):
    app = make_app(MAIL_ACTION_HOURS=100)
    path = link(app, pending)
    assert app.test_client().get(path).status_code == 200


def test_link_tampered_is_404(app, pending):
    path = link(app, pending)
    token = path.rsplit("/", 1)[1]
    _payload, rest = token.split(".", 1)
    forged = itsdangerous.URLSafeSerializer("x").dump_payload(["main", pending, "approve", "ali"]).decode()
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), f"{forged}.{rest}", "nonsense"):
        assert app.test_client().get(f"/moderate/mail/{bad}").status_code == 404
    assert status(app, pending).status == "pending"


def test_link_of_a_removed_moderator_or_another_site_is_refused(app, pending, make_moderator):
    make_moderator("sami")
    path = link(app, pending, moderator="sami")
    with app.app_context():
        from moderation import accounts

        accounts.remove_moderator("sami", actor="ali")
    assert confirm(app.test_client(), path).status_code == 403
    assert confirm(app.test_client(), link(app, pending, site="other")).status_code == 404
    assert status(app, pending).status == "pending"


def test_link_opened_while_logged_in_as_another_moderator_is_refused(app, pending):
    ali = logged_in(app, "ali")
    path = link(app, pending, moderator="mona")
    assert ali.get(path).status_code == 403
    assert ali.post(path).status_code == 403
    assert status(app, pending).status == "pending"
    mona = logged_in(app, "mona")
    assert confirm(mona, path).status_code == 200


def test_link_of_a_site_of_several_carries_its_host(make_app, tmp_path):
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text('[sites.ar]\nhosts = ["ar.example"]\n[sites.en]\nhosts = ["en.example"]\n'
                          'default_locale = "en"\n', encoding="utf-8")
    app = make_app(SITES=str(sites_file), PUBLIC_URL="https://proxy.example:8443/comments")
    with app.app_context():
        url = links.action_url(app.extensions["sites"].get("en"), 7, "reject", "sam")
        assert url.startswith("https://en.example:8443/comments/moderate/mail/")
        assert links.read_token(url.rsplit("/", 1)[1]) == ("en", 7, "reject", "sam")
