"""The worker: follows every site's event stream and sends what each event calls for.

One loop, for every site in turn: claim what other workers left idle (dead, or a failed attempt waiting
out its backoff), read what nobody has seen, handle each event, then acknowledge it. Every message has
an idempotency key, set in Redis once the message went out and before the event is acknowledged: a
worker killed between sending and acknowledging makes the next one send that message once more, never
lose it (RELIABILITY.md). A failed event is retried with a doubling delay and, after
``WORKER_MAX_ATTEMPTS``, kept as a dead letter that an admin can send back from the console; a moderator's
digest that fails takes the same path (its dead letter holds the digest until an admin retries it).
"""

import logging
import os
import socket
import threading
import time

from flask import current_app

from .. import erasure, sites
from ..errors import StoreUnavailable
from ..models import Status
from ..webhooks import delivery as webhooks
from . import mail, readers

logger = logging.getLogger(__name__)


def now_ms():
    return int(time.time() * 1000)


def consumer_name():
    return f"{socket.gethostname()}-{os.getpid()}"


class Worker:
    def __init__(self, app, consumer=None):
        self.app = app
        self.consumer = consumer or consumer_name()
        self.stopping = threading.Event()
        config = app.config
        self.claim_idle_ms = int(config["WORKER_CLAIM_IDLE_SECONDS"] * 1000)
        self.retry_ms = int(config["WORKER_RETRY_SECONDS"] * 1000)
        self.retry_max_ms = int(config["WORKER_RETRY_MAX_SECONDS"] * 1000)
        self.max_attempts = config["WORKER_MAX_ATTEMPTS"]
        self.batch = config["WORKER_BATCH"]

    def stop(self, *_):
        self.stopping.set()

    def run(self):
        """Until stopped: a pass over every site, then a short wait when there was nothing to do."""
        logger.info("worker %s started", self.consumer)
        with self.app.app_context():
            for site in sites.every():
                self.ensure(site)
            while not self.stopping.is_set():
                busy = False
                for site in sites.every():
                    try:
                        busy |= self.run_once(site)
                        busy |= self.run_jobs(site)
                    except StoreUnavailable as error:
                        logger.warning("site %s: Redis unavailable, trying again shortly: %s", site.key, error)
                if not busy:
                    self.stopping.wait(self.app.config["WORKER_POLL_SECONDS"])
        logger.info("worker %s stopped", self.consumer)

    def ensure(self, site):
        try:
            site.notify.ensure_groups()
        except StoreUnavailable as error:
            logger.warning("site %s: Redis unavailable: %s", site.key, error)

    def run_once(self, site, now=None):
        """One pass over ``site``; whether it found anything to do. Needs an app context."""
        sites.use(site)
        found = site.notify.claim_idle(self.consumer, self.claim_idle_ms, self.batch)
        found += site.notify.read_new(self.consumer, self.batch)
        for stream, entry_id, fields in found:
            if self.stopping.is_set():
                break  # what is left stays pending and is claimed after the idle time
            self.attempt(site, stream, entry_id, fields, now_ms() if now is None else now)
        self.send_digests(site, now_ms() if now is None else now)
        return bool(found)

    def run_jobs(self, site, now=None):
        """A slice of the site's background jobs (erasures, moderation/erasure.py); whether any is left."""
        sites.use(site)
        return erasure.run_waiting(self.consumer, seen_ms=self.claim_idle_ms, now=now)

    def attempt(self, site, stream, entry_id, fields, now):
        store = site.notify
        attempts, next_ms = store.attempts(entry_id)
        if next_ms > now:
            return  # claimed back early; it waits out its backoff and comes round again
        if attempts:
            store.count("retried")
        try:
            handle(site, entry_id, fields)
        except (mail.DeliveryFailed, StoreUnavailable) as error:
            self.failed(site, stream, entry_id, fields, attempts, str(error), now)
            return
        except Exception as error:
            # A bug or an event it cannot read must not stop every worker on the same event for ever:
            # logged with its traceback, it takes the path of a failure and ends as a dead letter.
            logger.exception("site %s: event %s could not be handled", site.key, entry_id)
            self.failed(site, stream, entry_id, fields, attempts, f"{type(error).__name__}: {error}", now)
            return
        store.ack(stream, entry_id)

    def failed(self, site, stream, entry_id, fields, attempts, error, now):  # noqa: PLR0917
        """Count a failed attempt: again after a doubling delay, or a dead letter past the limit."""
        store = site.notify
        attempts += 1
        if attempts >= self.max_attempts:
            store.dead_letter(stream, entry_id, fields, attempts=attempts, error=error, now_ms=now)
            logger.error("site %s: event %s given up after %d attempts: %s", site.key, entry_id, attempts, error)
        else:
            delay = min(self.retry_ms * 2 ** (attempts - 1), self.retry_max_ms)
            store.record_failure(entry_id, attempts, now + delay)
            logger.warning("site %s: event %s failed (attempt %d), again in %d s: %s", site.key, entry_id,
                           attempts, delay // 1000, error)

    def send_digests(self, site, now):
        if not mail.enabled():
            return
        store = site.notify
        names = store.moderator_names()
        for name, (email, alerts, chosen) in store.preferences(names).items():
            if alerts == "none" or not email:
                continue  # "each" too: what went past the hour's share of alerts waits for a digest
            waiting, since, last = store.digest_waiting(name)
            minutes = chosen or current_app.config["MAIL_DIGEST_MINUTES"]
            # Due once the oldest comment has waited the period and the last digest is as old: a wave
            # of a hundred comments becomes one mail.
            if not waiting or now - max(since, last) < minutes * 60_000:
                continue
            if not store.lease_digest(name, self.consumer, max(self.retry_ms, 1000), now):
                continue  # another worker is on it, the last try failed moments ago, or a dead letter
            still = [c for c in site.store.get_many(waiting) if c.status == Status.PENDING]
            key = f"digest:{name}:{waiting[-1]}"
            if still and not store.was_sent(key):
                try:
                    mailer = mail.mailer()
                    mailer.send(mail.digest(site, still, name, email, titles(site, {c.thread for c in still})))
                except mail.DeliveryFailed as error:
                    self.digest_failed(site, name, str(error), now)
                    continue  # the comments stay waiting
                store.mark_sent(key)
            # Nothing waits any more (all decided meanwhile): nothing is sent, the digest starts afresh.
            store.finish_digest(name, waiting, now)


    def digest_failed(self, site, name, error, now):
        """Like a failed event: again after a doubling delay, or a dead letter past the limit."""
        attempts, next_ms = site.notify.digest_failed(name, now_ms=now, retry_ms=self.retry_ms,
                                                      retry_max_ms=self.retry_max_ms,
                                                      max_attempts=self.max_attempts, error=error)
        if next_ms is None:
            logger.error("site %s: digest for %s given up after %d attempts: %s", site.key, name, attempts, error)
        else:
            logger.warning("site %s: digest for %s failed (attempt %d), again in %d s: %s", site.key, name,
                           attempts, (next_ms - now) // 1000, error)


def titles(site, threads):
    """Each thread's article title: what an import kept of it, else its key."""
    return {thread: site.transfer.thread_meta(thread).get("title") or thread for thread in threads}


def handle(site, entry_id, fields):
    """Do what one event calls for; raises DeliveryFailed when a message could not go out."""
    webhooks.deliver(site, fields.get("retry_of") or entry_id, fields)
    if fields.get("type") == "submitted":
        alert_moderators(site, fields.get("retry_of") or entry_id, int(fields["id"]))
    elif fields.get("type") == "approved":
        readers.on_approved(site, fields.get("retry_of") or entry_id, int(fields["id"]))
    elif fields.get("type") == "digest":
        site.notify.revive_digest(fields["moderator"])  # a dead digest an admin retried: the pass sends it


def alert_moderators(site, origin, comment_id):
    """A new comment waits: an alert to each moderator who wants one, a line in each digest."""
    if not mail.enabled():
        return
    comment = site.store.get(comment_id)
    if comment is None or comment.status != Status.PENDING:
        return  # decided before the worker got to it: nothing waits
    store = site.notify
    wanted = store.preferences(store.moderator_names())
    failures = []
    for name, (email, alerts, _minutes) in wanted.items():
        if not email or alerts == "none":
            continue
        if alerts == "digest":
            store.add_to_digest(name, comment_id, int(origin.split("-")[0]))
            continue
        key = f"alert:{origin}:{name}"
        if store.was_sent(key):
            continue  # sent before a crash or a failure of another message of this event
        if not store.take_alert(name, current_app.config["MAIL_ALERTS_PER_HOUR"], now_ms()):
            # A wave of comments must not become a wave of mail: past the hour's share, a digest.
            store.add_to_digest(name, comment_id, int(origin.split("-")[0]))
            continue
        try:
            mail.mailer().send(mail.alert(site, comment, name, email, titles(site, [comment.thread])[comment.thread]))
        except mail.DeliveryFailed as error:
            failures.append(error)
            continue
        store.mark_sent(key)
    if failures:
        raise failures[0]
