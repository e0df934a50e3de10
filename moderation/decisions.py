"""What moderators do to comments: pages of the queue, claims, decisions, undo, edits, updates.

Plain values in and out; the views turn them into pages or JSON.
"""

import logging
from dataclasses import dataclass

from flask import current_app

from . import screening, sites
from .counters import DECISIONS
from .errors import AlreadyDecided, ClaimedByOther
from .models import Decision, Status
from .services import close_after_ms, now_ms, store

logger = logging.getLogger(__name__)


@dataclass
class BulkResult:
    done: list[int]
    already_decided: list[int]
    claimed: list[int]
    missing: list[int]


def queue_page(moderator, cursor=None, thread=None, email=None):
    """A page of the queue for ``moderator``, who claims what it shows."""
    config = current_app.config
    return store().queue_page(moderator, config["CLAIM_SECONDS"] * 1000, cursor=cursor, thread=thread,
                              email=email, size=config["QUEUE_PAGE_SIZE"])


def queue_counts(thread=None, email=None):
    """(pending in the whole queue, pending under the filter or None, busiest threads)."""
    s = store()
    filtered = None
    if thread is not None:
        filtered = s.thread_pending_count(thread)
    elif email is not None:
        filtered = s.email_pending_count(email)
    return s.pending_count(), filtered, s.busiest_threads()


def pending_total():
    return store().pending_count()


def comment(comment_id):
    return store().get(comment_id)


def comments(comment_ids):
    return store().get_many(comment_ids) if comment_ids else []


def open_comment(comment_id, moderator):
    """The comment, claimed for ``moderator`` if it is pending and nobody else holds it; and its claimant."""
    found = store().get(comment_id)
    if found is None:
        return None, None
    if found.status == Status.PENDING:
        store().claim([comment_id], moderator, current_app.config["CLAIM_SECONDS"] * 1000)
    return found, store().claims([comment_id]).get(comment_id)


def renew_claims(comment_ids, moderator):
    return store().claim(comment_ids, moderator, current_app.config["CLAIM_SECONDS"] * 1000)


def decide(comment_id, decision, moderator, *, reason="", force=False, body=""):
    found = store().get(comment_id)  # one HMGET: get_many's pipeline costs the client more for one
    lesson = screening.lesson([found] if found else [], decision, reason, body=body)
    store().decide(comment_id, Decision(decision), moderator, now_ms(), reason=reason, force=force, body=body,
                   lesson=lesson)
    logger.info("comment %d %s by %r", comment_id, decision, moderator)
    DECISIONS.labels(sites.current().key, str(decision)).inc()


def teach(decided, status, reason=""):
    """Count what moderators did outside the decision scripts; the learned filter learns from it."""
    DECISIONS.labels(sites.current().key, str(status)).inc(len(decided))
    for c in decided:
        screening.learn(c, status, reason)


def decide_many(comment_ids, decision, moderator, reason="", force=False):
    """Decide the comments in one script; report what happened to each."""
    lesson = screening.lesson(store().get_many(comment_ids), decision, reason)
    outcome = store().decide_many(comment_ids, Decision(decision), moderator, now_ms(), reason=reason, force=force,
                                  lesson=lesson)
    result = BulkResult([], [], [], [])
    for comment_id, error in outcome.items():
        if error is None:
            result.done.append(comment_id)
        elif isinstance(error, AlreadyDecided):
            result.already_decided.append(comment_id)
        elif isinstance(error, ClaimedByOther):
            result.claimed.append(comment_id)
        else:
            result.missing.append(comment_id)
    logger.info("%d comments %s by %r in one step", len(result.done), decision, moderator)
    DECISIONS.labels(sites.current().key, str(decision)).inc(len(result.done))
    return result


def undo(comment_id, moderator, is_admin):
    before = store().get(comment_id)
    previous = store().undo(comment_id, moderator, now_ms(), is_admin,
                            current_app.config["UNDO_WINDOW_SECONDS"] * 1000,
                            lesson=screening.unlesson(before) if before else None)
    logger.info("comment %d: %s undone by %r", comment_id, previous, moderator)
    DECISIONS.labels(sites.current().key, "undone").inc()
    return previous


