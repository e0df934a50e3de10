"""The store and its Lua scripts, against a real Redis."""

import random
import threading

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from moderation.errors import AlreadyDecided, CommentNotFound, StoreUnavailable
from moderation.keys import Keys
from moderation.models import Decision, Intake, NewComment, Status
from moderation.store import Store

from .conftest import pending_count, pending_ids


def comment(thread="t", **fields):
    values = {"author": "a", "email": "a@example.com", "body": "b"}
    values.update(fields)
    return NewComment(thread=thread, **values)


def test_keys_carry_the_site_hash_tag():
    keys = Keys("news")
    names = [keys.next_id, keys.pending, keys.pending_per_thread, keys.decided, keys.audit, keys.events,
             keys.comment(1), keys.thread_nonces("ش"), keys.thread_duplicates("ش"), keys.thread_pending("ش"),
             keys.thread_published("ش")]
    assert all(name.startswith("cm:{news}:") for name in names)


def test_store_submit_then_get_round_trips(store):
    new = comment(thread="مقال", author="نور", email="n@example.com", body="سطر\nسطر", url="https://x.example",
                  ip="192.0.2.1", user_agent="UA")
    submitted = store.submit(new, nonce="n1", now_ms=1_700_000_000_123)
    comment_id, created = submitted.id, submitted.outcome == "created"
    assert created
    got = store.get(comment_id)
    assert (got.thread, got.author, got.email, got.body, got.url, got.ip, got.user_agent) == (
        "مقال", "نور", "n@example.com", "سطر\nسطر", "https://x.example", "192.0.2.1", "UA")
    assert got.status is Status.PENDING
    assert got.created_at.timestamp() == 1_700_000_000.123


def test_store_submit_same_nonce_returns_first_id(store, redis_client):
    first = store.submit(comment(), nonce="same", now_ms=1)
    second = store.submit(comment(body="different"), nonce="same", now_ms=2)
    assert (first.outcome, first.status) == ("created", "pending")
    assert (second.id, second.outcome) == (first.id, "seen")
    assert pending_count(redis_client) == 1
    assert redis_client.hget("cm:{main}:thread:t:nonces", "same") == str(first.id)
    assert 0 < redis_client.ttl("cm:{main}:thread:t:nonces") <= store.nonce_ttl_seconds


def test_store_remembers_nonces_and_duplicates_compactly(store, redis_client):
    """A short field per comment in two hashes per thread, not two keys per comment."""
    for i in range(300):
        store.submit(comment(body=f"text {i}"), nonce=f"nonce-{i}", now_ms=i, duplicate_digest=f"digest-{i}")
    for kind in ("nonces", "duplicates"):
        assert redis_client.object("encoding", f"cm:{{main}}:thread:t:{kind}") in {"listpack", "ziplist"}
        assert redis_client.hlen(f"cm:{{main}}:thread:t:{kind}") == 300
    assert 3 * 24 * 3600 < redis_client.ttl("cm:{main}:thread:t:duplicates") <= 30 * 24 * 3600
    again = store.submit(comment(body="text 7"), nonce="another", now_ms=999, duplicate_digest="digest-7")
    assert (again.id, again.outcome) == (8, "duplicate")


def test_store_submit_counts_pending_per_thread(store, redis_client):
    for i in range(3):
        store.submit(comment(thread="busy"), nonce=f"b{i}", now_ms=i)
    store.submit(comment(thread="quiet"), nonce="q", now_ms=9)
    assert redis_client.zrevrange("cm:{main}:pending-per-thread", 0, -1, withscores=True) == [
        ("busy", 3.0), ("quiet", 1.0)]


def test_store_queue_is_a_bitmap_walked_lowest_id_first(store, redis_client):
    """A bit per id ever given; pages walk it across whole bytes of decided ids."""
    ids = [store.submit(comment(body=f"text {i}"), nonce=f"n{i}", now_ms=i).id for i in range(40)]
    decided = {ids[i] for i in (0, 6, 7, 8, 15, 16, 17, 18, 19, 20, 21, 22, 23, 39)}
    store.decide_many(sorted(decided), Decision.REJECT, "mona", now_ms=100)
    seen, cursor = [], None
    while True:
        page = store.queue_page("", 0, cursor=cursor, size=3)
        seen += [c.id for c in page.comments]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [i for i in ids if i not in decided]
    assert store.pending_count() == pending_count(redis_client) == 26
    assert redis_client.strlen("cm:{main}:pending-ids") == 6  # bits 0 to 40


