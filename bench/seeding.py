"""Comments loaded straight into Redis through the store's own scripts, and their cost in memory.

A million comments through HTTP would take hours; through the store's Lua
scripts in pipelines they take minutes. Nothing here rebuilds a key or an
argument: each comment goes through ``Store.submit`` (and ``Store.decide``
to approve) on the app's own store, whose scripts are replaced by recorders;
the recorded script call is then replayed with the real script on a
pipeline. So the load writes exactly what the store writes, however it
changes. (The service's screening in front of the store is left out: it
would cost a million Python calls and Redis reads, and a queued comment
looks the same in Redis either way.)
"""

import collections
import os
import random
import secrets
import time

from corpus import USER_AGENT

from moderation import buckets, connection, create_app, forms, intake
from moderation.models import Decision, NewComment

BACKGROUND_TIMEOUT_SECONDS = 600
# Documentation addresses (RFC 5737): what the store keeps of a reader's address.
IPS = ("198.51.100.23", "203.0.113.7", "192.0.2.140")
SAMPLE_EVERY = 997
SAMPLES = 500


class Recorded(Exception):  # not an error: how a recorder ends the store's call
    """A script call, caught before it reached Redis."""

    def __init__(self, keys, args):
        super().__init__("recorded")
        self.keys = keys
        self.args = args


class Recorder:
    """Stands in for one of the store's scripts: stops the caller with the call it made."""

    def __call__(self, keys, args, client=None):
        raise Recorded(keys, args)


class LoadError(RuntimeError):
    """The store did not write what the load expected."""


class Loader:
    """Writes comments into one instance's Redis exactly as its store would."""

    def __init__(self, instance, secret_key, settings=None, batch=2000, url=None):
        self.url = url or f"unix://{os.path.join(instance, 'redis.sock')}"
        self.app = create_app({"INSTANCE_PATH": instance, "REDIS_URL": self.url, "SECRET_KEY": secret_key,
                               **(settings or {})})
        self.store = self.app.extensions["sites"].get("main").store
        self.keys = self.store.keys
        self.submit_script, self.decide_script = self.store._submit, self.store._decide
        self.store._submit, self.store._decide = Recorder(), Recorder()
        # Pipelines of thousands and MEMORY USAGE of a million-member set outlast the app's 2 s timeout.
        # On a cluster, the primary that holds the site: every key of one site is in its slot, and a
        # cluster's own pipeline refuses scripts.
        self.client = connection.primary_for(connection.connect(self.url, 300), self.keys.prefix)
        self.batch = batch
        self.samples = []  # (comment id, keys its submission touched), for the memory breakdown

    def close(self):
        self.client.close()
        self.app.extensions["redis"].close()

    def record(self, call, *args, **kwargs):
        """The (keys, args) of the script call the store method ``call`` makes."""
        try:
            call(*args, **kwargs)
        except Recorded as recorded:
            return recorded.keys, recorded.args
        raise LoadError(f"{call.__name__} called no script")

    def submit(self, comments, sample_every=SAMPLE_EVERY):
        """Take in ``comments`` ((NewComment, created_at ms) pairs); returns the ids of those created."""
        created, sampled, answers = [], {}, []
        pipe = self.client.pipeline(transaction=False)
        for n, (comment, created_ms) in enumerate(comments):
            nonce = secrets.token_urlsafe(forms.NONCE_BYTES)  # as long as a form token's nonce
            # The service keys its duplicate guard by thread, email and text, as here.
            digest = intake.duplicate_digest(comment.thread, comment.email, comment.body)
            keys, args = self.record(self.store.submit, comment, nonce, created_ms, duplicate_digest=digest)
            self.submit_script(keys=keys, args=args, client=pipe)
            if n % sample_every == 0:
                sampled[n] = keys
            if len(pipe) >= self.batch:
                answers += pipe.execute()
        answers += pipe.execute()
        for n, answer in enumerate(answers):
            # The script answers {id, outcome, ...}: 'created' (or 1 in older versions) for a new comment.
            if answer[0] and answer[1] in ("created", 1):
                created.append(int(answer[0]))
                if n in sampled and len(self.samples) < SAMPLES:
                    self.samples.append((int(answer[0]), sampled[n]))
        return created

    def approve(self, ids, moderator, now_ms):
        """Approve pending comments as a moderator would, in pipelines."""
        answers = []
        pipe = self.client.pipeline(transaction=False)
        for comment_id in ids:
            keys, args = self.record(self.store.decide, comment_id, Decision.APPROVE, moderator, now_ms)
            self.decide_script(keys=keys, args=args, client=pipe)
            if len(pipe) >= self.batch:
                answers += pipe.execute()
        answers += pipe.execute()
        refused = [a for a in answers if first(a) != "ok"]
        if refused:
            raise LoadError(f"{len(refused)} approvals refused, first: {refused[0]}")

    def size(self, key):
        """Members of a collection key of any type (0 when it does not exist)."""
        if key is None:
            return 0
        counter = {"zset": self.client.zcard, "set": self.client.scard, "list": self.client.llen,
                   "hash": self.client.hlen, "stream": self.client.xlen}.get(self.client.type(key))
        return counter(key) if counter else 0

    def pending_count(self):
        return self.store.pending_count()

    def random_pending(self, count):
        """``count`` different pending ids (fewer if fewer wait), drawn from every id ever given."""
        count = min(count, self.pending_count())
        last_id = int(self.client.get(self.keys.next_id) or 0)
        chosen = set()
        while len(chosen) < count:
            ids = random.sample(range(1, last_id + 1), min(last_id, 2 * count))
            with self.client.pipeline(transaction=False) as pipe:
                for comment_id in ids:
                    pipe.getbit(self.keys.pending, comment_id)
                chosen.update(i for i, waiting in zip(ids, pipe.execute(), strict=True) if waiting)
        return list(chosen)[:count]

    def wait_for_background(self):
        """Until no snapshot or rewrite runs: a fork copying a million comments
        would be measured too, and its buffers would count as memory."""
        deadline = time.monotonic() + BACKGROUND_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            info = self.client.info("persistence")
            if not (info["rdb_bgsave_in_progress"] or info["aof_rewrite_in_progress"]
                    or info.get("aof_rewrite_scheduled")):
                return
            time.sleep(0.5)

    def used_memory(self):
        self.wait_for_background()
        return int(self.client.info("memory")["used_memory"])

    def usage(self, key):
        return self.client.memory_usage(key, samples=0) or 0


