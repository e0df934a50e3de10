"""The local spool: comments taken in while Redis is unreachable, replayed when it answers.

One JSON line per submission, appended to ``spool.jsonl`` in the instance
folder and fsynced before the reader is told it was received. Replay, under
the same file lock, sends the lines in order through the normal submission
path, whose form nonce makes each exactly once even if a replay is cut short
and runs again; then it keeps only the lines not yet taken in. The file holds
readers' emails and addresses: it is created 0600.
"""

import fcntl
import json
import logging
import os
from contextlib import contextmanager

logger = logging.getLogger(__name__)


class Spool:
    def __init__(self, folder):
        self.path = os.path.join(folder, "spool.jsonl")
        self.lock_path = self.path + ".lock"

    @contextmanager
    def _locked(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def append(self, record):
        """Keep one submission on disk; returns once it is there (fsynced)."""
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._locked():
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())
                os.fsync(fd)
            finally:
                os.close(fd)

    def waiting(self):
        try:
            return os.path.getsize(self.path) > 0
        except FileNotFoundError:
            return False

    def replay(self, take_in):
        """Hand each kept submission, oldest first, to ``take_in``; returns how many it took.

        ``take_in`` raising stops the replay: that line and the ones after it
        stay for the next time.
        """
        with self._locked():
            lines = self._lines()
            if not lines:
                return 0
            taken = 0
            try:
                for line in lines:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        # A line cut short by a crash while it was written: the
                        # reader was never told it was received. Set it aside.
                        self._set_aside(line)
                    else:
                        take_in(record)
                    taken += 1
            finally:
                self._keep(lines[taken:])
            return taken

    def drop(self, matches):
        """Take out every kept submission for which ``matches(record)`` is true (an erasure); returns how many."""
        with self._locked():
            lines = self._lines()
            kept = [line for line in lines if not _matches(matches, line)]
            if len(kept) < len(lines):
                self._keep(kept)
            return len(lines) - len(kept)

    def _lines(self):
        """The kept lines (the caller holds the lock); none when there is no spool file."""
        try:
            with open(self.path, encoding="utf-8") as f:
                return [line for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def _set_aside(self, line):
        logger.error("a spool line that is not JSON was moved to %s.bad", self.path)
        fd = os.open(self.path + ".bad", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode() if line.endswith("\n") else (line + "\n").encode())
        finally:
            os.close(fd)

    def _keep(self, lines):
        temporary = self.path + ".tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(lines)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, self.path)


def _matches(matches, line):
    try:
        return matches(json.loads(line))
    except ValueError:
        return False  # a line cut short: replay sets it aside