def test_store_pending_count_stays_exact_through_every_move(store, redis_client):
    first = store.submit(comment(body="one"), nonce="1", now_ms=1).id
    second = store.submit(comment(body="two"), nonce="2", now_ms=2).id
    store.decide(first, Decision.APPROVE, "mona", now_ms=3)
    with pytest.raises(AlreadyDecided):
        store.decide(first, Decision.REJECT, "mona", now_ms=4)
    assert store.pending_count() == 1
    store.undo(first, "mona", now_ms=5, is_admin=False, window_ms=60_000)
    assert store.pending_count() == 2
    spam = store.submit(comment(body="three"), nonce="3", now_ms=6, intake=Intake(status="spam")).id
    assert store.pending_count() == 2
    store.rescue(spam, "mona", now_ms=7)
    assert store.pending_count() == 3
    assert pending_ids(redis_client) == [first, second, spam]


def test_store_purge_deletes_only_what_was_rejected_before_the_cutoff(store, redis_client):
    ids = [store.submit(comment(body=f"text {i}"), nonce=f"p{i}", now_ms=i).id for i in range(7)]
    old_rejected, old_approved, new_rejected, still_pending, undone, spam_first, spam_second = ids
    store.decide(old_rejected, Decision.REJECT, "mona", now_ms=1_000)
    store.decide(old_approved, Decision.APPROVE, "mona", now_ms=1_000)
    store.decide(new_rejected, Decision.REJECT, "mona", now_ms=9_000)
    store.decide(undone, Decision.REJECT, "mona", now_ms=1_000)
    store.undo(undone, "mona", now_ms=1_001, is_admin=True, window_ms=0)
    redis_client.hset(f"cm:{{main}}:comment:{spam_first}", "status", "spam")
    redis_client.hset(f"cm:{{main}}:comment:{spam_second}", "status", "spam")
    redis_client.zadd("cm:{main}:spam", {spam_first: 5, spam_second: 6})
    store.empty_spam("mona", now_ms=2_000)  # rejected as spam: decided at 2,000

    assert store.purge_decided(cutoff_ms=5_000, batch=2) == 3  # batches smaller than the work
    assert store.get(old_rejected) is None and store.get(spam_first) is None and store.get(spam_second) is None
    assert store.get(old_approved).status == Status.APPROVED
    assert [c.id for c in store.published("t")] == [old_approved]
    assert store.get(new_rejected).status == Status.REJECTED
    assert store.get(still_pending).status == Status.PENDING and store.get(undone).status == Status.PENDING
    assert redis_client.zrange("cm:{main}:decided", 0, -1) == [str(new_rejected)]
    assert store.purge_decided(cutoff_ms=5_000) == 0


def test_store_decide_approve_publishes_and_audits(store, redis_client):
    comment_id = store.submit(comment(thread="t"), nonce="n", now_ms=1000).id
    store.decide(comment_id, Decision.APPROVE, "mona", now_ms=2000)
    assert [c.id for c in store.published("t")] == [comment_id]
    assert pending_count(redis_client) == 0
    assert redis_client.zcard("cm:{main}:thread:t:pending") == 0
    assert redis_client.zscore("cm:{main}:pending-per-thread", "t") is None
    [(_, entry)] = redis_client.xrange("cm:{main}:audit")
    assert entry == {"action": "approved", "id": str(comment_id), "thread": "t", "moderator": "mona",
                     "at": "2000", "reason": ""}
    got = store.get(comment_id)
    assert (got.status, got.decided_by) == (Status.APPROVED, "mona")


def test_store_decide_twice_reports_first_decision(store, redis_client):
    comment_id = store.submit(comment(), nonce="n", now_ms=1000).id
    store.decide(comment_id, Decision.REJECT, "mona", now_ms=2000)
    with pytest.raises(AlreadyDecided) as raised:
        store.decide(comment_id, Decision.APPROVE, "omar", now_ms=3000)
    assert (raised.value.status, raised.value.decided_by) == (Status.REJECTED, "mona")
    assert raised.value.decided_at.timestamp() == 2.0
    assert store.published("t") == []
    assert redis_client.xlen("cm:{main}:audit") == 1