def first(answer):
    """The first word of a script's answer, however deep its lists nest ({'ok'} or {{'ok'}, …})."""
    while isinstance(answer, list | tuple) and answer:
        answer = answer[0]
    return answer


def pending_comments(corpus, count, *, threads, emails, start_ms, variety=5000):
    """``count`` new comments spread over the ``threads`` and the commenters' ``emails``, 1 ms apart.

    Texts and names come from a pool of ``variety`` drawn once: drawing each
    of a million from the generator would cost more than writing it to Redis.
    """
    variety = max(1, min(variety, count))
    bodies = [corpus.body() for _ in range(variety)]
    authors = [corpus.author() for _ in range(variety)]
    urls = ("", "", "https://example.org/profile")
    pick = corpus.random.random
    for i in range(count):
        comment = NewComment(
            thread=threads[int(pick() * len(threads))],
            author=authors[i % variety],
            email=emails[int(pick() * len(emails))],
            body=bodies[int(pick() * variety)],
            url=urls[i % len(urls)],
            ip=IPS[i % len(IPS)],
            user_agent=USER_AGENT,
        )
        yield comment, start_ms + i


def approved_thread(loader, corpus, thread, *, count, start_ms, reply_share=0.2):
    """A thread of ``count`` approved comments, some replies to earlier ones; returns their ids."""
    roots = count - int(count * reply_share)
    root_ids = loader.submit(
        (NewComment(thread=thread, author=corpus.author(), email=corpus.email(), body=corpus.body(),
                    url=corpus.choice(("", "https://example.org")), ip=IPS[0]), start_ms + i)
        for i in range(roots))
    loader.approve(root_ids, "bench", start_ms + count)
    reply_ids = loader.submit(
        (NewComment(thread=thread, author=corpus.author(), email=corpus.email(), body=corpus.body(),
                    parent=corpus.choice(root_ids), ip=IPS[1]), start_ms + roots + i)
        for i in range(count - roots))
    loader.approve(reply_ids, "bench", start_ms + count)
    return root_ids + reply_ids


