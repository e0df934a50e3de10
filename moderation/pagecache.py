"""Rendered comment lists, kept in this process until their thread changes.

A thread's published comments change only through a script that raises the
thread's version counter, so (thread, version, how it is shown) names one
rendering exactly: a hit needs only the version, one small Redis read.
"""

import threading
from collections import OrderedDict


class RenderCache:
    def __init__(self, size=256):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get_or_make(self, key, make):
        """The value kept for ``key``, or ``make()``'s, kept for next time (least recently used goes first)."""
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = make()
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value
