"""The exceptions that services and the store raise; ``handlers`` maps them to pages."""


class ModerationError(Exception):
    """Base of this package's exceptions."""


class StoreUnavailable(ModerationError):
    """Redis did not answer (down, unreachable, or too slow)."""


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


class InvalidToken(ModerationError):
    """A signed reference was forged, altered or has expired."""
