"""Erasure as a background job: one per address, resumed where it stopped, never leaving anything behind."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from moderation import erasure
from moderation.errors import CommentNotFound
from moderation.intake import duplicate_digest
from moderation.models import Decision, Intake, NewComment
from moderation.notify.worker import Worker

from .conftest import SECRET, logged_in

ROOT = Path(__file__).resolve().parent.parent

EMAIL = "nadia@example.com"
NOW = 1_800_000_000_000


def send(store, body, *, email=EMAIL, thread="story"):
    return store.submit(NewComment(thread=thread, author="Nadia", email=email, body=body, ip="192.0.2.5"),
                        nonce=body, now_ms=1_700_000_000_000, intake=Intake(),
                        duplicate_digest=duplicate_digest(thread, email, body)).id


@pytest.fixture
def site(app):
    return app.extensions["sites"].get("main")


def erasures_audited(redis_client, store):
    return [f for _, f in redis_client.xrange(store.keys.audit) if f["action"] == "commenter_erased"]


def drain(worker, site, now=None):
    """The worker's passes until it says nothing is left for it (each pass takes a slice of the work)."""
    while worker.run_jobs(site, now=now):
        pass


def left(store, ids):
    return [i for i in ids if store.get(i) is not None]


def test_erasure_resumes_where_a_stopped_runner_left_it(app, store, site, redis_client, team):
    """A runner that stops after its first step (killed) leaves a cursor: the next goes on from there."""
    hers, others = [], []
    for n in range(1_300):  # two windows of the scan, the address in every third comment
        (hers if n % 3 == 0 else others).append(send(store, f"comment {n}", email=EMAIL if n % 3 == 0
                                                     else f"reader{n}@example.com"))
    with app.app_context():
        job, started = erasure.request(EMAIL, "ali")
        assert started
        job = erasure.step(job.subject, "w1", now=NOW)  # then w1 dies
    assert job.cursor == erasure.SCAN_BATCH + 1 and job.erased == len([i for i in hers if i <= erasure.SCAN_BATCH])
    assert left(store, hers) == [i for i in hers if i > erasure.SCAN_BATCH]
    ali = logged_in(app, "ali")
    page = ali.get("/moderate/commenters?lang=en").get_data(as_text=True)
    assert f"Comments looked at: 1,000 of 1,300; erased so far: {job.erased}" in page
    worker = Worker(app, consumer="w2")
    with app.app_context():
        drain(worker, site, now=NOW + 1_000)  # w1's lease still holds: w2 waits
        assert erasure.job(job.subject).cursor == job.cursor
        assert "Paused" not in ali.get("/moderate/commenters").get_data(as_text=True)
        drain(worker, site, now=NOW + erasure.LEASE_MS + 1)
        finished = erasure.job(job.subject)
    assert finished.done and finished.erased == len(hers) and finished.email == ""
    assert left(store, hers) == [] and left(store, others) == others
    assert store.pending_count() == len(others)
    [entry] = erasures_audited(redis_client, store)
    assert json.loads(entry["counts"]) == {"comments": len(hers), "kept_text": False, "spooled": 0}
    assert "nadia" not in json.dumps(entry) and entry["moderator"] == "ali"
    assert EMAIL not in json.dumps(redis_client.hgetall(store.keys.erasure(job.subject)))


def test_erasure_asked_twice_while_it_runs_is_one_job(app, store, site, redis_client, team):
    ids = [send(store, f"comment {n}") for n in range(5)]
    ali = logged_in(app, "ali")
    ali.get("/moderate/log?lang=en")  # remembered for the session
    form = {"csrf_token": ali.csrf, "email": EMAIL.upper(), "confirm": "y"}
    assert ali.post("/moderate/commenters/erase", data=form).status_code == 303
    again = ali.post("/moderate/commenters/erase", data=form | {"keep_text": "y"}, follow_redirects=True)
    assert "already under way" in again.get_data(as_text=True)
    assert redis_client.zcard(store.keys.erasures) == 1
    with app.app_context():
        drain(Worker(app), site)
    assert left(store, ids) == []  # deleted, as the first request asked, not stripped
    assert len(erasures_audited(redis_client, store)) == 1
    # Finished, the same address can be asked for again: a new job, which finds what came since.
    later = send(store, "after the erasure")
    assert ali.post("/moderate/commenters/erase", data=form).status_code == 303
    with app.app_context():
        drain(Worker(app), site)
    assert left(store, [later]) == [] and len(erasures_audited(redis_client, store)) == 2


