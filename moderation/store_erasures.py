"""Erasure jobs in Redis: the job records, a step of erasing, the finish, and a worker's sign of life.

A job (``cm:{site}:erasure:<digest>``, queue/README.md) holds the address
while it runs, the scan's cursor (the next comment id to look at) and what it
erased so far. Each step moves the cursor in the same script that erases
(``erase.lua``), so a runner that dies resumes where the last step ended.
"""

import json

from . import buckets
from .keys import Keys, ascii_lower
from .store import load_script, translated


class ErasureStore:
    def __init__(self, client, site="main", audit_max_length=1_000_000, *, timezone="UTC"):
        self.client = client
        self.timezone = timezone
        self.keys = Keys(site)
        self.audit_max_length = audit_max_length
        self._start = client.register_script(load_script("erasure_start.lua"))
        self._erase = client.register_script(load_script("erase.lua"))
        self._finish = client.register_script(load_script("erasure_finish.lua"))

    @translated
    def start(self, subject, email, actor, now_ms, *, keep_text, keep_ms):
        """A new job for this address, unless one is running; whether it started one."""
        k = self.keys
        return bool(self._start(keys=[k.erasure(subject), k.erasures, k.erasures_done],
                                args=[subject, ascii_lower(email), int(keep_text), actor, now_ms, keep_ms]))

    @translated
    def job(self, subject):
        """The job's record (its fields as Redis holds them); {} when there is none."""
        return self.client.hgetall(self.keys.erasure(subject))

    @translated
    def jobs(self, limit=20):
        """The records of the unfinished jobs, oldest first, then of those finished lately, latest first."""
        subjects = self.client.zrange(self.keys.erasures, 0, limit - 1)
        subjects += self.client.zrevrange(self.keys.erasures_done, 0, limit - 1)
        pipe = self.client.pipeline(transaction=False)
        for subject in subjects:
            pipe.hgetall(self.keys.erasure(subject))
        return [fields for fields in pipe.execute() if fields]  # a finished one may have expired

    @translated
    def unfinished(self):
        return self.client.zrange(self.keys.erasures, 0, -1)

    @translated
    def last_id(self):
        return int(self.client.get(self.keys.next_id) or 0)

    @translated
    def ids_of(self, email, start, end):
        """The ids from ``start`` up to ``end`` (exclusive) whose comment carries ``email``: one pipeline."""
        wanted, ids = ascii_lower(email), range(start, end)
        pipe = self.client.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hget(self.keys.comment(comment_id), "email")
        return [i for i, address in zip(ids, pipe.execute(), strict=True) if address and ascii_lower(address) == wanted]

    @translated
    def guards(self, comment_ids):
        """{id: (thread, email, body)} of these comments, what their duplicate guards were made from."""
        pipe = self.client.pipeline(transaction=False)
        for comment_id in comment_ids:
            pipe.hmget(self.keys.comment(comment_id), "thread", "email", "body")
        return {i: fields for i, fields in zip(comment_ids, pipe.execute(), strict=True) if fields[0] is not None}

    @translated
    def erase(self, subject, email, comment_ids, digests, *, step, keep_text=False):
        """Erase (or strip, ``keep_text``) these comments of ``email`` and move the job's cursor, in one script.

        ``digests``: {id: duplicate guard field}; ``step``: from, to (the cursor), runner, now, lease_ms.
        Returns how many it erased, or -1 when the job was not this runner's to move from ``from``.
        """
        k = self.keys
        options = {"prefix": k.prefix, "email": ascii_lower(email), "keep_text": keep_text,
                   "digests": {str(i): d for i, d in digests.items()}, **step,
                   "stats": buckets.when(step["now"], self.timezone)}
        return self._erase(keys=[k.pending, k.pending_count, k.pending_per_thread, k.decided, k.spam,
                                 k.erasure(subject)],
                           args=[json.dumps(options, ensure_ascii=False), *comment_ids])

    @translated
    def count(self, subject, counts):
        """Add what was erased outside Redis (the spool's records) to the job's counts."""
        pipe = self.client.pipeline(transaction=False)
        for name, value in counts.items():
            pipe.hincrby(self.keys.erasure(subject), f"n:{name}", value)
        pipe.execute()

    @translated
    def finish(self, subject, runner, now_ms, *, counts, erased, keep_ms):
        """Finish the job if its cursor passed the last id: its one audit entry; whether it finished."""
        k = self.keys
        return bool(self._finish(keys=[k.erasure(subject), k.next_id, k.erasures, k.erasures_done, k.audit],
                                 args=[k.prefix, runner, now_ms, keep_ms, self.audit_max_length,
                                       json.dumps(counts), erased]))

    @translated
    def seen_worker(self, name, ttl_ms):
        """A worker that runs erasures passed by; the sign expires after ``ttl_ms``."""
        self.client.set(self.keys.erasures_worker, name, px=ttl_ms)

    @translated
    def worker(self):
        """The worker seen lately, or None."""
        return self.client.get(self.keys.erasures_worker)
