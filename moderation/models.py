"""Plain data the store hands out: comment statuses and comments."""

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime


class Status(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"
    # Taken down after publication; an admin can restore it.
    REMOVED = "removed"


class Decision(enum.StrEnum):
    """What a moderator can do to a pending comment, as the status it leads to."""

    APPROVE = "approved"
    REJECT = "rejected"


@dataclass(frozen=True)
class NewComment:
    """A reader's validated submission, before it has an id."""

    thread: str
    author: str
    email: str
    body: str
    url: str = ""
    parent: int | None = None
    ip: str = ""
    user_agent: str = ""
    # "Email me when someone replies" (the form's subscribe_comments): acted on once it is approved.
    subscribe: bool = False


@dataclass(frozen=True)
class Intake:
    """What the checks at the door concluded about a new comment.

    ``status`` "review" queues it for moderators (or publishes it at once
    for a trusted commenter unless ``held``); "spam" sets it aside on the
    spam list. ``reasons`` say why, for moderators. For the dashboard:
    ``caught``, the trap or rule that makes it spam; ``rules``, the rules
    that fired (keys of rules.py).
    """

    status: str = "review"
    held: bool = False
    reasons: tuple[str, ...] = ()
    caught: str = ""
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """What a decision teaches the learned filter: ``label`` ("spam" or "ham")
    and each decided comment's tokens by id. Undoing takes it back, but only
    from a comment whose status is still ``status`` ("" when deciding)."""

    label: str
    tokens: dict
    status: str = ""


@dataclass(frozen=True)
class Submitted:
    """What became of a submission: its id, and "created", "seen" (same
    form token again), "duplicate" (same text sent before), "flood" or
    "limited" (over a rate limit; ``retry_after`` seconds until it is not)."""

    id: int | None
    outcome: str
    status: str
    retry_after: int = 0


@dataclass
class Comment:
    id: int
    thread: str
    author: str
    body: str
    created_at: datetime
    status: Status
    url: str = ""
    parent: int | None = None
    email: str = ""
    ip: str = ""
    user_agent: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    reason: str = ""
    edited_by: str = ""
    removed_by: str = ""
    removed_at: datetime | None = None
    removed_reason: str = ""
    # What the checks at the door found (Intake.reasons), and the spam score.
    signals: tuple[str, ...] = ()
    held: bool = False
    score: float | None = None
    wave: str = ""
    replies: list["Comment"] = field(default_factory=list)
    # Set on a reply shown flatter than it was written: whom it answers.
    reply_to: str = ""
    # A comment gone from its thread that published replies hang under, shown in its place only as
    # "deleted" (on the old site, before an import) or "removed" (by a moderator); "" for any other.
    placeholder: str = ""


@dataclass(frozen=True)
class ThreadRow:
    """A thread as the console lists it."""

    thread: str
    first_comment_at: datetime
    closed: bool
    state: str  # "closed" or "open" when a moderator set it, "" when its age decides
    published: int
    pending: int


@dataclass(frozen=True)
class WaveMember:
    id: int
    author: str
    ip: str


@dataclass(frozen=True)
class Wave:
    """Pending comments tied by ``feature`` (``domain:…``, ``network:…``, ``text:…``), and one of them in full."""

    feature: str
    members: list[WaveMember]
    sample: Comment

    @property
    def names(self):
        return len({m.author for m in self.members})


@dataclass
class QueuePage:
    """A page of pending comments and where the next one starts."""

    comments: list[Comment]
    claimed_by_others: list[tuple[int, str]]
    next_cursor: str | None


class Role(enum.StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"


@dataclass(frozen=True)
class Moderator:
    name: str
    role: Role
    created_at: datetime | None = None

    @property
    def is_admin(self):
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class AuditEntry:
    entry_id: str
    action: str
    moderator: str
    at: datetime
    comment_id: int | None = None
    thread: str = ""
    reason: str = ""
    original: str = ""
    ip: str = ""
    file: str = ""  # an import's or export's: the file and its counts (JSON)
    counts: str = ""


def from_ms(ms):
    return datetime.fromtimestamp(int(ms) / 1000, UTC)



@dataclass
class ImportRecord:
    """One comment of an export file, checked, as the import script takes it.

    ``source`` is its import key (``wxr:<site>:<id>``, ``disqus:<id>``…):
    the same source is imported once. ``fields`` are the comment hash's
    other fields (``created_at`` in ms, as text). ``line`` is where the
    record starts in the file. ``keep_id`` is an id to keep if it is still
    free; ``also`` are other import keys of the same comment (the source a
    backup recorded), taken as imported with it.
    """

    source: str
    parent_source: str
    thread: str
    status: Status
    fields: dict
    line: int
    keep_id: str = ""
    also: tuple = ()


@dataclass(frozen=True)
class ImportThread:
    """An article of an export file: its thread key and what the file says of it (title, link…)."""

    key: str
    meta: dict


@dataclass(frozen=True)
class Refused:
    """A record of an export file that cannot be imported, and why."""

    line: int
    source: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A record left out on purpose: ``kind`` says what it was (a pingback, a trackback…)."""

    kind: str
    line: int
