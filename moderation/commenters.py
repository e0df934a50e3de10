"""One commenter's data, by email address: handed over (the right of access) or erased (the right to erasure).

Admins do both, in the console or with ``flask --app wsgi commenters``. The
audit log records each act, and who did it, but never the address: only a
digest of it keyed with the secret key, so that a repeated request can be
matched to the first without the log naming anyone. An erasure can take
minutes: it runs as a background job (erasure.py), which ends with what this
module says goes with the comments.
"""

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime

from flask import current_app

from . import jsonlines, sites
from .keys import ascii_lower
from .notify import subscriptions
from .services import current_spool, now_ms

logger = logging.getLogger(__name__)


def subject(email):
    """What the audit log keeps of an address: a keyed digest, the same for the same address."""
    key = hashlib.sha256(b"commenter-subject\0" + current_app.secret_key.encode()).digest()
    return hmac.new(key, ascii_lower(email.strip()).encode(), hashlib.sha256).hexdigest()[:32]


def store():
    return sites.current().commenters


def export(email, actor):
    """Every comment of ``email`` (all statuses, every field a moderator sees) and its subscriptions, audited."""
    site = sites.current()
    ids = store().comment_ids(email)
    rows = [json.loads(jsonlines.line(site.key, fields)) for fields in store().raw(ids)]
    store().audit("commenter_exported", actor, now_ms(), {"reason": f"commenter {subject(email)}",
                                                         "counts": json.dumps({"comments": len(rows)})})
    logger.info("the data of one commenter (%d comments) exported by %s", len(rows), actor)
    return {"email": email.strip(), "site": site.key,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "comments": rows, "subscriptions": subscriptions.of(email)}


def forget_elsewhere(email):
    """Whatever holds ``email`` outside the comments goes, at the end of its erasure (erasure.py): its reply-mail
    subscriptions, and the local spool's records of it; returns {what: how many}, for the erasure's audit entry."""
    subscriptions.forget(email)
    wanted, site = ascii_lower(email.strip()), sites.current().key
    spooled = current_spool().drop(lambda record: record.get("site", "main") == site
                                   and ascii_lower(record.get("comment", {}).get("email", "")) == wanted)
    return {"spooled": spooled}
