"""What readers and moderators can do, in plain values; views call these.

Services hold the rules that need data (is this parent an approved comment
of the same thread?) and hand the store plain values. They never read the
request.
"""

import logging
import os
import threading
import time
from dataclasses import asdict, replace

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from . import intake, limits, screening, sites
from .counters import SUBMISSIONS
from .errors import (
    Duplicate,
    Flood,
    InvalidParent,
    InvalidToken,
    RateLimited,
    StoreUnavailable,
    ThreadClosed,
    UnknownSite,
)
from .intake import NO_TRAPS, Traps
from .models import NewComment, Status

logger = logging.getLogger(__name__)

PENDING_LINK_SALT = "pending-comment-link"


def store():
    """The store of the site at hand."""
    return sites.current().store


def redis_answers(site):
    """Whether the Redis that holds ``site`` (on a cluster, its shard) answers."""
    try:
        return site.store.ping()
    except StoreUnavailable:
        return False


def site_slot(site):
    return site.store.slot()


def site_node(site):
    """Where a site's keys live now (on a Redis Cluster), or None."""
    try:
        return site.store.node()
    except StoreUnavailable:
        return "(unreachable)"


def now_ms():
    return int(time.time() * 1000)


def submit_comment(comment, nonce, traps=NO_TRAPS, now=None):
    """Take in a reader's comment; returns its id, or None when Redis is
    unreachable and the comment waits in the local spool instead.

    The same nonce twice takes in one comment. Raises Duplicate when this
    commenter sent this text to this thread before, Flood when the address
    sent a comment moments ago, RateLimited when the address or the email
    sent its share for now.
    """
    now = now_ms() if now is None else now
    try:
        return take_in(comment, nonce, traps, now)
    except StoreUnavailable:
        if not current_app.config["SPOOL"]:
            raise
    site = sites.current().key
    current_spool().append({"site": site, "comment": asdict(comment), "nonce": nonce, "traps": asdict(traps),
                            "created_at": now})
    SUBMISSIONS.labels(site, "spooled").inc()
    logger.warning("Redis unavailable: a comment on thread %r of site %s waits in the spool", comment.thread, site)
    start_replayer(current_app._get_current_object())
    return None


def take_in(comment, nonce, traps, now, *, replaying=False):
    if comment.parent is not None and not store().is_published(comment.thread, comment.parent):
        raise InvalidParent(comment.parent)
    config = current_app.config
    signals, tokens = screening.screen(comment)
    _rules, trust = screening.stored_rules()
    result = store().submit(
        comment, nonce, now,
        intake=intake.decide(traps, config["FORM_MIN_SECONDS"], signals=signals, now=now / 1000),
        filter_tokens=tokens, spam_threshold=config["SPAM_THRESHOLD"],
        trust=trust, flood_seconds=0 if replaying else config["FLOOD_SECONDS"],
        duplicate_digest=intake.duplicate_digest(comment.thread, comment.email, comment.body),
        waves=screening.wave_features(comment), wave_seconds=config["WAVE_WINDOW_SECONDS"],
        limits=() if replaying else limits.counters(
            current_app.extensions["submit_limits"], comment.ip, comment.email, now / 1000),
        close_after_ms=close_after_ms(), replay=replaying,
    )
    SUBMISSIONS.labels(sites.current().key, result.status if result.outcome == "created" else result.outcome).inc()
    if result.outcome == "closed":
        raise ThreadClosed(comment.thread)
    if result.outcome == "duplicate":
        raise Duplicate(result.id)
    if result.outcome == "flood":
        raise Flood(result.retry_after)
    if result.outcome == "limited":
        logger.info("a comment on thread %r over the rate limit", comment.thread)
        raise RateLimited(result.retry_after)
    if result.outcome == "created":
        logger.info("comment %d on thread %r: %s", result.id, comment.thread, result.status)
    else:
        logger.info("comment %d submitted again (same form token); nothing new", result.id)
    return result.id


def current_spool():
    return current_app.extensions["spool"]


