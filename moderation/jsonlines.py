"""JSON Lines of comments: everything a moderator can see of each, one comment a line.

The export writes every field of a comment's hash (email, IP, statuses,
decisions, reasons, edits, where it was imported from), typed (numbers,
``true``, lists, dates as ISO 8601 in UTC with milliseconds) and in a fixed
order, with the site it came from. Imported again, a line gets its id back
when that id is still free, and so an export, imported into an empty
instance and exported again, gives the same lines.
"""

import json
import re
from datetime import UTC, datetime

from .models import Refused, Status
from .records import checked

ORDER = ("id", "site", "thread", "parent", "status", "author", "email", "url", "body", "created_at", "ip",
         "user_agent", "decided_by", "decided_at", "reason", "edited_by", "edited_at", "signals", "held", "score",
         "wave", "deleted", "source")
DATES = {"created_at", "decided_at", "edited_at"}
FLAGS = {"held", "deleted"}
# Fields the import sets itself, and those checked() takes as arguments.
OWN = {"id", "site", "thread", "parent", "status", "author", "email", "url", "body", "created_at", "ip",
       "user_agent"}
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def line(site, fields):
    """One comment's hash (as Redis gives it: text) as one line of JSON, newline included."""
    row = {"site": site, **{name: value for name, value in fields.items() if value != ""}}  # "" is never set
    ordered = [name for name in ORDER if name in row] + sorted(name for name in row if name not in ORDER)
    return json.dumps({name: _typed(name, row[name]) for name in ordered}, ensure_ascii=False) + "\n"


def _typed(name, value):
    if name in {"id", "parent"}:
        return int(value)
    if name in DATES:
        return datetime.fromtimestamp(int(value) / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00",
                                                                                                          "Z")
    if name in FLAGS:
        return value == "1"
    if name == "score":
        return float(value)
    if name == "signals":
        return json.loads(value)
    return value


def read(source, limits):
    """ImportRecord and Refused items from a JSON Lines file (``source``: binary), one a line."""
    for number, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield Refused(number, "", "the line is not UTF-8")
            continue
        except ValueError as error:
            yield Refused(number, "", f"the line is not JSON ({error.msg}, column {error.colno})")
            continue
        yield _record(row, number, limits)


def _record(row, number, limits):
    if not isinstance(row, dict) or not isinstance(row.get("id"), int) or row["id"] < 1:
        return Refused(number, "", "the line is not a comment with an id")
    site, comment_id, parent = str(row.get("site", "")), row["id"], row.get("parent")
    source = f"jsonl:{site}:{comment_id}"
    try:
        status = Status(row.get("status"))
    except ValueError:
        return Refused(number, source, f"its status {str(row.get('status'))[:20]!r} is not one of ours")
    if parent is not None and (not isinstance(parent, int) or parent < 1):
        return Refused(number, source, "its parent is not a comment id")
    try:
        extra = {name: _stored(name, value) for name, value in row.items()
                 if name not in OWN and FIELD_NAME.fullmatch(name) and value not in (None, "", False)}
    except (TypeError, ValueError) as error:
        return Refused(number, source, f"a field is not what it should be ({error})")
    record = checked(
        limits, source=source, parent_source=f"jsonl:{site}:{parent}" if parent else "",
        thread=str(row.get("thread", "")), status=status, line=number, author=_text(row, "author"),
        email=_text(row, "email"), url=_text(row, "url"), ip=_text(row, "ip"), user_agent=_text(row, "user_agent"),
        created_at=_text(row, "created_at"), body=_text(row, "body"), html=False, extra=extra,
        may_be_empty=bool(row.get("deleted")))
    if not isinstance(record, Refused):
        record.keep_id = str(comment_id)
        record.also = (extra["source"],) if extra.get("source") else ()
    return record


def _text(row, name):
    value = row.get(name, "")
    return value if isinstance(value, str) else ""


def _stored(name, value):
    """A field as the comment hash holds it (text), from its JSON value."""
    if name in DATES:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return str(int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000))
    if name in FLAGS:
        return "1" if value is True else ""
    if name == "score":
        return repr(float(value))
    if name == "signals":
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise ValueError("signals must be a list of text")
        return json.dumps(value, ensure_ascii=False)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    return value
