"""What a webhook message says about an event: ``{"type", "timestamp", "data"}`` as JSON bytes.

Only what a published page could show, and the moderator's name: never the commenter's email address,
IP address or user agent, nor a moderator's reason. The status is the one the event left the comment in,
so that every attempt of one message carries the same data. A comment erased or purged since the event
is sent without its author and text.
"""

import json
from datetime import UTC, datetime

# The status each event leaves a comment in.
STATUS = {"submitted": "pending", "approved": "approved", "rejected": "rejected", "undone": "pending",
          "removed": "removed", "restored": "approved"}


def iso(moment):
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message(site_key, fields, comment, *, event_ms, thread_url):
    """The body of the message for the event ``fields`` (its stream fields) about ``comment`` (or None)."""
    kind = fields["type"]
    data = {"site": site_key, "id": int(fields["id"]), "thread": fields.get("thread", ""), "status": STATUS[kind],
            "url": thread_url}
    if fields.get("moderator"):
        data["moderator"] = fields["moderator"]
    if comment is not None:
        data.update(thread=comment.thread, parent=comment.parent, author=comment.author, body=comment.body,
                    created_at=iso(comment.created_at))
    else:
        data.update(parent=None, author=None, body=None, created_at=None)
    document = {"type": f"comment.{kind}", "timestamp": iso(datetime.fromtimestamp(event_ms / 1000, UTC)),
                "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