def replay_spool():
    """Take in what the spool kept while Redis was away, oldest first; returns how many."""

    def take_in_record(record):
        # Lines spooled before there were several sites belong to the one site there was.
        site = every_site.get(record.get("site", "main")) or every_site.anywhere
        if site is None:
            raise UnknownSite(record.get("site"))  # the SITES file lost this site: keep the line
        sites.use(site)
        comment = NewComment(**record["comment"])
        traps = Traps(**record["traps"])
        try:
            take_in(comment, record["nonce"], traps, record["created_at"], replaying=True)
        except InvalidParent:
            # Its parent was unpublished meanwhile; keep the comment, at the top level.
            take_in(replace(comment, parent=None), record["nonce"], traps, record["created_at"], replaying=True)
        except Duplicate:
            logger.info("a spooled comment on thread %r repeats an earlier one", comment.thread)

    every_site = sites.every()
    taken = current_spool().replay(take_in_record)
    if taken:
        logger.info("%d spooled comments taken in", taken)
    return taken


def start_replayer(app):
    """In this process, replay the spool every few seconds until it is empty."""
    with REPLAYERS:
        if app.extensions.get("spool_replayer") == os.getpid():
            return
        app.extensions["spool_replayer"] = os.getpid()
    threading.Thread(target=replay_loop, args=(app,), name="spool-replay", daemon=True).start()


def replay_loop(app):
    spool = app.extensions["spool"]
    while True:
        time.sleep(app.config["SPOOL_REPLAY_SECONDS"])
        with app.app_context():
            try:
                replay_spool()
            except StoreUnavailable:
                continue  # still away; try again later
            except UnknownSite as error:
                logger.error("the spool holds a comment for site %s, which SITES no longer lists; it stays there",
                             error)
                continue
        with REPLAYERS:
            if not spool.waiting():
                app.extensions.pop("spool_replayer", None)  # the next spooled comment starts another
                return


REPLAYERS = threading.Lock()


def thread_comments(thread):
    """The thread's approved comments as a tree, and how many there are.

    Top level oldest first, replies under their parent, nested at most
    ``REPLY_MAX_DEPTH`` deep: a deeper reply joins its parent's list and says
    whom it answers. Also returns the comments by id.
    """
    comments = store().published(thread)
    max_depth = current_app.config["REPLY_MAX_DEPTH"]
    by_id = {c.id: c for c in comments}
    depth, holder, roots = {}, {}, []
    for c in comments:  # oldest first, so a parent comes before its replies
        parent = by_id.get(c.parent)
        if parent is None or parent.id not in depth:
            home = None
        elif depth[parent.id] < max_depth:
            home = parent
        else:
            home = holder[parent.id]
            c.reply_to = parent.author
        (home.replies if home else roots).append(c)
        depth[c.id] = depth[home.id] + 1 if home else 1
        holder[c.id] = home
    return roots, by_id


def published_comments(thread):
    """The thread's approved comments, oldest first, as a flat list."""
    return store().published(thread)


def thread_version(thread):
    return store().thread_version(thread)


def close_after_ms():
    return current_app.config["CLOSE_AFTER_DAYS"] * 24 * 3600 * 1000


def thread_closed(thread):
    """Whether the thread takes no more comments (a moderator closed it, or CLOSE_AFTER_DAYS did)."""
    return store().thread_closed(thread, now_ms(), close_after_ms())


def thread_view(thread):
    """(version, closed) of the thread, in one round trip."""
    return store().thread_view(thread, now_ms(), close_after_ms())


def approved_counts(threads):
    return store().published_counts(threads)


def _pending_links():
    return URLSafeTimedSerializer(current_app.secret_key, salt=PENDING_LINK_SALT)


def pending_link(thread, comment_id):
    """A signed reference that lets the reader who wrote a comment see it while it waits."""
    return _pending_links().dumps({"s": sites.current().key, "t": thread, "c": comment_id})


def own_pending_comment(thread, link):
    """The still-pending comment a signed reference points to, or None."""
    try:
        payload = _pending_links().loads(link, max_age=current_app.config["PENDING_LINK_MAX_AGE_SECONDS"])
    except BadData as error:
        raise InvalidToken() from error
    # Links made before there were several sites name none: they belong to main.
    if not isinstance(payload, dict) or payload.get("t") != thread or payload.get("s", "main") != sites.current().key:
        raise InvalidToken()
    comment = store().get(payload.get("c"))
    # Spam looks the same to its author as a comment awaiting moderation: a
    # spammer learns nothing, a person wrongly caught is not alarmed.
    if comment is None or comment.status not in {Status.PENDING, Status.SPAM} or comment.thread != thread:
        return None
    return comment
