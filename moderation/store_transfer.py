"""Imports and exports in Redis: comments from export files written through ``import.lua``,
and every comment read back in id order for an export.

Imported comments go in batches, one script each (one round trip and one
fsync for hundreds of comments); each comment is written with its import
key in the same step, so an import stopped anywhere can run again and adds
each comment once.
"""

import json

from . import buckets
from .connection import acknowledged
from .keys import Keys
from .store import load_script, translated


class TransferStore:
    def __init__(self, client, site="main", audit_max_length=1_000_000, *, min_replicas=0, replica_wait_ms=1000,
                 timezone="UTC"):
        self.client = client
        self.timezone = timezone
        self.keys = Keys(site)
        self.audit_max_length = audit_max_length
        self.min_replicas = min_replicas
        self.replica_wait_ms = replica_wait_ms
        self._import = client.register_script(load_script("import.lua"))

    @translated
    def import_batch(self, records, threads, now_ms, *, final=False):
        """Write ImportRecords (and what the file says of their ``threads``: {key: meta}) in one script.

        Returns one (outcome, id) per record: "imported", "orphan" (at the top level, its parent missing;
        only when ``final``), "seen" (imported before) or "waiting" (its parent is not imported yet).
        """
        k = self.keys
        options = {"prefix": k.prefix, "now": str(now_ms), "final": final, "threads": threads or {},
                   "stats": buckets.when(now_ms, self.timezone)}
        answers = acknowledged(
            self.client, self._import,
            [k.next_id, k.pending, k.pending_count, k.pending_per_thread, k.decided, k.spam, k.imported, k.threads],
            [json.dumps(options, ensure_ascii=False),
             *(json.dumps({"source": r.source, "also": list(r.also), "parent_source": r.parent_source,
                           "thread": r.thread, "status": str(r.status), "keep_id": r.keep_id, "fields": r.fields},
                          ensure_ascii=False) for r in records)],
            replicas=self.min_replicas, timeout_ms=self.replica_wait_ms)
        return [(outcome, int(comment_id) if comment_id else None) for outcome, comment_id in answers]

    @translated
    def imported_ids(self, sources):
        """The comment id each import key got, or None where it was never imported."""
        if not sources:
            return []
        return [int(i) if i else None for i in self.client.hmget(self.keys.imported, sources)]

    @translated
    def audit(self, action, actor, now_ms, details):
        """One audit entry for a whole import or export (``details``: file, counts…)."""
        self.client.xadd(self.keys.audit, {"action": action, "moderator": actor, "at": now_ms, **details},
                         maxlen=self.audit_max_length, approximate=True)

    @translated
    def last_id(self):
        """The highest comment id handed out: ids run from 1 to it, some deleted since."""
        return int(self.client.get(self.keys.next_id) or 0)

    @translated
    def raw_comments(self, first_id, last_id):
        """(id, {field: text}) of every comment from ``first_id`` to ``last_id`` that exists, in id order."""
        pipe = self.client.pipeline(transaction=False)
        ids = range(first_id, last_id + 1)
        for comment_id in ids:
            pipe.hgetall(self.keys.comment(comment_id))
        return [(i, fields) for i, fields in zip(ids, pipe.execute(), strict=True) if fields]

    @translated
    def statuses(self, first_id, last_id):
        """(id, thread, status) of every comment in the range that exists, in id order."""
        pipe = self.client.pipeline(transaction=False)
        ids = range(first_id, last_id + 1)
        for comment_id in ids:
            pipe.hmget(self.keys.comment(comment_id), "thread", "status")
        return [(i, thread, status) for i, (thread, status) in zip(ids, pipe.execute(), strict=True) if status]

    @translated
    def thread_meta(self, thread):
        """What an import kept of the thread's article (title, link, post_id…)."""
        return self.client.hgetall(self.keys.thread_meta(thread))
