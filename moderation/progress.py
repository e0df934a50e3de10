"""How far a long import or export has come, on standard error.

On a terminal, a bar redrawn in place a few times a second; elsewhere (a log,
a pipe, CI), a plain line every few seconds, so that a long run in the
background still shows that it moves and how fast.
"""

import sys
import time

BAR_WIDTH = 30


class Progress:
    def __init__(self, label, total=0, stream=None, every_seconds=5.0):
        self.label = label
        self.total = total  # what "done" counts up to (bytes of the file, ids), 0 when unknown
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.every = 0.2 if self.interactive else every_seconds
        self.started = self.shown = time.monotonic()
        self.done = self.count = 0

    def update(self, done, count):
        """``done`` of ``total`` so far, and ``count`` comments."""
        self.done, self.count = done, count
        now = time.monotonic()
        if now - self.shown >= self.every:
            self.shown = now
            self._show(final=False)

    def finish(self, count=None):
        self.done = self.total or self.done
        self.count = self.count if count is None else count
        self._show(final=True)

    def _show(self, final):
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = f"{self.count:,} comments, {self.count / elapsed:,.0f}/s"
        share = self.done / self.total if self.total else 0
        if self.interactive:
            filled = int(BAR_WIDTH * share)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {share:4.0%}  {rate}" + ("\n" if final else ""))
        else:
            self.stream.write(f"{self.label}: {share:.0%}, {rate}, {elapsed:.0f} s\n")
        self.stream.flush()
