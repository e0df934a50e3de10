"""What an imported comment must be, whatever file it came from.

Every format's reader hands its comments to :func:`checked`: the name, the
text and the website are held to the limits a reader's comment is held to
(the text from HTML, as ``htmltext`` reads it), the address and IP must be
what they claim, and the date must be a date. A record that cannot pass is
refused with the reason, never half taken in.
"""

import functools
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime

from .htmltext import to_text
from .models import ImportRecord, Refused
from .text import clean_line, clean_multiline, is_blank
from .threadkeys import valid_thread_key

EMAIL_MAX_LENGTH = 254
USER_AGENT_MAX_LENGTH = 500


@dataclass(frozen=True)
class Limits:
    comment: int = 5000
    author: int = 100
    url: int = 200


class Invalid(ValueError):
    """A record that cannot be imported; the message says why."""


def checked(limits, *, source, parent_source, thread, status, line, author, email, url, ip, created_at, body,
            html=True, user_agent="", extra=None, may_be_empty=False):
    """An ImportRecord, or a Refused saying why not. ``created_at`` is a datetime (UTC) or text to read.

    ``may_be_empty``: the text may be empty (a deleted comment, kept only as its thread's placeholder).
    """
    try:
        if not source:
            raise Invalid("it has no id")
        if not thread or not valid_thread_key(thread):
            raise Invalid("its article has no thread key under the chosen rule")
        fields = {
            "created_at": str(_ms(created_at)),
            "author": _author(author, limits, html),
            "body": _body(body, limits, html, may_be_empty),
            "email": _email(email),
            "url": _url(url, limits),
            "ip": _ip(ip),
            "user_agent": clean_line(user_agent or "")[:USER_AGENT_MAX_LENGTH],
            **(extra or {}),
        }
    except Invalid as error:
        return Refused(line, source, str(error))
    return ImportRecord(source, parent_source, thread, status, {k: v for k, v in fields.items() if v}, line)


def _ms(moment):
    if isinstance(moment, datetime):
        return int(moment.timestamp() * 1000)
    text = (moment or "").strip()
    if not text or text.startswith("0000-00-00"):
        raise Invalid("it has no date")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise Invalid(f"its date {text[:40]!r} is not a date") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def _author(name, limits, html):
    # WordPress keeps some names with HTML entities ("Ping 1 &laquo; …"): the name is what a reader saw.
    name = clean_line(to_text(name or "") if html else (name or ""))
    if len(name) > limits.author:
        raise Invalid(f"its name is {len(name)} characters, more than the {limits.author} a name may have")
    return "" if is_blank(name) else name


def _body(body, limits, html, may_be_empty):
    text = clean_multiline(to_text(body or "") if html else (body or ""))
    if (not text or is_blank(text)) and not may_be_empty:
        raise Invalid("its text is empty")
    if len(text) > limits.comment:
        raise Invalid(f"its text is {len(text):,} characters, more than the {limits.comment:,} a comment may have")
    return text


def _email(email):
    email = clean_line(email or "")
    return email if "@" in email and len(email) <= EMAIL_MAX_LENGTH and " " not in email else ""


def _url(url, limits):
    url = clean_line(url or "")
    return url if url.lower().startswith(("http://", "https://")) and len(url) <= limits.url else ""


@functools.lru_cache(maxsize=4096)  # an export holds the same addresses again and again
def _ip(ip):
    ip = (ip or "").strip()
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ""
