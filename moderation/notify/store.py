"""The worker's Redis side for one site. Key names come from ``keys.Keys``; ``queue/README.md`` documents them.

Events are read from the site's event stream (and the redo stream, where an admin sends dead letters back)
with one consumer group, ``notify``. An event stays pending in the group until its work is done, so a
worker that dies leaves it for another to claim (XAUTOCLAIM).
"""

import json
import time

import redis

from ..keys import Keys
from ..store import load_script, translated

GROUP = "notify"
ALERTS = ("each", "digest", "none")


def id_ms(entry_id):
    return int(entry_id.split("-")[0])


class NotifyStore:
    def __init__(self, client, site="main", *, redo_max_length=10_000, sent_ttl_seconds=30 * 24 * 3600):
        self.client = client
        self.keys = Keys(site)
        self.redo_max_length = redo_max_length
        self.sent_ttl_seconds = sent_ttl_seconds
        self.streams = (self.keys.events, self.keys.notify_redo)
        self._dead = client.register_script(load_script("notify_dead.lua"))
        self._redo = client.register_script(load_script("notify_redo.lua"))
        self._prefs = client.register_script(load_script("notify_prefs.lua"))
        self._digest_lease = client.register_script(load_script("notify_digest_lease.lua"))
        self._digest_failed = client.register_script(load_script("notify_digest_failed.lua"))

    # The consumer group

    @translated
    def ensure_groups(self):
        """Create the group where it is missing. On the event stream it starts at the end: a worker started
        for the first time on an old site does not send mail for years of past events."""
        for stream, start in ((self.keys.events, "$"), (self.keys.notify_redo, "0")):
            try:
                self.client.xgroup_create(stream, GROUP, id=start, mkstream=True)
            except redis.ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    @translated
    def read_new(self, consumer, count):
        """Events no worker has seen yet, now pending under ``consumer``: (stream, id, fields)."""
        found = []
        for stream in self.streams:
            try:
                rows = self.client.xreadgroup(GROUP, consumer, {stream: ">"}, count=count)
            except redis.ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                self.ensure_groups()  # the stream was deleted or the group destroyed: start it again
                continue
            found.extend((stream, entry_id, fields) for _, entries in rows or () for entry_id, fields in entries)
        return found

    @translated
    def claim_idle(self, consumer, min_idle_ms, count):
        """Events left pending for ``min_idle_ms`` (a worker died, or an attempt failed), now ``consumer``'s."""
        found = []
        for stream in self.streams:
            try:
                _next, entries, *_ = self.client.xautoclaim(stream, GROUP, consumer, min_idle_ms, "0-0",
                                                            count=count)
            except redis.ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                continue
            # An entry the stream's cap trimmed before anyone finished it comes back empty (Redis 6.2).
            found.extend((stream, entry_id, fields) for entry_id, fields in entries if entry_id is not None)
        return found

    @translated
    def ack(self, stream, entry_id):
        self.client.xack(stream, GROUP, entry_id)
        self.client.hdel(self.keys.notify_retries, entry_id)

    @translated
    def attempts(self, entry_id):
        """(failed attempts so far, earliest time of the next one in ms)."""
        value = self.client.hget(self.keys.notify_retries, entry_id)
        if not value:
            return 0, 0
        attempts, _, next_ms = value.partition(":")
        return int(attempts), int(next_ms)

    @translated
    def record_failure(self, entry_id, attempts, next_ms):
        self.client.hset(self.keys.notify_retries, entry_id, f"{attempts}:{next_ms}")
        self.count("failed")

    @translated
    def dead_letter(self, stream, entry_id, fields, *, attempts, error, now_ms):
        letter = json.dumps({"stream": "redo" if stream == self.keys.notify_redo else "events", "id": entry_id,
                             "fields": fields, "attempts": attempts, "error": error, "at": now_ms},
                            ensure_ascii=False, sort_keys=True)
        k = self.keys
        return bool(self._dead(keys=[stream, k.notify_dead, k.notify_retries, k.notify_counts],
                               args=[GROUP, entry_id, letter]))

    @translated
    def dead_letters(self, limit=200):
        """The dead letters, oldest first: (the letter as stored, its fields)."""
        return [(raw, json.loads(raw)) for raw in self.client.lrange(self.keys.notify_dead, 0, limit - 1)]

    @translated
    def dead_count(self):
        return self.client.llen(self.keys.notify_dead)

    @translated
    def redo(self, raw):
        """Send a dead letter back to the worker; False when it was sent back already."""
        return bool(self._redo(keys=[self.keys.notify_dead, self.keys.notify_redo],
                               args=[raw, self.redo_max_length]))

    # Idempotency: one key per message, set once it went out

    @translated
    def was_sent(self, message_key):
        return bool(self.client.exists(self.keys.notify_sent(message_key)))

    @translated
    def mark_sent(self, message_key):
        self.client.set(self.keys.notify_sent(message_key), "1", ex=self.sent_ttl_seconds)
        self.count("sent")

    @translated
    def count(self, name, n=1):
        self.client.hincrby(self.keys.notify_counts, name, n)

    @translated
    def counts(self):
        return {name: int(value) for name, value in self.client.hgetall(self.keys.notify_counts).items()}

    @translated
    def backlog(self, now_ms=None, budget=10_000):
        """(events not yet acknowledged, age in seconds of the oldest of them or 0), over both streams.
        Events not yet delivered are counted up to ``budget``."""
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        depth, oldest = 0, None
        for stream in self.streams:
            try:
                groups = self.client.xinfo_groups(stream)
            except redis.ResponseError:
                continue  # no stream yet
            group = next((g for g in groups if g["name"] == GROUP), None)
            if group is None:
                continue
            depth += group["pending"]
            if group["pending"]:
                summary = self.client.xpending(stream, GROUP)
                oldest = min(oldest or summary["min"], summary["min"], key=id_ms)
            waiting = self.client.xrange(stream, min=f"({group['last-delivered-id']}", count=budget)
            depth += len(waiting)
            if waiting:
                oldest = min(oldest or waiting[0][0], waiting[0][0], key=id_ms)
        return depth, max(now_ms - id_ms(oldest), 0) / 1000 if oldest else 0.0

    # What moderators want

    @translated
    def set_preferences(self, name, email, alerts, digest_minutes):
        return bool(self._prefs(keys=[self.keys.moderator(name)], args=[email, alerts, int(digest_minutes)]))

    @translated
    def preferences(self, names):
        """name → (email, alerts, digest minutes) for each moderator named; '' and 'none' when unset."""
        pipe = self.client.pipeline(transaction=False)
        for name in names:
            pipe.hmget(self.keys.moderator(name), "email", "alerts", "digest_minutes")
        return {name: (email or "", alerts or "none", int(minutes or 0))
                for name, (email, alerts, minutes) in zip(names, pipe.execute(), strict=True)}

    @translated
    def moderator_names(self):
        return sorted(self.client.hkeys(self.keys.moderators))

    @translated
    def take_alert(self, name, most_per_hour, now_ms):
        """Whether moderator ``name`` may get one more alert this hour (and count it if so)."""
        key = self.keys.notify_rate(name, now_ms // 3_600_000)
        # One atomic step: the hour's counter made (with its expiry) if new, then counted; two workers
        # alerting at once cannot both take the last slot.
        pipe = self.client.pipeline(transaction=True)
        pipe.set(key, 0, ex=3600, nx=True)
        pipe.incr(key)
        return pipe.execute()[1] <= most_per_hour

    # Digests

    @translated
    def add_to_digest(self, name, comment_id, at_ms):
        self.client.zadd(self.keys.notify_digest(name), {str(comment_id): at_ms}, nx=True)

    @translated
    def digest_waiting(self, name):
        """(comment ids waiting for the digest, oldest first; since when the oldest waits, ms or 0; when the
        last digest went out, ms or 0)."""
        rows = self.client.zrange(self.keys.notify_digest(name), 0, -1, withscores=True)
        since = int(rows[0][1]) if rows else 0
        return [int(i) for i, _ in rows], since, int(self.client.get(self.keys.notify_digest_sent(name)) or 0)

    @translated
    def lease_digest(self, name, consumer, lease_ms, now_ms):
        """Whether ``consumer`` may build the digest now: one worker at a time, none before the backoff of
        a failed digest has run out, none while it is a dead letter."""
        k = self.keys
        return bool(self._digest_lease(keys=[k.notify_digest_lease(name), k.notify_retries, k.notify_counts],
                                       args=[digest_field(name), consumer, lease_ms, now_ms]))

    @translated
    def digest_failed(self, name, *, now_ms, retry_ms, retry_max_ms, max_attempts, error):
        """Count a failed digest: (attempts so far, time of the next one in ms, or None: a dead letter now)."""
        k = self.keys
        attempts, next_ms = self._digest_failed(
            keys=[k.notify_retries, k.notify_dead, k.notify_counts, k.notify_digest_lease(name)],
            args=[digest_field(name), name, now_ms, retry_ms, retry_max_ms, max_attempts, error])
        return int(attempts), (None if int(next_ms) < 0 else int(next_ms))

    @translated
    def revive_digest(self, name):
        """An admin retried the digest's dead letter: the next pass sends it (with a fresh count)."""
        self.client.hdel(self.keys.notify_retries, digest_field(name))

    @translated
    def finish_digest(self, name, comment_ids, now_ms):
        if comment_ids:
            self.client.zrem(self.keys.notify_digest(name), *[str(i) for i in comment_ids])
        self.client.set(self.keys.notify_digest_sent(name), now_ms)
        self.client.hdel(self.keys.notify_retries, digest_field(name))
        self.client.delete(self.keys.notify_digest_lease(name))


def digest_field(name):
    """The digest's field in the retry state; event ids (``<ms>-<n>``) cannot take this form."""
    return f"digest:{name}"
