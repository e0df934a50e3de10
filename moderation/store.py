"""The comment store: the only module (with ``store_accounts``) that talks to Redis.

Key names come from ``keys.Keys``; every change of a comment's state is one
Lua script from ``queue/``. The key layout, with each key's type and writer,
is documented in ``queue/README.md``; keep the two in step.
"""

import functools
import json
import os
import re
from contextlib import contextmanager
from dataclasses import replace

from redis.crc import key_slot

from . import bayes, buckets
from .connection import UNAVAILABLE, acknowledged, is_cluster
from .counters import REDIS_ERRORS, UNREPLICATED
from .errors import (
    AlreadyDecided,
    ClaimedByOther,
    CommentNotFound,
    NothingToUndo,
    NotPublished,
    NotReplicated,
    StoreUnavailable,
    UndoNotAllowed,
)
from .keys import Keys
from .models import (
    AuditEntry,
    Comment,
    Decision,
    Intake,
    QueuePage,
    Status,
    Submitted,
    ThreadRow,
    Wave,
    WaveMember,
    from_ms,
)

# A script's line naming a library of queue/lib that goes in front of it (store.load_script).
USES = re.compile(r"^-- uses (lib/\w+\.lua)$", re.MULTILINE)
QUEUE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "queue")

# The fields a public page may read; email, IP and user agent are not among them.
PUBLIC_FIELDS = ("id", "thread", "parent", "author", "url", "body", "created_at", "status")
ALL_FIELDS = (*PUBLIC_FIELDS, "email", "ip", "user_agent", "decided_by", "decided_at", "reason", "edited_by",
              "signals", "held", "score", "wave", "removed_by", "removed_at", "removed_reason")
DUPLICATE_SECONDS = 30 * 24 * 3600
REVIEW = Intake()
# What can tie the comments of a spam wave, clearest first (see screening.wave_features).
WAVE_TIES = ("domain", "network", "text")


def load_script(name):
    """A script of ``queue/``, after the libraries it names on a line ``-- uses lib/NAME.lua``."""
    with open(os.path.join(QUEUE_DIR, name), encoding="utf-8") as f:
        text = f.read()
    libraries = USES.findall(text)
    for library in libraries:
        with open(os.path.join(QUEUE_DIR, library), encoding="utf-8") as f:
            text = f.read() + "\n" + text
    return text


@contextmanager
def reachable():
    """Turn Redis being down, slow or failing over into :class:`StoreUnavailable`."""
    try:
        yield
    except NotReplicated:
        UNREPLICATED.inc()
        raise
    except UNAVAILABLE as error:
        REDIS_ERRORS.inc()
        raise StoreUnavailable(str(error)) from error


