"""What the worker sends readers when a comment is approved (the ``approved`` event), and nothing before.

- The comment's author ticked "email me when someone replies": their address follows the thread. Its
  first opt-in sends a confirmation mail (double opt-in); nothing else goes to an address until its
  link was confirmed. With ``NOTIFY_PUBLISHED``, a confirmed author is also told the comment is up.
- The comment answers another whose author opted in and confirmed: that author is told, unless it is
  the same address (nobody is told of their own reply), at most once per thread per
  ``NOTIFY_MIN_MINUTES`` (replies within it are on the page the first mail links to).

Nothing is sent before a moderator approved: a spammer cannot make the service mail a stranger. Every
message has an idempotency key (as the moderators' alerts), and every one counts against the hourly
limits per recipient and in total: over them, the event fails with ``RateLimited`` and the worker tries
it again after its backoff (and, past ``WORKER_MAX_ATTEMPTS``, keeps it as a dead letter), never drops it.
"""

import logging
import time

from flask import current_app

from ..models import Status
from . import mail, reader_mail
from .subscriptions import address_digest

logger = logging.getLogger(__name__)


class RateLimited(mail.DeliveryFailed):
    """Over the hour's limit of reader mail (to this address, or in total): the event waits and retries."""


def now_ms():
    return int(time.time() * 1000)


def title_of(site, thread):
    return site.transfer.thread_meta(thread).get("title") or thread


def on_approved(site, origin, comment_id):
    """The reader mail that comment ``comment_id``'s approval calls for; raises DeliveryFailed (or
    RateLimited) when one could not go out, after trying the others."""
    if not mail.enabled():
        return
    comment = site.store.get(comment_id)
    if comment is None or comment.status != Status.APPROVED:
        return  # undone or taken down before the worker came to it
    flags = site.readers.comment_flags([comment_id] if comment.parent is None else [comment_id, comment.parent])
    email, opted_in = flags.get(comment_id, ("", False))
    failures = []
    steps = []
    if opted_in:
        steps.append(lambda: author_opted_in(site, origin, comment, email))
    parent = flags.get(comment.parent)
    if parent and parent[1] and address_digest(parent[0]) != address_digest(email):
        steps.append(lambda: tell_parent_author(site, comment, parent[0]))
    for step in steps:
        try:
            step()
        except mail.DeliveryFailed as error:
            failures.append(error)
    if failures:
        raise failures[0]


def author_opted_in(site, origin, comment, email):
    digest = address_digest(email)
    state = site.readers.opt_in(digest, email, comment.thread, now_ms=now_ms(), event=origin,
                                resend_ms=current_app.config["READER_CONFIRM_HOURS"] * 3_600_000)
    title = title_of(site, comment.thread)
    if state == "confirm":
        send(site, f"confirm:{origin}:{digest}", digest,
             lambda: reader_mail.confirmation(site, email, digest, thread=comment.thread, title=title))
    elif state == "confirmed" and current_app.config["NOTIFY_PUBLISHED"]:
        send(site, f"published:{comment.id}:{digest}", digest,
             lambda: reader_mail.published(site, email, digest, comment=comment, title=title))


def tell_parent_author(site, reply, parent_email):
    digest = address_digest(parent_email)
    key = f"reply:{reply.id}:{digest}"
    if site.notify.was_sent(key):
        return
    verdict, email = site.readers.take_reply_slot(
        digest, reply.thread, reply.id, now_ms=now_ms(),
        interval_ms=current_app.config["NOTIFY_MIN_MINUTES"] * 60_000)
    if verdict != "send":
        return  # not confirmed, unsubscribed from the thread, or told of another reply moments ago
    send(site, key, digest,
         lambda: reader_mail.reply(site, email, digest, reply_comment=reply, title=title_of(site, reply.thread)))


def send(site, key, digest, build):
    """Send the message ``build`` makes, once (``key``), within the hour's limits."""
    store = site.notify
    if store.was_sent(key):
        return  # sent before a crash, or before another message of this event failed
    config = current_app.config
    wait_ms = site.readers.take_mail(digest, per_recipient=config["MAIL_PER_RECIPIENT_PER_HOUR"],
                                     total=config["MAIL_TOTAL_PER_HOUR"], now_ms=now_ms())
    if wait_ms:
        logger.info("site %s: reader mail over the hourly limit, waits (about %d s)", site.key, wait_ms // 1000)
        raise RateLimited(f"reader mail over the hourly limit; the window ends in {wait_ms // 1000} s")
    mail.mailer().send(build())
    store.mark_sent(key)
