"""A commenter's data: handed over (the right of access) and erased (the right to erasure); addresses forgotten."""

import json
import time

import pytest

from moderation import commenters, erasure
from moderation.errors import CommentNotFound
from moderation.intake import duplicate_digest
from moderation.models import Decision, Intake, NewComment, Status
from moderation.notify.worker import Worker

from .conftest import form_token, logged_in

EMAIL = "Nadia@Example.com"
DAY_MS = 24 * 3600 * 1000


REVIEW = Intake()


def send(store, body, *, email=EMAIL, thread="story", intake=REVIEW, now_ms=1_700_000_000_000, **extra):
    return store.submit(NewComment(thread=thread, author="Nadia", email=email, body=body, ip="192.0.2.5",
                                   user_agent="Mozilla/5.0", url="https://nadia.example/", **extra),
                        nonce=body, now_ms=now_ms, intake=intake,
                        duplicate_digest=duplicate_digest(thread, email, body)).id


def erase(app, email=EMAIL, *, keep_text=False):
    """Ask for the erasure as the console does, then let the worker's passes run it; how many it erased."""
    with app.app_context():
        job, _started = erasure.request(email, "ali", keep_text=keep_text)
        worker = Worker(app, consumer="w1")
        while worker.run_jobs(app.extensions["sites"].get("main")):
            pass  # each pass takes a slice of the job; the last one says nothing is left
        finished = erasure.job(job.subject)
    assert finished.done
    return finished.erased


@pytest.fixture
def nadia(store):
    """Nadia's comments in every status, on two threads, and someone else's."""
    ids = {
        "approved": send(store, "published words"),
        "pending": send(store, "waiting words"),
        "rejected": send(store, "rejected words", thread="other"),
        "spam": send(store, "spam words", intake=Intake(status="spam")),
    }
    store.decide(ids["approved"], Decision.APPROVE, "mona", 1_700_000_100_000)
    store.decide(ids["rejected"], Decision.REJECT, "mona", 1_700_000_100_000)
    ids["someone else"] = send(store, "not hers", email="omar@example.com")
    store.decide(ids["someone else"], Decision.APPROVE, "mona", 1_700_000_100_000)
    return ids


def test_export_hands_over_every_comment_of_the_address(app, store, redis_client, nadia):
    with app.test_request_context():
        found = commenters.export("nadia@example.COM", "ali")
    assert {c["status"] for c in found["comments"]} == {"approved", "pending", "rejected", "spam"}
    assert {c["id"] for c in found["comments"]} == {nadia[s] for s in ("approved", "pending", "rejected", "spam")}
    assert all(c["email"] == EMAIL and c["ip"] == "192.0.2.5" for c in found["comments"])
    assert found["subscriptions"] == []
    [entry] = [f for _, f in redis_client.xrange(store.keys.audit) if f["action"] == "commenter_exported"]
    assert entry["moderator"] == "ali" and "nadia" not in json.dumps(entry).lower()
    with app.test_request_context():
        assert entry["reason"] == f"commenter {commenters.subject('NADIA@example.com')}"


def test_erase_leaves_nothing_of_the_address(app, client, store, redis_client, nadia):
    version = store.thread_version("story")
    assert erase(app) == 4
    for state in ("approved", "pending", "rejected", "spam"):
        assert store.get(nadia[state]) is None
    assert store.get(nadia["someone else"]).status is Status.APPROVED
    assert store.pending_count() == 0 and store.thread_pending_count("story") == 0
    assert store.busiest_threads() == [] and store.spam_count() == 0
    assert store.thread_version("story") > version
    assert [c["body_html"] for c in client.get("/api/v1/threads/story/comments").get_json()["comments"]] == \
        ["<p>not hers</p>"]
    k = store.keys
    assert not redis_client.exists(k.email_pending(EMAIL), k.email_approved(EMAIL))
    assert redis_client.zscore(k.decided, nadia["rejected"]) is None
    assert redis_client.hlen(k.thread_duplicates("story")) == 1  # only Omar's guard is left
    everything = json.dumps([redis_client.hgetall(key) if redis_client.type(key) == "hash" else ""
                             for key in redis_client.keys("*")]).lower()
    assert "nadia@example.com" not in everything
    erased = [f for _, f in redis_client.xrange(k.audit) if f["action"] == "commenter_erased"]
    assert len(erased) == 1 and "nadia" not in json.dumps(erased).lower()
    # The same text may be sent again: the guard against repeats went with it.
    token = form_token(client.get("/threads/story"))
    sent = client.post("/threads/story", data={"comment": "published words", "author": "Nadia", "email": EMAIL,
                                               "token": token})
    assert sent.status_code == 303
    assert erase(app) == 1  # safe to run again; it finds what came since