def translated(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with reachable():
            return method(*args, **kwargs)

    return wrapper


def flag(value):
    return "1" if value else "0"


class Store:
    """One site's comments in one Redis (or one Redis Cluster).

    With ``min_replicas``, a script that changes a comment returns only once
    that many replicas have its writes (within ``replica_wait_ms``), and
    raises NotReplicated otherwise.
    """

    def __init__(self, client, site="main", nonce_ttl_seconds=3 * 24 * 3600,
                 events_max_length=100_000, audit_max_length=1_000_000, *, min_replicas=0, replica_wait_ms=1000,
                 timezone="UTC"):
        self.client = client
        self.timezone = timezone
        self.keys = Keys(site)
        self.nonce_ttl_seconds = nonce_ttl_seconds
        self.events_max_length = events_max_length
        self.audit_max_length = audit_max_length
        self.min_replicas = min_replicas
        self.replica_wait_ms = replica_wait_ms
        self._submit = client.register_script(load_script("submit.lua"))
        self._decide = client.register_script(load_script("decide.lua"))
        self._undo = client.register_script(load_script("undo.lua"))
        self._edit = client.register_script(load_script("edit.lua"))
        self._queue_page = client.register_script(load_script("queue_page.lua"))
        self._claim = client.register_script(load_script("claim.lua"))
        self._rescue = client.register_script(load_script("rescue.lua"))
        self._spam_confirm = client.register_script(load_script("spam_confirm.lua"))
        self._purge = client.register_script(load_script("purge.lua"))
        self._remove = client.register_script(load_script("remove.lua"))
        self._report = client.register_script(load_script("report.lua"))

    def when(self, now_ms):
        """The dashboard's buckets at ``now_ms``, as the scripts that count into them take them."""
        return buckets.when(now_ms, self.timezone)

    def _acknowledged(self, script, keys, args):
        """A script that changes comments, acknowledged as ``min_replicas`` asks."""
        return acknowledged(self.client, script, keys, args, replicas=self.min_replicas,
                            timeout_ms=self.replica_wait_ms)

    @translated
    def ping(self):
        """Reach the Redis that holds this site (on a cluster, its shard); StoreUnavailable if it does not answer."""
        self.client.exists(self.keys.next_id)
        return True

    def slot(self):
        """The Redis Cluster slot of every key of this site (its hash tag's)."""
        return key_slot(self.keys.prefix.encode())

    @translated
    def node(self):
        """On a Redis Cluster, host:port of the primary that holds this site now; None elsewhere."""
        if not is_cluster(self.client):
            return None
        return self.client.get_node_from_key(self.keys.prefix).name

    # Readers

    @translated
    def submit(self, comment, nonce, now_ms, *, intake=REVIEW, trust=0, flood_seconds=0, duplicate_digest="",
               waves=(), wave_seconds=3600, limits=(), filter_tokens=None, spam_threshold=0.9, close_after_ms=0,
               replay=False):
        """Take in ``comment`` (a NewComment) as ``intake`` says; returns a Submitted.

        The same nonce twice returns the first comment and changes nothing;
        so does the same ``duplicate_digest`` (thread, email and text) as
        long as the thread took in a comment within 30 days. Both live in
        compact hashes per thread, not in two keys per comment. A second
        comment from one address within ``flood_seconds`` is refused. A
        commenter with ``trust`` approved comments (0: off) is published at
        once unless the intake holds the comment. ``waves`` are
        the features that may tie it to others; if moderators rejected a wave
        with one of them, the comment goes to spam. ``limits`` (limits.Counter)
        are checked first and counted when the comment is taken in. With
        ``filter_tokens`` (bayes.tokens), the learned filter scores the
        comment in the same script, and from ``spam_threshold`` on it goes
        to spam. A thread a moderator closed, or (``close_after_ms``) whose
        first comment is older than that, takes no comment (outcome "closed"),
        except one from the spool (``replay``): it was written while the thread was open.
        """
        k = self.keys
        options = {
            "comment_prefix": k.comment_prefix, "created_at": str(now_ms), "nonce": nonce, "digest": duplicate_digest,
            "nonce_seconds": self.nonce_ttl_seconds, "duplicate_seconds": DUPLICATE_SECONDS,
            "events_max": self.events_max_length, "audit_max": self.audit_max_length, "thread": comment.thread,
            "status": intake.status, "held": intake.held, "trust": trust, "flood_seconds": flood_seconds,
            "reason_list": list(intake.reasons),
            "prefix": k.prefix, "waves": list(waves), "wave_seconds": int(wave_seconds),
            "limits": [[k.limit(c.name), c.count, c.seconds_left] for c in limits],
            "close_after_ms": int(close_after_ms), "replay": bool(replay),
            "stats": {**self.when(now_ms), "rules": list(intake.rules), "caught": intake.caught},
        }
        if filter_tokens is not None:
            options["filter"] = {
                "spam_key": k.filter_tokens(bayes.SPAM), "ham_key": k.filter_tokens(bayes.HAM),
                "documents_key": k.filter_documents, "tokens": list(dict.fromkeys(filter_tokens)),
                "threshold": spam_threshold, "min_documents": bayes.MIN_DOCUMENTS, "prior": bayes.PRIOR_STRENGTH,
                "min_deviation": bayes.MIN_DEVIATION, "max_clues": bayes.MAX_CLUES, "floor": bayes.TOKEN_FLOOR,
                "ceiling": bayes.TOKEN_CEILING, "reasons": bayes.SPAM_REASONS,
            }
        fields = {
            "thread": comment.thread,
            "author": comment.author,
            "email": comment.email,
            "url": comment.url,
            "body": comment.body,
            "parent": "" if comment.parent is None else str(comment.parent),
            "ip": comment.ip,
            "user_agent": comment.user_agent,
            "held": "1" if intake.held else "",
            "subscribe": "1" if comment.subscribe else "",
        }
        # An empty field is not stored (reading it gives ""): a million pending comments would pay for their names.
        fields = {name: value for name, value in fields.items() if value}
        comment_id, outcome, status, retry_after = self._acknowledged(
            self._submit, [k.thread_nonces(comment.thread), k.next_id, k.pending, k.thread_pending(comment.thread),
                  k.email_pending(comment.email), k.pending_per_thread, k.events, k.audit, k.spam,
                  k.thread_published(comment.thread), k.thread_version(comment.thread),
                  k.email_approved(comment.email), k.flood(comment.ip or "-"),
                  k.thread_duplicates(comment.thread), k.pending_count, k.thread_states, k.threads],
            [json.dumps(options, ensure_ascii=False), json.dumps(fields, ensure_ascii=False)],
        )
        return Submitted(int(comment_id) if comment_id else None, outcome, status, int(retry_after))

    @translated
    def published(self, thread):
        """The thread's approved comments, oldest first, public fields only.

        A comment removed by a moderator, or deleted on the old site before an import, that published
        replies hang under is there too, as a placeholder with nothing of what it said.
        """
        ids = self.client.zrange(self.keys.thread_published(thread), 0, -1)
        return [c if c.status is Status.APPROVED else
                replace(c, author="", url="", body="",
                        placeholder="removed" if c.status is Status.REMOVED else "deleted")
                for c in self._many(ids, PUBLIC_FIELDS)]

    @translated
    def thread_closed(self, thread, now_ms, close_after_ms=0):
        """Whether the thread takes no more comments: as submit.lua decides it."""
        return self.thread_view(thread, now_ms, close_after_ms)[1]

    @translated
    def thread_view(self, thread, now_ms, close_after_ms=0):
        """(the thread's version, whether it is closed), in one round trip: what a page view needs."""
        pipe = self.client.pipeline(transaction=False)
        pipe.get(self.keys.thread_version(thread))
        pipe.hget(self.keys.thread_states, thread)
        pipe.zscore(self.keys.threads, thread)
        version, state, first = pipe.execute()
        return int(version or 0), _closed(state, first, now_ms, close_after_ms)

    @translated
    def set_thread_state(self, thread, state, moderator, now_ms):
        """Close (``state`` "closed") or open ("open") a thread, whatever its age says; audited."""
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self.keys.thread_states, thread, state)
        pipe.xadd(self.keys.audit, {"action": f"thread_{state}", "thread": thread, "moderator": moderator,
                                    "at": now_ms}, maxlen=self.audit_max_length, approximate=True)
        pipe.execute()

    @translated
    def threads_page(self, now_ms, close_after_ms=0, start=0, size=50):
        """Threads, newest first by their first comment (ThreadRow), and whether more follow."""
        threads = self.client.zrevrange(self.keys.threads, start, start + size, withscores=True)
        more, threads = len(threads) > size, threads[:size]
        pipe = self.client.pipeline(transaction=False)
        for thread, _ in threads:
            pipe.hget(self.keys.thread_states, thread)
            pipe.zcard(self.keys.thread_published(thread))
            pipe.zcard(self.keys.thread_pending(thread))
        answers = pipe.execute()
        rows = []
        for i, (thread, first) in enumerate(threads):
            state, published, pending = answers[3 * i:3 * i + 3]
            rows.append(ThreadRow(thread, from_ms(first), _closed(state, first, now_ms, close_after_ms), state or "",
                                  published, pending))
        return rows, more

    @translated
    def thread_version(self, thread):
        """A number that changes whenever the thread's published comments change."""
        return int(self.client.get(self.keys.thread_version(thread)) or 0)

    @translated
    def published_counts(self, threads):
        """Approved comments per thread, for many threads in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        for thread in threads:
            pipe.zcard(self.keys.thread_published(thread))
        return dict(zip(threads, pipe.execute(), strict=True))

    @translated
    def is_published(self, thread, comment_id):
        return self.client.zscore(self.keys.thread_published(thread), comment_id) is not None

    # Moderators

    @translated
    def decide(self, comment_id, decision, moderator, now_ms, *, reason="", force=False, body="", lesson=None):
        """Move a pending comment to ``decision`` (a Decision), exactly once.

        ``force`` decides even if another moderator claimed it (admins);
        ``body``, when given, replaces the text in the same step (the original
        goes to the audit log). The filter learns ``lesson`` in the same step.
        """
        [answer] = self._decide_ids([comment_id], decision, moderator, now_ms, reason=reason, force=force, body=body,
                                    lesson=lesson)
        _raise_for(answer, comment_id)

    @translated
    def decide_many(self, comment_ids, decision, moderator, now_ms, *, reason="", force=False, wave="",
                    wave_seconds=0, lesson=None):
        """Decide several pending comments in one script; returns {id: None or the exception it met}.

        Rejecting a ``wave`` (its feature) also sends its later members to spam for ``wave_seconds``.
        The filter learns ``lesson`` of the comments decided, in the same step.
        """
        answers = self._decide_ids(comment_ids, decision, moderator, now_ms, reason=reason, force=force,
                                   wave=wave, wave_seconds=wave_seconds, lesson=lesson)
        outcome = {}
        for comment_id, answer in zip(comment_ids, answers, strict=True):
            try:
                _raise_for(answer, comment_id)
                outcome[comment_id] = None
            except (AlreadyDecided, ClaimedByOther, CommentNotFound) as error:
                outcome[comment_id] = error
        return outcome

    def _decide_ids(self, comment_ids, decision, moderator, now_ms, *, reason="", force=False, body="", wave="",
                    wave_seconds=0, lesson=None):
        if not comment_ids:
            return []
        k = self.keys
        options = {"prefix": k.prefix, "status": str(decision), "moderator": moderator, "now": str(now_ms),
                   "reason": reason, "audit_max": self.audit_max_length, "events_max": self.events_max_length,
                   "force": bool(force), "body": body, "wave": wave, "wave_seconds": int(wave_seconds),
                   "stats": {**self.when(now_ms),
                             "slipped": decision == Decision.REJECT and reason in buckets.SPAM_REASONS}}
        if lesson is not None:
            options["learn"] = self._learning(lesson)
        return self._acknowledged(self._decide,
                                  [k.pending, k.pending_per_thread, k.decided, k.audit, k.events, k.pending_count],
                                  [json.dumps(options, ensure_ascii=False), *comment_ids])

    @translated
    def undo(self, comment_id, moderator, now_ms, is_admin, window_ms, *, lesson=None):
        """Return a decided comment to the queue; returns the status it had.

        The filter forgets ``lesson`` in the same step, if the comment still has its status.
        """
        k = self.keys
        result = self._acknowledged(
            self._undo,
            [k.comment(comment_id), k.pending, k.pending_per_thread, k.decided, k.audit, k.events, k.pending_count],
            [k.prefix, moderator, now_ms, flag(is_admin), window_ms, self.audit_max_length, self.events_max_length,
             comment_id, json.dumps(self._learning(lesson) if lesson else {}, ensure_ascii=False),
             json.dumps(self.when(now_ms))],
        )
        if result[0] == "pending":
            raise NothingToUndo(comment_id)
        if result[0] == "removed":
            raise NotPublished(Status.REMOVED)
        if result[0] == "forbidden":
            _, by, at = result
            raise UndoNotAllowed(by, from_ms(at) if at else None)
        _raise_for(result, comment_id)
        return Status(result[1])

    def _learning(self, lesson):
        """A Lesson as the decision scripts take it: the filter's keys and each comment's tokens, once each."""
        return {"label": lesson.label, "status": lesson.status, "tokens_key": self.keys.filter_tokens(lesson.label),
                "documents_key": self.keys.filter_documents,
                "tokens": {str(i): list(dict.fromkeys(tokens)) for i, tokens in lesson.tokens.items()}}

    @translated
    def remove(self, comment_id, moderator, now_ms, reason, *, placeholder=True):
        """Take a published comment down; with ``placeholder``, its place stays where replies hang under it."""
        self._remove_or_restore(comment_id, action="remove", moderator=moderator, now_ms=now_ms, reason=reason,
                                placeholder=placeholder)

    @translated
    def restore(self, comment_id, moderator, now_ms):
        """Publish a removed comment again."""
        self._remove_or_restore(comment_id, action="restore", moderator=moderator, now_ms=now_ms, reason="",
                                placeholder=False)

    def _remove_or_restore(self, comment_id, *, action, moderator, now_ms, reason, placeholder):
        k = self.keys
        options = {"prefix": k.prefix, "action": action, "moderator": moderator, "now": str(now_ms),
                   "reason": reason, "placeholder": placeholder, "audit_max": self.audit_max_length,
                   "events_max": self.events_max_length, "id": str(comment_id), "stats": self.when(now_ms)}
        result = self._acknowledged(self._remove, [k.comment(comment_id), k.audit, k.events],
                                    [json.dumps(options, ensure_ascii=False)])
        if result[0] == "status":
            raise NotPublished(Status(result[1]))
        _raise_for(result, comment_id)

    @translated
    def report(self, comment_id, thread, now_ms, *, network, reason, note="", limits=(), hide_at=0):
        """A reader's report of a published comment of ``thread``: "counted", "again" (this network reported it
        before), "not_published", or ("limited", seconds to wait)."""
        k = self.keys
        options = {"prefix": k.prefix, "action": "report", "id": str(comment_id), "thread": thread,
                   "now": str(now_ms), "network": network, "reason": reason, "note": note, "hide_at": int(hide_at),
                   "limits": [[k.limit(c.name), c.count, c.seconds_left] for c in limits]}
        answer = self._report(keys=[k.comment(comment_id), k.reported, k.audit],
                              args=[json.dumps(options, ensure_ascii=False)])
        return (answer[0], int(answer[1])) if answer[0] == "limited" else answer[0]

    @translated
    def keep(self, comment_id, moderator, now_ms):
        """Dismiss a comment's reports: it leaves the Reported queue (and comes back out of hiding); True if it
        was there."""
        k = self.keys
        options = {"prefix": k.prefix, "action": "keep", "id": str(comment_id), "now": str(now_ms),
                   "moderator": moderator, "audit_max": self.audit_max_length}
        answer = self._acknowledged(self._report, [k.comment(comment_id), k.reported, k.audit],
                                    [json.dumps(options, ensure_ascii=False)])
        return answer[0] == "kept"

    @translated
    def reported(self, size=50):
        """The Reported queue: (Comment, report count, latest reports) by count, then recency."""
        ids = self.client.zrevrange(self.keys.reported, 0, size - 1)
        comments = self._many(ids, ALL_FIELDS)
        pipe = self.client.pipeline(transaction=False)
        for c in comments:
            pipe.hget(self.keys.comment(c.id), "reports")
            pipe.lrange(self.keys.reports(c.id), 0, 19)
        answers = pipe.execute()
        return [(c, int(answers[2 * i] or 0), [json.loads(r) for r in answers[2 * i + 1]])
                for i, c in enumerate(comments)]

    @translated
    def reported_count(self):
        return self.client.zcard(self.keys.reported)

    @translated
    def edit(self, comment_id, body, moderator, now_ms, force=False):
        """Replace a pending comment's body; the original goes to the audit log. True if it changed."""
        k = self.keys
        result = self._acknowledged(self._edit, [k.comment(comment_id), k.audit, k.claim(comment_id)],
                                    [moderator, now_ms, body, self.audit_max_length, comment_id, flag(force)])
        if result[0] == "unchanged":
            return False
        _raise_for(result, comment_id)
        return True

    @translated
    def queue_page(self, moderator, claim_ms, *, cursor=None, thread=None, email=None, index=None, size=50,
                   budget=500):
        """A page of pending comments, oldest first, claimed for ``moderator``.

        ``cursor`` is the ``next_cursor`` of the page before. Filtering by
        ``thread`` or ``email`` reads that thread's or commenter's own index.
        """
        k = self.keys
        if thread is not None:
            index = k.thread_pending(thread)
        elif email is not None:
            index = k.email_pending(email)
        elif index is None:
            index = k.pending
        score, _, last_id = (cursor or "").partition(":")
        comments, others, next_score, next_id = self._queue_page(
            keys=[index],
            args=[k.prefix, moderator, claim_ms, score, last_id, budget, size, *ALL_FIELDS],
        )
        rows = (_comment(ALL_FIELDS, [value or None for value in row]) for row in comments)
        return QueuePage(
            comments=[c for c in rows if c is not None],
            claimed_by_others=[(int(others[i]), others[i + 1]) for i in range(0, len(others), 2)],
            next_cursor=f"{next_score}:{next_id}" if next_id else None,
        )

    @translated
    def rescue(self, comment_id, moderator, now_ms):
        """Move a comment from the spam list back into the queue (held for a closer look)."""
        k = self.keys
        result = self._acknowledged(
            self._rescue,
            [k.comment(comment_id), k.spam, k.pending, k.pending_per_thread, k.audit, k.events, k.pending_count],
            [k.prefix, moderator, now_ms, self.audit_max_length, self.events_max_length, comment_id,
             json.dumps(self.when(now_ms))],
        )
        _raise_for(result, comment_id)

    @translated
    def empty_spam(self, moderator, now_ms, batch=500):
        """Reject everything on the spam list as spam; returns the ids, in batches of one script each."""
        k = self.keys
        rejected = []
        while True:
            ids = self._acknowledged(self._spam_confirm, [k.spam, k.decided, k.audit],
                                     [k.comment_prefix, moderator, now_ms, self.audit_max_length, batch])
            rejected += [int(i) for i in ids]
            if len(ids) < batch:
                return rejected

    @translated
    def purge_decided(self, cutoff_ms, batch=500):
        """Delete the comments rejected at or before ``cutoff_ms``; returns how many, in batches of one script each.

        Approved comments stay published; they only leave the decided set.
        """
        deleted = 0
        while True:
            taken, gone = self._purge(keys=[self.keys.decided], args=[self.keys.comment_prefix, cutoff_ms, batch])
            deleted += gone
            if taken < batch:
                return deleted

    @translated
    def spam_page(self, cursor=None, size=50):
        """A page of the spam list, oldest first."""
        return self.queue_page("", 0, cursor=cursor, index=self.keys.spam, size=size)

    @translated
    def spam_count(self):
        return self.client.zcard(self.keys.spam)

    @translated
    def claim(self, comment_ids, moderator, claim_ms):
        """Claim or renew claims on comments ``moderator`` has open; returns the ids now theirs."""
        if not comment_ids:
            return []
        k = self.keys
        mine = self._claim(keys=[k.claim(c) for c in comment_ids], args=[moderator, claim_ms])
        return [c for c, ok in zip(comment_ids, mine, strict=True) if ok]

    @translated
    def claims(self, comment_ids):
        """Who holds a claim on each comment (None where nobody does)."""
        if not comment_ids:
            return {}
        return dict(zip(comment_ids, self.client.mget([self.keys.claim(c) for c in comment_ids]), strict=True))

    @translated
    def get(self, comment_id):
        """The comment with every field, or None."""
        return _comment(ALL_FIELDS, self.client.hmget(self.keys.comment(comment_id), ALL_FIELDS))

    @translated
    def get_many(self, comment_ids):
        """Comments with every field, in the order given, skipping missing ones."""
        return self._many(comment_ids, ALL_FIELDS)

    @translated
    def pending_count(self):
        return int(self.client.get(self.keys.pending_count) or 0)

    @translated
    def busiest_threads(self, limit=10):
        """(thread, pending count) for the threads with the most pending comments."""
        rows = self.client.zrevrange(self.keys.pending_per_thread, 0, limit - 1, withscores=True)
        return [(thread, int(count)) for thread, count in rows]

    @translated
    def thread_pending_count(self, thread):
        return self.client.zcard(self.keys.thread_pending(thread))

    @translated
    def email_pending_count(self, email):
        return self.client.zcard(self.keys.email_pending(email))

    @translated
    def active_waves(self, now_ms, window_ms, min_size, limit=100):
        """Groups of recent pending comments that share a feature (Wave), largest first.

        A wave has at least ``min_size`` pending comments from at least two
        names; features that tie the very same comments are shown once. Of
        its members only name and address are read, and its first in full:
        a wave can hold hundreds, and the queue page shows no more.
        """
        k = self.keys
        since = now_ms - window_ms
        features = self.client.zrevrangebyscore(k.waves, "+inf", since, start=0, num=limit)
        if not features:
            return []
        # Sizes first (one ZCOUNT each), then members only of the features large enough.
        pipe = self.client.pipeline(transaction=False)
        for feature in features:
            pipe.zcount(k.wave(feature), since, "+inf")
        large = [f for f, size in zip(features, pipe.execute(), strict=True) if size >= min_size]
        if not large:
            return []
        pipe = self.client.pipeline(transaction=False)
        for feature in large:
            pipe.zrangebyscore(k.wave(feature), since, "+inf", start=0, num=500)
        members = dict(zip(large, pipe.execute(), strict=True))
        ids = list(dict.fromkeys(int(i) for group in members.values() for i in group))
        pipe = self.client.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hmget(k.comment(comment_id), "status", "author", "ip")
        pending = {i: WaveMember(i, author, ip or "")
                   for i, (status, author, ip) in zip(ids, pipe.execute(), strict=True) if status == "pending"}
        groups, seen = [], set()
        # When two ties hold the very same comments, name the clearest one.
        clearest = sorted(members.items(), key=lambda item: WAVE_TIES.index(item[0].partition(":")[0]))
        for feature, group in clearest:
            tie = frozenset(int(i) for i in group if int(i) in pending)
            if len(tie) >= min_size and len({pending[i].author for i in tie}) >= 2 and tie not in seen:
                seen.add(tie)
                groups.append((feature, [pending[i] for i in sorted(tie)]))
        samples = {c.id: c for c in self._many([members[0].id for _, members in groups], ALL_FIELDS)}
        waves = [Wave(feature, members, samples[members[0].id]) for feature, members in groups
                 if members[0].id in samples]
        return sorted(waves, key=lambda wave: -len(wave.members))

    @translated
    def wave_members(self, feature, now_ms, window_ms):
        """The ids of the comments a wave holds now."""
        return [int(i) for i in self.client.zrangebyscore(self.keys.wave(feature), now_ms - window_ms, "+inf")]

    @translated
    def latest_event_id(self):
        last = self.client.xrevrange(self.keys.events, count=1)
        return last[0][0] if last else "0-0"

    @translated
    def events_since(self, event_id, limit=500):
        """Events after ``event_id``: (id, fields) pairs, oldest first."""
        return self.client.xrange(self.keys.events, min=f"({event_id}", count=limit)

    @translated
    def audit_log(self, before=None, moderator=None, limit=50, budget=5000):
        """Audit entries, newest first; returns (entries, cursor for the next page or None)."""
        entries, cursor, read = [], before, 0
        while len(entries) < limit and read < budget:
            rows = self.client.xrevrange(self.keys.audit, max=f"({cursor}" if cursor else "+", count=200)
            if not rows:
                return entries, None
            for entry_id, fields in rows:
                read += 1
                cursor = entry_id
                if moderator is None or fields.get("moderator") == moderator:
                    entries.append(_audit_entry(entry_id, fields))
                    if len(entries) >= limit:
                        break
        return entries, cursor

    def _many(self, comment_ids, fields):
        pipe = self.client.pipeline(transaction=False)
        for comment_id in comment_ids:
            pipe.hmget(self.keys.comment(comment_id), fields)
        comments = (_comment(fields, values) for values in pipe.execute())
        return [c for c in comments if c is not None]


