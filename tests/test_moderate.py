"""The moderator console, against a real Redis."""

import re
import threading
from datetime import UTC, datetime

import pytest

from moderation.models import Decision, NewComment

from .conftest import PASSWORD, csrf_token, log_in, logged_in


def text(response):
    return response.get_data(as_text=True)


def submit(store, thread="article-1", n=1, start_ms=None, same_ms=False, **fields):
    """Queue ``n`` comments straight through the store; returns their ids."""
    start_ms = start_ms or int(datetime.now(UTC).timestamp() * 1000) - 60_000
    ids = []
    for i in range(n):
        values = {"author": f"Reader {i}", "email": f"reader{i}@example.com", "body": f"comment body {i}",
                  "ip": "203.0.113.7"}
        values.update(fields)
        comment_id = store.submit(NewComment(thread=thread, **values), nonce=f"{thread}-{start_ms}-{i}",
                                     now_ms=start_ms if same_ms else start_ms + i).id
        ids.append(comment_id)
    return ids


def item_ids(page):
    return [int(i) for i in re.findall(r'<article class="item[^"]*" id="item-(\d+)"', text(page))]


def post(client, path, json=False, **data):
    data.setdefault("csrf_token", client.csrf)
    headers = {"Accept": "application/json"} if json else {}
    return client.post(path, data=data, headers=headers)


@pytest.fixture
def other_client(app, make_moderator):
    """A second moderator, "omar", logged in on another client of the same app."""
    make_moderator("omar")
    return logged_in(app, "omar")


@pytest.fixture
def admin_client(app, team):
    return logged_in(app, "ali")


# Access

@pytest.mark.parametrize("path", ["/moderate/", "/moderate/log", "/moderate/moderators", "/moderate/comments/1",
                                  "/moderate/updates"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/moderate/login?next=")


def test_anonymous_script_gets_401(client):
    response = client.get("/moderate/updates", headers={"Accept": "application/json"})
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/moderate/comments/1/approve", "/moderate/comments/1/reject",
                                  "/moderate/comments/1/undo", "/moderate/comments/1/edit", "/moderate/bulk",
                                  "/moderate/logout", "/moderate/claims", "/moderate/moderators"])
def test_post_without_csrf_is_refused(moderator_client, store, path):
    [comment_id] = submit(store)
    response = moderator_client.post(path.replace("/1/", f"/{comment_id}/"), data={"ids": str(comment_id)})
    assert response.status_code == 400
    assert store.get(comment_id).status == "pending"


def test_moderator_cannot_reach_admin_pages(moderator_client):
    assert moderator_client.get("/moderate/moderators").status_code == 403
    response = post(moderator_client, "/moderate/moderators/ali/remove")
    assert response.status_code == 403
    response = post(moderator_client, "/moderate/moderators/ali/password", password="x" * 20)
    assert response.status_code == 403


# Login