def memory_breakdown(loader):
    """What one pending comment costs, by kind of key, from MEMORY USAGE of sampled comments.

    The keys are those each sampled submission touched. Returns (parts:
    kind → bytes per comment, own: bytes of the comment's field values).
    A key of one comment alone (its hash) counts whole; a sorted set the
    comment is a member of counts its bytes per member, a hash of several
    comments its bytes per field that names this comment; a stream and the
    site's bitmap of pending ids count their bytes per pending comment
    (streams are capped; the bitmap has a bit for every id ever given). Keys
    shared otherwise (counters) cost next to nothing per comment and are
    left out.
    """
    client, pending = loader.client, max(loader.pending_count(), 1)
    # A string of the comment's own holds its id.
    uses = collections.Counter(key for _, keys in loader.samples for key in set(keys))
    totals, own, shares = {}, [], {}
    for comment_id, keys in loader.samples:
        comment_key = loader.keys.comment(comment_id)
        own.append(sum(len(value.encode()) for value in client.hgetall(comment_key).values()))
        add(totals, "comment hash", loader.usage(comment_key))
        for key in dict.fromkeys(keys):
            kind = client.type(key)
            label = f"`{pattern(loader.keys.prefix, key)}` ({kind})"
            if kind == "string" and uses[key] == 1 and client.get(key) == str(comment_id):
                add(totals, label, loader.usage(key))
            elif kind == "zset" and client.zscore(key, comment_id) is not None:
                if key not in shares:
                    shares[key] = loader.usage(key) / client.zcard(key)
                add(totals, label, shares[key])
            elif kind == "hash" and key != comment_key:
                # A hash of several comments (a thread's nonces and duplicate guards): its bytes per field, times
                # the fields that point at this comment.
                values = client.hvals(key)
                if key not in shares:
                    shares[key] = loader.usage(key) / max(len(values), 1)
                add(totals, label, shares[key] * values.count(str(comment_id)))
            elif kind == "stream" or key == loader.keys.pending:
                if key not in shares:
                    shares[key] = loader.usage(key) / pending
                add(totals, label, shares[key])
    count = max(len(loader.samples), 1)
    return {label: total / count for label, total in totals.items()}, sum(own) / max(len(own), 1)


def add(totals, label, value):
    totals[label] = totals.get(label, 0) + value


def pattern(prefix, key):
    """``cm:{main}:thread:x:pending`` → ``thread:…:pending``: the kind of key, not the one key."""
    parts = key.removeprefix(prefix).split(":")
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]}:…" + (f":{parts[-1]}" if len(parts) > 2 else "")


def full_dashboard(loader, now, *, moderators=12, threads_a_day=400, seed=7):
    """Every bucket the dashboard reads, as full as a busy site keeps them: 48 hours of minutes and 400
    days, a dozen moderators, every trap and rule, hundreds of articles a day. The page's work depends on
    these, not on how many comments there are."""
    rng = random.Random(seed)
    keys, pipe = loader.keys, loader.client.pipeline(transaction=False)
    names = [f"moderator-{i}" for i in range(moderators)]
    door = ("honeypot", "too_fast", "blocked_word", "blocked_email", "blocked_ip", "filter", "wave")
    rules = (*door[2:5], "held_word", "too_many_links", "phone_number", "email_address", "coordinates")

    def waits(scale):
        return {name: rng.randint(0, 20 * scale) for name in buckets.WAIT_FIELDS} | {"wait_ms": 600_000 * scale}

    for hour in range(now // buckets.HOUR_MS - buckets.KEEP_HOURS, now // buckets.HOUR_MS + 1):
        depths = {}
        for minute in range(60):
            depth = rng.randint(0, 5000)
            depths |= {f"depth_open:{minute}": depth, f"depth:{minute}": depth + rng.randint(0, 20)}
        pipe.hset(keys.stats_hour(hour), mapping=depths | waits(60))
    for d in range(buckets.KEEP_DAYS):
        day = buckets.day_of(now - d * 86_400_000, "UTC")
        fields = {"submitted": 20_000, "decided": 19_000, "depth_open": 900, "depth": 1000, "depth_max": 5000,
                  "slipped": rng.randint(0, 50), "rescued": rng.randint(0, 20), **waits(60)}
        fields |= {f"by:{action}:{name}": rng.randint(0, 400) for name in names
                   for action in ("approved", "rejected", "undone", "removed")}
        fields |= {f"caught:{name}": rng.randint(0, 500) for name in door}
        fields |= {f"rule:{name}": rng.randint(0, 300) for name in rules}
        pipe.hset(keys.stats_day(day), mapping=fields)
        pipe.zadd(keys.stats_day_threads(day), {f"article-{d}-{i}": rng.randint(1, 300) for i in range(threads_a_day)})
        if d % 50 == 0:
            pipe.execute()
    pipe.execute()
