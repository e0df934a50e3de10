"""The exceptions that services and the store raise; ``handlers`` maps them to pages."""


class ModerationError(Exception):
    """Base of this package's exceptions."""


class StoreUnavailable(ModerationError):
    """Redis did not answer (down, unreachable, or too slow)."""


class NotReplicated(StoreUnavailable):
    """Redis took the write, but fewer replicas than ``REDIS_MIN_REPLICAS`` confirmed it in time: a
    failover now could lose it, so it is answered as if Redis were down."""


class UnknownSite(ModerationError):
    """No site of this deployment is served at this host name (or has this key)."""


class CommentNotFound(ModerationError):
    """No comment has this id."""


class AlreadyDecided(ModerationError):
    """Another decision came first; nothing was changed."""

    def __init__(self, status, decided_by, decided_at):
        super().__init__(f"already {status} by {decided_by}")
        self.status = status
        self.decided_by = decided_by
        self.decided_at = decided_at


class InvalidParent(ModerationError):
    """The comment replied to is not an approved comment of the same thread."""


class Duplicate(ModerationError):
    """This commenter sent this very text to this thread before."""

    def __init__(self, comment_id):
        super().__init__(f"duplicate of comment {comment_id}")
        self.comment_id = comment_id


class RateLimited(ModerationError):
    """This address or email sent its share of comments for now (``SUBMIT_RATE_LIMIT``)."""

    def __init__(self, retry_after):
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


class Flood(RateLimited):
    """The same address sent a comment moments ago (``FLOOD_SECONDS``)."""


class InvalidToken(ModerationError):
    """A signed reference was forged, altered or has expired."""


class ClaimedByOther(ModerationError):
    """Another moderator is reviewing this comment (their claim has not expired)."""

    def __init__(self, moderator):
        super().__init__(f"claimed by {moderator}")
        self.moderator = moderator


class NothingToUndo(ModerationError):
    """The comment is pending: there is no decision to undo."""


class ThreadClosed(ModerationError):
    """The thread takes no more comments: a moderator closed it, or it is older than CLOSE_AFTER_DAYS."""


class NotPublished(ModerationError):
    """Only a published comment can be removed, and only a removed one restored; ``status`` is what it is."""

    def __init__(self, status):
        super().__init__(f"the comment is {status}")
        self.status = status


class UndoNotAllowed(ModerationError):
    """Only the moderator who decided, within the undo window, or an admin may undo."""

    def __init__(self, decided_by, decided_at):
        super().__init__(f"decided by {decided_by}")
        self.decided_by = decided_by
        self.decided_at = decided_at


class ModeratorExists(ModerationError):
    """A moderator with this name exists already."""


class ModeratorNotFound(ModerationError):
    """No moderator has this name."""


class LastAdmin(ModerationError):
    """Removing this moderator would leave the site without an admin."""


class LoginThrottled(ModerationError):
    """Too many failed logins for this account or from this address."""


class InvalidSetupToken(ModerationError):
    """The first-run setup link is wrong, used already, or expired."""