def remove(comment_id, moderator, reason):
    """Take a published comment down (any moderator, any time); NotPublished when it is not published."""
    store().remove(comment_id, moderator, now_ms(), reason, placeholder=current_app.config["REMOVED_PLACEHOLDER"])
    logger.info("comment %d removed by %r (%s)", comment_id, moderator, reason)
    DECISIONS.labels(sites.current().key, "removed").inc()


def restore(comment_id, moderator):
    """Publish a removed comment again (admins)."""
    store().restore(comment_id, moderator, now_ms())
    logger.info("comment %d restored by %r", comment_id, moderator)
    DECISIONS.labels(sites.current().key, "restored").inc()


def threads_page(start=0):
    """A page of the site's threads, newest first, with open/closed and counts; and whether more follow."""
    return store().threads_page(now_ms(), close_after_ms(), start=start, size=current_app.config["QUEUE_PAGE_SIZE"])


def set_thread_state(thread, state, moderator):
    store().set_thread_state(thread, state, moderator, now_ms())
    logger.info("thread %r %s by %r", thread, state, moderator)


def edit(comment_id, body, moderator, force=False):
    changed = store().edit(comment_id, body, moderator, now_ms(), force=force)
    if changed:
        logger.info("comment %d edited by %r", comment_id, moderator)
    return changed


def latest_event():
    return store().latest_event_id()


def updates(after):
    """What happened since event ``after``: (new pending comments, decisions, last event id)."""
    events = store().events_since(after)
    if not events:
        return [], [], after
    submitted = [int(fields["id"]) for _, fields in events if fields.get("type") == "submitted"]
    # Only what the open queue shows: the fate of pending comments (a takedown concerns a published one).
    changed = {int(fields["id"]): fields for _, fields in events
               if fields.get("type") not in {"submitted", "removed", "restored"}}
    fresh = [c for c in store().get_many(submitted) if c.status == Status.PENDING]
    decided = [{"id": cid, "status": fields["type"], "by": fields.get("moderator", "")}
               for cid, fields in changed.items()]
    return fresh, decided, events[-1][0]


def audit_log(before=None, moderator=None):
    return store().audit_log(before=before, moderator=moderator)


def spam_page(cursor=None):
    return store().spam_page(cursor=cursor, size=current_app.config["QUEUE_PAGE_SIZE"])


def spam_count():
    return store().spam_count()


def rescue(comment_id, moderator):
    store().rescue(comment_id, moderator, now_ms())
    logger.info("comment %d rescued from the spam list by %r", comment_id, moderator)
    # Back in the queue, it teaches the filter when a moderator decides it: once, and as decided.
    DECISIONS.labels(sites.current().key, "rescued").inc()


def empty_spam(moderator):
    rejected = store().empty_spam(moderator, now_ms())
    logger.info("spam list emptied by %r: %d comments rejected as spam", moderator, len(rejected))
    teach(store().get_many(rejected) if rejected else [], Status.REJECTED, "spam")
    return rejected


def waves():
    config = current_app.config
    return store().active_waves(now_ms(), config["WAVE_WINDOW_SECONDS"] * 1000, config["WAVE_MIN_SIZE"])


def decide_wave(feature, decision, moderator):
    """Decide every pending comment of a wave in one step; rejecting it sends its later members to spam."""
    config = current_app.config
    ids = store().wave_members(feature, now_ms(), config["WAVE_WINDOW_SECONDS"] * 1000)
    outcome = store().decide_many(ids, Decision(decision), moderator, now_ms(), reason="spam wave",
                                  wave=feature, wave_seconds=config["WAVE_REJECTED_SECONDS"],
                                  lesson=screening.lesson(store().get_many(ids), decision, "spam"))
    done = [comment_id for comment_id, error in outcome.items() if error is None]
    logger.info("wave %r: %d comments %s by %r", feature, len(done), decision, moderator)
    DECISIONS.labels(sites.current().key, str(decision)).inc(len(done))
    return done
