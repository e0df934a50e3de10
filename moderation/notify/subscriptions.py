"""Reader subscriptions, in plain values: what the public confirm and unsubscribe pages do, and what a
commenter's export and erasure see of them. The views call these, never the store.

Nothing here tells a caller whether an address is known, pending or confirmed: the pages answer the same
whatever the state, and only the holder of a signed link (sent to the address) reaches them at all.
"""

import hashlib
import hmac
import logging
import time
from datetime import UTC, datetime

from flask import current_app

from .. import sites
from ..keys import ascii_lower
from . import reader_links

logger = logging.getLogger(__name__)


class WrongSite(ValueError):
    """The link was made for another site of this deployment."""


def address_digest(email):
    """The name of an address in Redis: a digest keyed with the secret key, the same for the same address
    (compared as the erasure compares them: ASCII letters case-blind)."""
    key = hashlib.sha256(b"reader-subscription\0" + current_app.secret_key.encode()).digest()
    return hmac.new(key, ascii_lower(email.strip()).encode(), hashlib.sha256).hexdigest()[:32]


def now_ms():
    return int(time.time() * 1000)


def _own_site(site_key):
    if site_key != sites.current().key:
        raise WrongSite()
    return sites.current()


def check_confirm_link(token):
    """Whether a confirmation link may be shown; InvalidLink, ExpiredLink or WrongSite otherwise."""
    site_key, _digest = reader_links.read_confirm_token(token)
    _own_site(site_key)


def confirm(token):
    """Confirm the address of a link (if it still waits for that)."""
    site_key, digest = reader_links.read_confirm_token(token)
    if _own_site(site_key).readers.confirm(digest, now_ms()):
        logger.info("a reader's address was confirmed for reply mail")


def check_unsubscribe_link(token):
    """Whether the link names one thread ('' for everything); InvalidLink, ExpiredLink or WrongSite otherwise."""
    site_key, _digest, thread = reader_links.read_unsubscribe_token(token)
    _own_site(site_key)
    return thread


def unsubscribe(token, *, everything=False):
    """Stop the mail a link names: about its thread, or (``everything``, or a link that names none) all."""
    site_key, digest, thread = reader_links.read_unsubscribe_token(token)
    _own_site(site_key).readers.unsubscribe(digest, "" if everything else thread)
    logger.info("a reader unsubscribed from %s", "one thread" if thread and not everything else "everything")


def of(email):
    """What a commenter's export shows of the address's subscription: its state and the threads it follows."""
    address, threads = sites.current().readers.subscription(address_digest(email))
    if not address and not threads:
        return []

    def when(ms):
        return datetime.fromtimestamp(int(ms) / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z") \
            if ms else None

    return [{"kind": "replies", "thread": thread, "state": address.get("state", "pending"),
             "since": when(address.get("since")), "confirmed_at": when(address.get("confirmed_at")),
             "last_mail_at": when(last.split(":")[0] if last != "0" else None)}
            for thread, last in sorted(threads.items())]


def forget(email):
    """An erasure: every subscription of the address, and the address itself, are gone."""
    sites.current().readers.unsubscribe(address_digest(email))