def test_store_decide_missing_comment(store):
    with pytest.raises(CommentNotFound):
        store.decide(404, Decision.APPROVE, "mona", now_ms=1)


def test_store_decide_race_gives_one_decision(store, redis_client):
    comment_id = store.submit(comment(), nonce="n", now_ms=1).id
    outcomes = []
    barrier = threading.Barrier(16)

    def decide(i):
        barrier.wait()
        try:
            store.decide(comment_id, Decision.APPROVE if i % 2 else Decision.REJECT, f"m{i}", now_ms=10 + i)
            outcomes.append("ok")
        except AlreadyDecided:
            outcomes.append("late")

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert redis_client.xlen("cm:{main}:audit") == 1


def test_store_published_is_oldest_first_and_hides_private_fields(store):
    ids = []
    for created in (3000, 1000, 2000):
        cid = store.submit(comment(email="hidden@example.com", ip="198.51.100.7"), nonce=str(created),
                              now_ms=created).id
        store.decide(cid, Decision.APPROVE, "m", now_ms=5000)
        ids.append((created, cid))
    published = store.published("t")
    assert [c.id for c in published] == [cid for _, cid in sorted(ids)]
    assert all(c.email == "" and c.ip == "" and c.user_agent == "" for c in published)


def test_store_unreachable_raises_store_unavailable(tmp_path):
    client = redis.Redis(unix_socket_path=str(tmp_path / "none.sock"), retry=Retry(NoBackoff(), 0))
    with pytest.raises(StoreUnavailable):
        Store(client).submit(comment(), nonce="n", now_ms=1)
    client.close()


@pytest.mark.parametrize("seed", range(12))
def test_store_submit_scores_with_the_learned_filter_as_bayes_score_does(store, redis_client, seed):
    """The submit script's filter and bayes.score: one arithmetic, two languages, the same answers."""
    from moderation import bayes

    rng = random.Random(seed)
    vocabulary = [f"word{i}" for i in range(60)] + ["كازينو", "مباراة", "domain:x.example", "has:website"]
    keys = Keys("main")
    docs_spam, docs_ham = rng.randint(5, 400), rng.randint(5, 400)
    spam_counts = {t: rng.randint(-1, docs_spam // 3) for t in rng.sample(vocabulary, 40)}
    ham_counts = {t: rng.randint(-1, docs_ham // 3) for t in rng.sample(vocabulary, 40)}
    redis_client.hset(keys.filter_documents, mapping={"spam": docs_spam, "ham": docs_ham})
    redis_client.hset(keys.filter_tokens("spam"), mapping=spam_counts)
    redis_client.hset(keys.filter_tokens("ham"), mapping=ham_counts)
    tokens = rng.sample(vocabulary, rng.randint(0, 50))
    probability, reasons = bayes.score(spam_counts, ham_counts, docs_spam, docs_ham, tokens)
    threshold = 0.0 if seed % 2 else 1.01  # every other case goes to spam, and says why
    submitted = store.submit(comment(body=f"b{seed}"), nonce=f"n{seed}", now_ms=1, filter_tokens=tokens,
                             spam_threshold=threshold)
    got = store.get(submitted.id)
    assert got.score == pytest.approx(round(probability, 3), abs=0.0011)
    if threshold == 0.0:
        top = ", ".join(token for token, _ in reasons[:bayes.SPAM_REASONS])
        assert got.status == "spam"
        assert got.signals == (f"filter: {top}" if top else "filter",)
    else:
        assert got.status == "pending" and got.signals == ()


def test_store_submit_without_a_filter_opinion_stores_the_neutral_score(store):
    submitted = store.submit(comment(), nonce="n", now_ms=1, filter_tokens=["casino"], spam_threshold=0.0)
    got = store.get(submitted.id)
    # Untrained: 0.5, which a threshold of 0 still sends to spam, with the filter as the reason.
    assert (got.score, got.status, got.signals) == (0.5, "spam", ("filter",))
