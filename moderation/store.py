"""The comment store: the only module that talks to Redis.

Every key name is built here, and every change of a comment's state is one
Lua script from ``queue/``. The key layout, with each key's type and writer,
is documented in ``queue/README.md``; keep the two in step.
"""

import functools
import os
from contextlib import contextmanager

import redis

from .errors import AlreadyDecided, CommentNotFound, StoreUnavailable
from .models import Comment, Status, from_ms

QUEUE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "queue")

# The fields a public page may read; email, IP and user agent are not among them.
PUBLIC_FIELDS = ("id", "thread", "parent", "author", "url", "body", "created_at", "status")
ALL_FIELDS = (*PUBLIC_FIELDS, "email", "ip", "user_agent", "decided_by", "decided_at")


def load_script(name):
    with open(os.path.join(QUEUE_DIR, name), encoding="utf-8") as f:
        return f.read()


@contextmanager
def reachable():
    """Turn Redis being down or slow into :class:`StoreUnavailable`."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as error:
        raise StoreUnavailable(str(error)) from error


def translated(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with reachable():
            return method(*args, **kwargs)

    return wrapper


class Keys:
    """The names of one site's keys. ``{site}`` is the Redis Cluster hash tag."""

    def __init__(self, site):
        self.prefix = f"cm:{{{site}}}:"
        self.next_id = self.prefix + "next-id"
        self.comment_prefix = self.prefix + "comment:"
        self.pending = self.prefix + "pending"
        self.thread_prefix = self.prefix + "thread:"
        self.pending_per_thread = self.prefix + "pending-per-thread"
        self.decided = self.prefix + "decided"
        self.audit = self.prefix + "audit"
        self.events = self.prefix + "events"

    def comment(self, comment_id):
        return f"{self.comment_prefix}{comment_id}"

    def nonce(self, nonce):
        return f"{self.prefix}nonce:{nonce}"

    def thread_pending(self, thread):
        return f"{self.thread_prefix}{thread}:pending"

    def thread_published(self, thread):
        return f"{self.thread_prefix}{thread}:published"


class Store:
    """One site's comments in one Redis (or one Redis Cluster)."""

    def __init__(self, client, site="main", nonce_ttl_seconds=3 * 24 * 3600,
                 events_max_length=100_000, audit_max_length=1_000_000):
        self.client = client
        self.keys = Keys(site)
        self.nonce_ttl_seconds = nonce_ttl_seconds
        self.events_max_length = events_max_length
        self.audit_max_length = audit_max_length
        self._submit = client.register_script(load_script("submit.lua"))
        self._decide = client.register_script(load_script("decide.lua"))

    @translated
    def ping(self):
        return self.client.ping()

    @translated
    def submit(self, comment, nonce, now_ms):
        """Queue ``comment`` (a NewComment); returns (id, created).

        The same nonce twice returns the first comment's id and creates nothing.
        """
        k = self.keys
        fields = {
            "thread": comment.thread,
            "author": comment.author,
            "email": comment.email,
            "url": comment.url,
            "body": comment.body,
            "parent": "" if comment.parent is None else str(comment.parent),
            "ip": comment.ip,
            "user_agent": comment.user_agent,
        }
        args = [k.comment_prefix, self.nonce_ttl_seconds, now_ms, self.events_max_length, comment.thread]
        for name, value in fields.items():
            args += [name, value]
        comment_id, created = self._submit(
            keys=[k.nonce(nonce), k.next_id, k.pending, k.thread_pending(comment.thread),
                  k.pending_per_thread, k.events],
            args=args,
        )
        return int(comment_id), bool(created)

    @translated
    def decide(self, comment_id, decision, moderator, now_ms, reason=""):
        """Move a pending comment to ``decision`` (a Decision), exactly once."""
        k = self.keys
        result = self._decide(
            keys=[k.comment(comment_id), k.pending, k.pending_per_thread, k.decided, k.audit, k.events],
            args=[k.thread_prefix, str(decision), moderator, now_ms, reason,
                  self.audit_max_length, self.events_max_length, comment_id],
        )
        if result[0] == "missing":
            raise CommentNotFound(comment_id)
        if result[0] == "decided":
            _, status, by, at = result
            raise AlreadyDecided(Status(status), by, from_ms(at) if at else None)

    @translated
    def get(self, comment_id):
        """The comment with every field, or None."""
        values = self.client.hmget(self.keys.comment(comment_id), ALL_FIELDS)
        return _comment(ALL_FIELDS, values)

    @translated
    def published(self, thread):
        """The thread's approved comments, oldest first, public fields only."""
        ids = self.client.zrange(self.keys.thread_published(thread), 0, -1)
        pipe = self.client.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hmget(self.keys.comment(comment_id), PUBLIC_FIELDS)
        comments = (_comment(PUBLIC_FIELDS, values) for values in pipe.execute())
        return [c for c in comments if c is not None]

    @translated
    def is_published(self, thread, comment_id):
        return self.client.zscore(self.keys.thread_published(thread), comment_id) is not None

    @translated
    def pending_count(self):
        return self.client.zcard(self.keys.pending)


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
    )
