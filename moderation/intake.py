"""The checks at the door: what happens to a new comment before anyone reads it.

Cheap traps first (a honeypot field and a form posted faster than a person
types), then the moderators' rules and blocks, then the learned filter. The
result is an Intake: queue it for review (perhaps held for a closer look) or
set it aside as spam. Nothing is dropped: spam goes to a list moderators see.
(The learned filter has the last word, in the script that takes the comment
in: see Store.submit.)
"""

import base64
import hashlib
import time
import unicodedata
from dataclasses import dataclass

from .keys import ascii_lower
from .models import Intake


@dataclass(frozen=True)
class Traps:
    """What the form itself gives away about a submission."""

    honeypot_filled: bool = False
    # When the form token was issued (seconds since the epoch), if known.
    issued_at: float | None = None


NO_TRAPS = Traps()


def check_traps(traps, min_seconds, now=None):
    """The reasons the traps caught this submission (empty when none did)."""
    reasons = []
    if traps.honeypot_filled:
        reasons.append("honeypot")
    if min_seconds > 0 and traps.issued_at is not None:
        now = time.time() if now is None else now
        if now - traps.issued_at < min_seconds:
            reasons.append("too_fast")
    return reasons


def decide(traps, min_seconds, *, signals=(), now=None):
    """The Intake of a submission from the traps and the rules' signals.

    Spam when a trap caught it or a rule says spam (a blocked word, a blocked
    reader); held for a closer look when a rule says so; otherwise queued for
    review.
    """
    trapped = check_traps(traps, min_seconds, now)
    reasons = [*trapped, *(f"{signal.rule}: {signal.detail}" for signal in signals)]
    spam = bool(trapped) or any(s.verdict == "spam" for s in signals)
    caught = next(iter(trapped), next((s.rule for s in signals if s.verdict == "spam"), ""))
    return Intake(status="spam" if spam else "review", held=any(s.verdict == "hold" for s in signals),
                  reasons=tuple(reasons), caught=caught, rules=tuple(dict.fromkeys(s.rule for s in signals)))


def duplicate_digest(thread, email, body):
    """The same text from the same commenter on the same thread, whatever the spacing or case."""
    text = " ".join(unicodedata.normalize("NFKC", body).casefold().split())
    key = "\0".join((thread, ascii_lower(email), text))
    # 72 bits, 12 characters of base64: ten thousand texts on one thread collide with a chance of 10^-14, and
    # the thread's duplicates hash stores a short field per comment.
    return base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()[:9]).decode()