def test_login_renews_session_and_sets_strict_cookie(make_app, make_moderator, redis_client):
    app = make_app()
    make_moderator("mona")
    client = app.test_client()
    token = csrf_token(client.get("/moderate/login"))
    before = client.get_cookie("moderation").value
    response = client.post("/moderate/login", data={"username": "mona", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert client.get_cookie("moderation").value != before
    [session_key] = redis_client.keys("cm:{main}:session:*")
    assert 0 < redis_client.pttl(session_key) <= 8 * 3600 * 1000
    # A second login starts another session id.
    other = app.test_client()
    log_in(other, "mona")
    assert len(redis_client.keys("cm:{main}:session:*")) == 2


def test_login_cookie_under_https_is_host_prefixed_and_secure(make_app, make_moderator):
    app = make_app(PREFERRED_URL_SCHEME="https")
    make_moderator("mona")
    client = app.test_client()
    https = "https://comments.example"
    token = csrf_token(client.get("/moderate/login", base_url=https))
    response = client.post("/moderate/login", base_url=https, headers={"Referer": https + "/moderate/login"},
                           data={"username": "mona", "password": PASSWORD, "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-moderation=")
    assert "Secure" in cookie


def test_login_wrong_password_is_401_with_message(make_app, make_moderator):
    app = make_app()
    make_moderator("mona")
    client = app.test_client()
    response = log_in(client, "mona", "wrong password!")
    assert response.status_code == 401
    assert "اسم المستخدم أو كلمة المرور غير صحيحة" in text(response)
    assert client.get("/moderate/").status_code == 302


def test_login_throttled_per_account(make_app, make_moderator, redis_client):
    app = make_app()
    make_moderator("mona")
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, "mona", "wrong password!").status_code == 401
    response = log_in(client, "mona")  # even the right password waits now
    assert response.status_code == 429
    assert "محاولات فاشلة كثيرة" in text(response)
    assert 0 < redis_client.ttl("cm:{main}:login-failures:account:mona") <= 900


def test_login_throttled_per_address(make_app, make_moderator):
    app = make_app()
    make_moderator("mona")
    client = app.test_client()
    for i in range(5):
        log_in(client, f"guess{i}", "wrong password!")
    assert log_in(client, "mona").status_code == 429


@pytest.mark.parametrize(("target", "expected"), [
    ("/moderate/log", "/moderate/log"),
    ("//evil.example/x", "/moderate/"),
    ("https://evil.example/", "/moderate/"),
    ("/\\evil.example", "/moderate/"),
    ("javascript:alert(1)", "/moderate/"),
])
def test_login_next_only_to_our_own_paths(make_app, make_moderator, target, expected):
    app = make_app()
    make_moderator("mona")
    client = app.test_client()
    response = log_in(client, "mona", next_path=target)
    assert response.headers["Location"] == expected


def test_logout_is_a_post_and_ends_the_session(moderator_client, redis_client):
    assert moderator_client.get("/moderate/logout").status_code == 405
    stolen = moderator_client.get_cookie("moderation").value
    response = post(moderator_client, "/moderate/logout")
    assert response.status_code == 303
    assert redis_client.keys("cm:{main}:session:*") == []
    moderator_client.set_cookie("moderation", stolen)
    assert moderator_client.get("/moderate/").status_code == 302


def test_idle_session_expires(moderator_client, redis_client):
    [session_key] = redis_client.keys("cm:{main}:session:*")
    redis_client.pexpire(session_key, 1)
    redis_client.delete(session_key)  # what expiry does
    assert moderator_client.get("/moderate/").status_code == 302


def test_idle_timeout_is_a_setting(make_app, make_moderator, redis_client):
    app = make_app(SESSION_IDLE_SECONDS=60)
    make_moderator("mona")
    log_in(app.test_client(), "mona")
    [session_key] = redis_client.keys("cm:{main}:session:*")
    assert 0 < redis_client.pttl(session_key) <= 60_000


def test_idle_timeout_slides_without_a_write_on_every_request(make_app, make_moderator, redis_client):
    """Each write costs an fsync: the timeout is pushed back only once it ran down by a minute."""
    app = make_app(SESSION_IDLE_SECONDS=3600)
    make_moderator("mona")
    client = app.test_client()
    log_in(client, "mona")
    [session_key] = redis_client.keys("cm:{main}:session:*")
    redis_client.pexpire(session_key, 3_600_000 - 10_000)
    assert client.get("/moderate/").status_code == 200
    assert redis_client.pttl(session_key) <= 3_600_000 - 10_000  # ten seconds idle: left as it was
    redis_client.pexpire(session_key, 3_600_000 - 120_000)
    assert client.get("/moderate/").status_code == 200
    assert redis_client.pttl(session_key) > 3_600_000 - 10_000  # two minutes idle: a full hour again


def test_password_never_logged(make_app, make_moderator, caplog):
    caplog.set_level("DEBUG")
    app = make_app()
    make_moderator("mona")
    client = app.test_client()
    log_in(client, "mona", "wrong secret password")
    log_in(client, "mona")
    assert "wrong secret password" not in caplog.text
    assert PASSWORD not in caplog.text


def test_password_hashed_with_argon2(app, make_moderator, redis_client):
    make_moderator("mona")
    stored = redis_client.hget("cm:{main}:moderator:mona", "password")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


# First-run setup link

def test_setup_link_creates_first_admin_once(app, client, redis_client):
    from moderation import accounts

    with app.app_context():
        token = accounts.issue_setup_token()
    assert token
    assert client.get("/moderate/setup?token=wrong").status_code == 404
    page = client.get(f"/moderate/setup?token={token}")
    assert page.status_code == 200
    data = {"token": token, "username": "ali", "password": PASSWORD, "confirm": PASSWORD,
            "csrf_token": csrf_token(page)}
    response = client.post("/moderate/setup", data=data)
    assert response.status_code == 303
    assert redis_client.hget("cm:{main}:moderators", "ali") == "admin"
    assert client.get("/moderate/").status_code == 200  # logged in as the new admin
    other = app.test_client()
    assert other.get(f"/moderate/setup?token={token}").status_code == 404
    with app.app_context():
        assert accounts.issue_setup_token() is None


def test_setup_link_checks_the_password(app, client):
    from moderation import accounts

    with app.app_context():
        token = accounts.issue_setup_token()
    page = client.get(f"/moderate/setup?token={token}")
    data = {"token": token, "username": "ali", "password": PASSWORD, "confirm": "different password",
            "csrf_token": csrf_token(page)}
    response = client.post("/moderate/setup", data=data)
    assert response.status_code == 400
    assert client.get(f"/moderate/setup?token={token}").status_code == 200  # still usable


# The queue

def test_queue_shows_pending_oldest_first_with_everything_a_moderator_needs(moderator_client, store):
    [parent] = submit(store, thread="article-1", author="Parent", start_ms=1_700_000_000_000)
    store.decide(parent, Decision.APPROVE, "ali", now_ms=1_700_000_000_500)
    ids = submit(store, n=3, url="https://reader.example/", body="<b>bold</b> text")
    [reply] = submit(store, thread="article-1", parent=parent, start_ms=1_800_000_000_000, author="Replier")
    page = moderator_client.get("/moderate/")
    assert item_ids(page) == [*ids, reply]
    html = text(page)
    assert "reader0@example.com" in html
    assert "203.0.113.7" in html
    assert "https://reader.example/" in html
    assert "&lt;b&gt;bold&lt;/b&gt; text" in html
    assert 'href="/threads/article-1"' in html
    assert f'href="/moderate/comments/{parent}">#{parent}</a>' in html
    assert "قبل دقيقة واحدة" in html  # "a minute ago", localised


def test_queue_age_in_english(moderator_client, store):
    submit(store, start_ms=int(datetime.now(UTC).timestamp() * 1000) - 3 * 60_000)
    assert "3 minutes ago" in text(moderator_client.get("/moderate/?lang=en"))


def test_queue_pages_of_50_with_a_cursor(moderator_client, store):
    ids = submit(store, n=120)
    seen, url = [], "/moderate/"
    while url:
        page = moderator_client.get(url)
        seen.append(item_ids(page))
        match = re.search(r'href="([^"]*cursor=[^"]*)" rel="next"', text(page))
        url = match.group(1).replace("&amp;", "&") if match else None
    assert [len(p) for p in seen] == [50, 50, 20]
    assert [i for p in seen for i in p] == ids


def test_queue_cursor_handles_comments_of_the_same_millisecond(moderator_client, store):
    ids = submit(store, n=75, same_ms=True)
    first = moderator_client.get("/moderate/")
    cursor = re.search(r'cursor=([^"&]+)', text(first)).group(1)
    second = moderator_client.get(f"/moderate/?cursor={cursor}")
    assert sorted(item_ids(first) + item_ids(second)) == sorted(ids)
    assert not set(item_ids(first)) & set(item_ids(second))


def test_queue_filters_by_thread_and_by_email(moderator_client, store):
    a = submit(store, thread="a", n=2)
    b = submit(store, thread="b", n=3, email="Same.Person@Example.com")
    assert item_ids(moderator_client.get("/moderate/?thread=a")) == a
    assert item_ids(moderator_client.get("/moderate/?thread=b")) == b
    assert item_ids(moderator_client.get("/moderate/?email=same.person@example.com")) == b
    page = text(moderator_client.get("/moderate/?thread=b&lang=en"))
    assert "3 comments waiting under this filter" in page


def test_queue_counts_total_and_busiest_threads(moderator_client, store):
    submit(store, thread="quiet", n=1)
    submit(store, thread="busy", n=4)
    page = text(moderator_client.get("/moderate/?lang=en"))
    assert "5 comments waiting" in page
    busiest = re.search(r'class="busiest">(.*?)</details>', page, re.S).group(1)
    assert busiest.index("busy") < busiest.index("quiet")


def test_queue_in_arabic_is_rtl(moderator_client, store):
    submit(store)
    page = text(moderator_client.get("/moderate/?lang=ar"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "قائمة الانتظار" in page
    # The choice sticks for this moderator.
    assert '<html lang="ar" dir="rtl">' in text(moderator_client.get("/moderate/log"))


def test_each_request_gets_the_language_and_the_answer_it_asks_for(moderator_client, store):
    # The Accept headers are parsed once per distinct value (i18n.best_language, auth.prefers_json).
    for language, direction in (("en", "ltr"), ("ar", "rtl"), ("en", "ltr")):
        page = text(moderator_client.get("/moderate/", headers={"Accept-Language": language}))
        assert f'<html lang="{language}" dir="{direction}">' in page
    first, second = submit(store, n=2)
    assert post(moderator_client, f"/moderate/comments/{first}/approve", json=True).get_json()["id"] == first
    assert post(moderator_client, f"/moderate/comments/{second}/approve").status_code == 303
    assert post(moderator_client, "/moderate/comments/999/approve", json=True).get_json()["error"] == "not_found"


def test_queue_pages_cannot_be_framed(moderator_client):
    response = moderator_client.get("/moderate/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


# Claims

def test_claims_give_two_moderators_different_comments(moderator_client, other_client, store):
    ids = submit(store, n=60)
    mona = item_ids(moderator_client.get("/moderate/"))
    assert mona == ids[:50]
    omar_page = other_client.get("/moderate/?lang=en")
    assert item_ids(omar_page)[:10] == ids[50:]
    assert "Being reviewed by mona" in text(omar_page)


def test_claimed_comment_refused_to_others_until_expiry_admin_overrides(moderator_client, other_client,
                                                                      admin_client, store, redis_client):
    [comment_id] = submit(store)
    moderator_client.get("/moderate/")
    response = post(other_client, f"/moderate/comments/{comment_id}/approve", json=True)
    assert response.status_code == 409
    assert response.get_json()["by"] == "mona"
    response = post(other_client, f"/moderate/comments/{comment_id}/approve", json=True, force="y")
    assert response.status_code == 409  # force is for admins only
    redis_client.delete(f"cm:{{main}}:claim:{comment_id}")  # what the claim's expiry does
    assert post(other_client, f"/moderate/comments/{comment_id}/approve", json=True).status_code == 200
    [second] = submit(store, start_ms=1_800_000_000_000)
    moderator_client.get("/moderate/")
    assert post(admin_client, f"/moderate/comments/{second}/reject", json=True, force="y").status_code == 200


def test_claims_expire_by_themselves(moderator_client, store, redis_client):
    [comment_id] = submit(store)
    moderator_client.get("/moderate/")
    assert 0 < redis_client.pttl(f"cm:{{main}}:claim:{comment_id}") <= 120_000


# Decisions

def test_approve_publishes_and_flashes_with_undo(moderator_client, client, store):
    [comment_id] = submit(store, body="رأي منشور")
    response = post(moderator_client, f"/moderate/comments/{comment_id}/approve", next="/moderate/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/"
    page = text(moderator_client.get("/moderate/"))
    assert f"تمت الموافقة على التعليق {comment_id}." in page
    assert f'action="/moderate/comments/{comment_id}/undo"' in page
    assert "رأي منشور" in text(client.get("/threads/article-1"))


def test_reject_with_reason_never_published(moderator_client, client, store, redis_client):
    [comment_id] = submit(store, body="كلام مسيء")
    response = post(moderator_client, f"/moderate/comments/{comment_id}/reject", reason="abuse", note="insults")
    assert response.status_code == 303
    assert store.get(comment_id).reason == "abuse: insults"
    assert "كلام مسيء" not in text(client.get("/threads/article-1"))
    [(_, entry)] = redis_client.xrange("cm:{main}:audit", "-", "+")[-1:]
    assert entry["action"] == "rejected" and entry["reason"] == "abuse: insults"


def test_decided_twice_tells_who_and_when(moderator_client, admin_client, store):
    [comment_id] = submit(store)
    assert post(admin_client, f"/moderate/comments/{comment_id}/approve", json=True).status_code == 200
    response = post(moderator_client, f"/moderate/comments/{comment_id}/reject", json=True)
    assert response.status_code == 409
    body = response.get_json()
    assert (body["error"], body["status"], body["by"]) == ("already_decided", "approved", "ali")
    assert body["at"]
    post(moderator_client, f"/moderate/comments/{comment_id}/reject")
    page = text(moderator_client.get("/moderate/"))
    assert f"وافق ali على التعليق {comment_id} بالفعل في" in page
    assert store.get(comment_id).status == "approved"


def test_unknown_comment_is_404(moderator_client):
    assert post(moderator_client, "/moderate/comments/999/approve", json=True).status_code == 404
    assert moderator_client.get("/moderate/comments/999").status_code == 404


def test_race_many_moderators_decide_one_comment_once(app, make_moderator, store, redis_client):
    [comment_id] = submit(store)
    clients = []
    for i in range(8):
        make_moderator(f"m{i}", role="admin")
        clients.append(logged_in(app, f"m{i}"))
    redis_client.delete(f"cm:{{main}}:claim:{comment_id}")
    start = threading.Barrier(len(clients))
    codes = []

    def decide(client, action):
        start.wait()
        codes.append(post(client, f"/moderate/comments/{comment_id}/{action}", json=True).status_code)

    threads = [threading.Thread(target=decide, args=(c, "approve" if i % 2 else "reject"))
               for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] + [409] * 7
    decisions = [e for _, e in redis_client.xrange("cm:{main}:audit") if e.get("id") == str(comment_id)]
    assert len(decisions) == 1


def test_bulk_decides_each_once_and_reports_the_rest(moderator_client, admin_client, store, redis_client):
    ids = submit(store, n=4)
    post(admin_client, f"/moderate/comments/{ids[0]}/reject", force="y")
    response = moderator_client.post("/moderate/bulk", data={"csrf_token": moderator_client.csrf,
                                                             "action": "approve", "ids": [str(i) for i in ids]},
                                     headers={"Accept": "application/json"})
    body = response.get_json()
    assert body["done"] == ids[1:]
    assert body["already_decided"] == [ids[0]]
    approvals = [e for _, e in redis_client.xrange("cm:{main}:audit") if e.get("action") == "approved"]
    assert sorted(int(e["id"]) for e in approvals) == ids[1:]


def test_bulk_as_a_plain_form(moderator_client, store):
    ids = submit(store, n=2)
    response = moderator_client.post("/moderate/bulk", data={"csrf_token": moderator_client.csrf,
                                                             "action": "reject", "ids": [str(i) for i in ids]})
    assert response.status_code == 303
    assert all(store.get(i).status == "rejected" for i in ids)
    assert "تم رفض تعليقين." in text(moderator_client.get("/moderate/"))


def test_get_of_an_action_url_confirms_and_changes_nothing(moderator_client, store):
    [comment_id] = submit(store)
    response = moderator_client.get(f"/moderate/comments/{comment_id}/approve")
    assert response.status_code == 200
    assert f'action="/moderate/comments/{comment_id}/approve"' in text(response)
    assert store.get(comment_id).status == "pending"


def test_comment_page_forms_carry_a_token_that_decides(moderator_client, store):
    # The decision form signs its session token when the page shows it, not when it is built.
    [comment_id] = submit(store)
    page = text(moderator_client.get(f"/moderate/comments/{comment_id}"))
    tokens = re.findall(r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">', page)
    assert len(tokens) == 2
    response = moderator_client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": tokens[0]})
    assert response.status_code == 303
    assert store.get(comment_id).status == "approved"


# Undo

def test_undo_by_the_decider_returns_it_to_the_queue(moderator_client, client, store):
    [comment_id] = submit(store, body="رجع للمراجعة")
    post(moderator_client, f"/moderate/comments/{comment_id}/approve")
    response = post(moderator_client, f"/moderate/comments/{comment_id}/undo", json=True)
    assert response.status_code == 200
    assert store.get(comment_id).status == "pending"
    assert "رجع للمراجعة" not in text(client.get("/threads/article-1"))
    assert comment_id in item_ids(moderator_client.get("/moderate/"))
    assert store.pending_count() == 1


def test_undo_of_someone_elses_decision_is_for_admins(moderator_client, other_client, admin_client, store):
    [comment_id] = submit(store)
    post(moderator_client, f"/moderate/comments/{comment_id}/reject")
    assert post(other_client, f"/moderate/comments/{comment_id}/undo", json=True).status_code == 403
    assert post(admin_client, f"/moderate/comments/{comment_id}/undo", json=True).status_code == 200


def test_undo_window_is_a_setting(make_app, make_moderator, store):
    app = make_app(UNDO_WINDOW_SECONDS=-1)  # already past for every decision
    make_moderator("ali", "admin")
    make_moderator("mona")
    client = logged_in(app, "mona")
    [comment_id] = submit(store)
    post(client, f"/moderate/comments/{comment_id}/approve")
    assert post(client, f"/moderate/comments/{comment_id}/undo", json=True).status_code == 403
    admin = logged_in(app, "ali")
    assert post(admin, f"/moderate/comments/{comment_id}/undo", json=True).status_code == 200


# Edit

def test_edit_keeps_the_original_in_the_audit_log(moderator_client, store, redis_client):
    [comment_id] = submit(store, body="typo teh")
    response = post(moderator_client, f"/moderate/comments/{comment_id}/edit", body="typo the")
    assert response.status_code == 303
    assert store.get(comment_id).body == "typo the"
    [entry] = [e for _, e in redis_client.xrange("cm:{main}:audit") if e["action"] == "edited"]
    assert entry["original"] == "typo teh"
    assert entry["moderator"] == "mona"


def test_edit_while_approving_publishes_the_new_text(moderator_client, client, store, redis_client):
    [comment_id] = submit(store, body="visit http://spam.example now")
    post(moderator_client, f"/moderate/comments/{comment_id}/approve", body="visit now")
    page = text(client.get("/threads/article-1"))
    assert "visit now" in page
    assert "spam.example" not in page
    actions = [e["action"] for _, e in redis_client.xrange("cm:{main}:audit")]
    assert actions[-2:] == ["edited", "approved"]


def test_an_approve_with_more_than_the_button_sends_is_checked(moderator_client, store):
    # The queue's plain Approve (token and next only) skips the decision form; anything more goes through it.
    [plain, noted] = submit(store, n=2)
    assert post(moderator_client, f"/moderate/comments/{plain}/approve", next="/moderate/").status_code == 303
    response = post(moderator_client, f"/moderate/comments/{noted}/approve", json=True, note="x" * 301)
    assert response.status_code == 400 and "note" in response.get_json()["fields"]
    assert store.get(plain).status == "approved" and store.get(noted).status == "pending"


def test_an_edit_to_nothing_visible_changes_nothing(moderator_client, client, store):
    [first, second] = submit(store, n=2, body="the reader's words")
    assert post(moderator_client, f"/moderate/comments/{first}/edit", json=True, body="\u200b\u2800").status_code == 400
    assert store.get(first).body == "the reader's words"
    assert post(moderator_client, f"/moderate/comments/{second}/approve", body="\u200b \u200d").status_code == 303
    assert store.get(second).body == "the reader's words"  # approved as written, not emptied


def test_edit_of_a_decided_comment_is_refused(moderator_client, store):
    [comment_id] = submit(store)
    post(moderator_client, f"/moderate/comments/{comment_id}/approve")
    assert post(moderator_client, f"/moderate/comments/{comment_id}/edit", json=True,
                body="changed").status_code == 409


# Live updates

def test_updates_bring_new_comments_and_others_decisions(moderator_client, admin_client, store):
    [old] = submit(store)
    page = text(moderator_client.get("/moderate/"))
    last = re.search(r'data-last="([^"]+)"', page).group(1)
    [new] = submit(store, body="just arrived", start_ms=1_900_000_000_000)
    post(admin_client, f"/moderate/comments/{old}/approve", force="y")
    data = moderator_client.get(f"/moderate/updates?after={last}", headers={"Accept": "application/json"}).get_json()
    assert len(data["items"]) == 1
    assert f'id="item-{new}"' in data["items"][0] and "just arrived" in data["items"][0]
    assert data["decided"] == [{"id": old, "status": "approved", "by": "ali", "message": "وافق عليه ali."}]
    assert data["total"] == 1
    again = moderator_client.get(f"/moderate/updates?after={data['last']}").get_json()
    assert again["items"] == [] and again["decided"] == []


# Audit log

def test_log_shows_who_did_what_and_filters_by_moderator(moderator_client, admin_client, app, store):
    [a, b] = submit(store, n=2)
    post(moderator_client, f"/moderate/comments/{a}/approve")
    post(moderator_client, f"/moderate/comments/{a}/undo")
    post(admin_client, f"/moderate/comments/{b}/edit", body="edited text", force="y")
    log_in(app.test_client(), "mona", "wrong password!")
    page = text(moderator_client.get("/moderate/log?lang=en"))
    for words in ("approved", "undid a decision", "edited", "logged in", "failed to log in"):
        assert words in page
    only_ali = text(moderator_client.get("/moderate/log?moderator=ali&lang=en"))
    assert "edited" in only_ali
    assert "undid a decision" not in only_ali


def test_audit_stream_is_bounded(make_app, store, redis_client):
    app = make_app(AUDIT_MAX_LENGTH=10)
    bounded = app.extensions["sites"].get("main").store
    for comment_id in submit(bounded, n=400):
        bounded.decide(comment_id, Decision.APPROVE, "m", now_ms=1)
    assert redis_client.xlen("cm:{main}:audit") < 400


# Accounts (admins)

def test_admin_creates_and_removes_moderators(admin_client, app, redis_client):
    page = admin_client.get("/moderate/moderators")
    response = admin_client.post("/moderate/moderators", data={
        "csrf_token": csrf_token(page), "username": "sara", "role": "moderator", "password": PASSWORD})
    assert response.status_code == 303
    assert redis_client.hget("cm:{main}:moderators", "sara") == "moderator"
    sara = app.test_client()
    assert log_in(sara, "sara").status_code == 303
    post(admin_client, "/moderate/moderators/sara/remove")
    assert redis_client.hget("cm:{main}:moderators", "sara") is None
    assert sara.get("/moderate/").status_code == 302  # the session ended with the account


def test_last_admin_cannot_be_removed(admin_client, redis_client):
    response = post(admin_client, "/moderate/moderators/ali/remove")
    assert response.status_code == 303
    assert redis_client.hget("cm:{main}:moderators", "ali") == "admin"


def test_new_password_ends_old_sessions(moderator_client, admin_client):
    post(admin_client, "/moderate/moderators/mona/password", password="a brand new password")
    assert moderator_client.get("/moderate/").status_code == 302