def _closed(state, first, now_ms, close_after_ms):
    if state in {"closed", "open"}:
        return state == "closed"
    return bool(close_after_ms and first is not None and now_ms - float(first) > close_after_ms)


def _raise_for(result, comment_id):
    """Raise the exception a script's answer stands for; return quietly on 'ok'."""
    kind = result[0]
    if kind == "missing":
        raise CommentNotFound(comment_id)
    if kind == "decided":
        _, status, by, at = result
        raise AlreadyDecided(Status(status), by, from_ms(at) if at else None)
    if kind == "claimed":
        raise ClaimedByOther(result[1])


def _comment(names, values):
    """Build a Comment from HMGET's answer, or None for a missing hash."""
    row = dict(zip(names, values, strict=True))
    if row["id"] is None:
        return None
    decided_at = row.get("decided_at")
    return Comment(
        id=int(row["id"]),
        thread=row["thread"],
        author=row["author"],
        body=row["body"],
        url=row["url"] or "",
        parent=int(row["parent"]) if row["parent"] else None,
        created_at=from_ms(row["created_at"]),
        status=Status(row["status"]),
        email=row.get("email") or "",
        ip=row.get("ip") or "",
        user_agent=row.get("user_agent") or "",
        decided_by=row.get("decided_by") or "",
        decided_at=from_ms(decided_at) if decided_at else None,
        reason=row.get("reason") or "",
        edited_by=row.get("edited_by") or "",
        removed_by=row.get("removed_by") or "",
        removed_at=from_ms(row["removed_at"]) if row.get("removed_at") else None,
        removed_reason=row.get("removed_reason") or "",
        signals=tuple(json.loads(row["signals"])) if row.get("signals") else (),
        held=bool(row.get("held")),
        score=float(row["score"]) if row.get("score") else None,
        wave=row.get("wave") or "",
    )


def _audit_entry(entry_id, fields):
    comment_id = fields.get("id")
    return AuditEntry(
        entry_id=entry_id,
        action=fields.get("action", ""),
        moderator=fields.get("moderator", ""),
        at=from_ms(fields.get("at") or entry_id.split("-")[0]),
        comment_id=int(comment_id) if comment_id else None,
        thread=fields.get("thread", ""),
        reason=fields.get("reason", ""),
        original=fields.get("original", ""),
        ip=fields.get("ip", ""),
        file=fields.get("file", ""),
        counts=fields.get("counts", ""),
    )