def test_erasure_takes_comments_that_come_in_while_it_runs(app, store, site):
    first = [send(store, f"comment {n}") for n in range(3)]
    with app.app_context():
        job, _ = erasure.request(EMAIL, "ali")
        erasure.step(job.subject, "w1", now=NOW)  # the scan has passed every id there was
        later = send(store, "sent during the erasure")
        drain(Worker(app, consumer="w1"), site, now=NOW + 1)
        assert erasure.job(job.subject).erased == 4
    assert left(store, [*first, later]) == []


def test_erasure_keeping_the_texts_runs_as_a_job(app, store, site, redis_client):
    ids = [send(store, f"comment {n}") for n in range(3)]
    with app.app_context():
        job, _ = erasure.request(EMAIL, "ali", keep_text=True)
        drain(Worker(app), site)
        assert erasure.job(job.subject).erased == 3
    assert [store.get(i).author for i in ids] == ["Deleted"] * 3
    assert all(store.get(i).email == "" for i in ids) and store.pending_count() == 3
    [entry] = erasures_audited(redis_client, store)
    assert json.loads(entry["counts"])["kept_text"] is True


def test_erasure_racing_decisions_leaves_nothing(app, store, site):
    """Moderators approve the address's comments while the worker erases them: whichever script comes
    first for a comment, nothing of it is left, published or not."""
    ids = [send(store, f"comment {n}") for n in range(600)]
    with app.app_context():
        erasure.request(EMAIL, "ali")
    start = threading.Barrier(2)
    outcomes = []

    def approve():
        start.wait()
        for comment_id in reversed(ids):  # from the other end, so that they meet halfway
            try:
                outcomes.append(store.decide(comment_id, Decision.APPROVE, "mona", NOW))
            except CommentNotFound:
                outcomes.append(None)

    deciding = threading.Thread(target=approve)
    deciding.start()
    with app.app_context():
        start.wait()
        drain(Worker(app), site)
    deciding.join()
    assert None in outcomes  # they met: some comments were erased before their approval came
    assert left(store, ids) == []
    assert store.published("story") == [] and store.pending_count() == 0
    assert store.thread_pending_count("story") == 0


def test_erasure_waits_for_a_worker_and_says_so(app, store, site, team):
    send(store, "one")
    ali = logged_in(app, "ali")
    ali.post("/moderate/commenters/erase", data={"csrf_token": ali.csrf, "email": EMAIL, "confirm": "y"})
    page = ali.get("/moderate/commenters").get_data(as_text=True)  # the console's default language
    assert "بدأ المحو" in page and "في انتظار عامل خلفي" in page and 'dir="rtl"' in page
    assert "Waiting for a worker" in ali.get("/moderate/commenters?lang=en").get_data(as_text=True)
    with app.app_context():
        erasure.store().seen_worker("w1", 60_000)  # a worker passed by, and has not taken it up yet
    page = ali.get("/moderate/commenters").get_data(as_text=True)
    assert "Waiting for a worker" not in page and "Waiting for the worker to take it up" in page


def test_erasure_survives_a_kill_9_of_its_worker(app, store, redis_server, redis_client, tmp_path):
    """kill -9 of a `flask --app wsgi worker` midway through an erasure: another worker goes on from the
    cursor the first one left, once its lease has run out; nothing left, counted once, audited once."""
    before = [send(store, f"early {n}") for n in range(10)]
    # 300,000 ids, most of them purged long ago: a scan long enough to be caught midway.
    redis_client.set(store.keys.next_id, 300_000)
    after = [send(store, f"late {n}") for n in range(10)]
    with app.app_context():
        job, _ = erasure.request(EMAIL, "ali")
    env = {**os.environ, "REDIS_URL": redis_server.url, "SECRET_KEY": SECRET, "INSTANCE_PATH": str(tmp_path),
           "WORKER_POLL_SECONDS": "0.05"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        with app.app_context():
            while (seen := erasure.job(job.subject)).erased < len(before):
                assert time.monotonic() < deadline, "the worker took no step"
                time.sleep(0.01)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    with app.app_context():
        stopped = erasure.job(job.subject)
    assert not stopped.done and stopped.cursor < 300_000, "the worker finished before it was killed"
    assert stopped.cursor >= seen.cursor and left(store, after) == after
    with app.app_context():
        taker, site = Worker(app, consumer="taker"), app.extensions["sites"].get("main")
        while taker.run_jobs(site, now=stopped.lease_until + 1):
            pass
        finished = erasure.job(job.subject)
    assert finished.done and finished.erased == len(before) + len(after)
    assert left(store, before + after) == [] and len(erasures_audited(redis_client, store)) == 1