def test_erase_keeping_the_texts(app, client, store, nadia):
    assert erase(app, keep_text=True) == 4
    kept = store.get(nadia["approved"])
    assert kept.status is Status.APPROVED and kept.author == "Deleted" and kept.body == "published words"
    assert (kept.email, kept.ip, kept.user_agent, kept.url) == ("", "", "", "")
    shown = client.get("/api/v1/threads/story/comments").get_json()["comments"]
    assert shown[0]["author"] == "Deleted" and shown[0]["url"] is None
    assert store.pending_count() == 1  # its pending comment still waits, nameless


def test_erase_in_batches_and_against_a_decision(app, store):
    ids = [send(store, f"comment {n}") for n in range(450)]
    assert erase(app) == 450
    assert store.pending_count() == 0
    with pytest.raises(CommentNotFound):
        store.decide(ids[0], Decision.APPROVE, "mona", 1)  # the erasure won: nothing is brought back


def test_erase_drops_what_the_spool_holds(app, store):
    spool = app.extensions["spool"]
    spool.append({"site": "main", "comment": {"thread": "t", "author": "N", "email": "nadia@example.com",
                                              "body": "spooled"}, "nonce": "s", "traps": {}, "created_at": 1})
    spool.append({"site": "main", "comment": {"thread": "t", "author": "O", "email": "omar@example.com",
                                              "body": "kept"}, "nonce": "o", "traps": {}, "created_at": 2})
    erase(app)
    with open(spool.path, encoding="utf-8") as f:
        assert [json.loads(line)["comment"]["email"] for line in f] == ["omar@example.com"]


def test_commenters_cli(app, store, nadia):
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["commenters", "export", EMAIL])
    assert exported.exit_code == 0
    assert len(json.loads(exported.stdout)["comments"]) == 4
    refused = runner.invoke(args=["commenters", "erase", EMAIL], input="n\n")
    assert refused.exit_code == 1 and store.get(nadia["approved"]) is not None
    erased = runner.invoke(args=["commenters", "erase", EMAIL, "--yes"])
    assert erased.exit_code == 0 and "4 comments erased" in erased.stdout
    assert "erase: 100%, 4 comments" in erased.stderr  # its progress, as the importer shows it
    assert store.get(nadia["approved"]) is None


def test_the_console_page_is_for_admins(app, store, team, nadia):
    mona, ali = logged_in(app, "mona"), logged_in(app, "ali")
    ali.get("/moderate/log?lang=en")  # remembered for the session
    assert mona.get("/moderate/commenters").status_code == 403
    download = ali.post("/moderate/commenters/export", data={"csrf_token": ali.csrf, "email": EMAIL})
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert len(download.get_json()["comments"]) == 4
    unconfirmed = ali.post("/moderate/commenters/erase", data={"csrf_token": ali.csrf, "email": EMAIL})
    assert unconfirmed.status_code == 400 and store.get(nadia["approved"]) is not None
    asked = ali.post("/moderate/commenters/erase", data={"csrf_token": ali.csrf, "email": EMAIL, "confirm": "y"})
    # The request only asks: the erasure is the worker's, and the page says that none runs yet.
    assert asked.status_code == 303 and store.get(nadia["approved"]) is not None
    page = ali.get("/moderate/commenters").get_data(as_text=True)
    assert "The erasure has started" in page and "Waiting for a worker: none is running" in page
    assert "Comments looked at: 0 of 5; erased so far: 0" in page and EMAIL.lower() in page
    with app.app_context():
        while Worker(app).run_jobs(app.extensions["sites"].get("main")):
            pass
    assert store.get(nadia["approved"]) is None and store.get(nadia["someone else"]) is not None
    page = ali.get("/moderate/commenters").get_data(as_text=True)
    assert "Finished" in page and "4 comments erased." in page and EMAIL.lower() not in page


def test_purge_forgets_addresses_of_comments_decided_long_ago(app, store):
    now = int(time.time() * 1000)
    old = [send(store, f"old {n}", email=f"o{n}@example.com") for n in range(7)]
    recent = send(store, "recent", email="r@example.com")
    store.decide_many(old, Decision.APPROVE, "mona", now - 31 * DAY_MS)  # one millisecond for all seven
    store.decide(recent, Decision.APPROVE, "mona", now - 29 * DAY_MS)
    assert store.get(old[0]).ip == "192.0.2.5"
    assert app.extensions["sites"].get("main").commenters.forget_addresses(now - 30 * DAY_MS, batch=3) >= 7
    assert all(store.get(i).ip == "" and store.get(i).user_agent == "" for i in old)
    assert store.get(recent).ip == "192.0.2.5"
    result = app.test_cli_runner().invoke(args=["comments", "purge"])
    assert result.exit_code == 0 and "client addresses and browsers" in result.output
