"""An export run: a site's comments written out as JSON Lines or as WordPress's WXR, streaming.

Comments are read in id order, a batch of ids per round trip, and written
as they come, so a million comments never sit in memory. WXR groups
comments by article, so it first reads only each comment's thread and
status (a few bytes each) and then writes one ``<item>`` per thread.
"""

from array import array
from collections import defaultdict

from . import jsonlines, wxr

FORMATS = ("jsonl", "wxr")
BATCH = 1000


class Filter:
    """Which comments an export takes: one thread or all, some statuses or all."""

    def __init__(self, thread=None, statuses=()):
        self.thread = thread
        self.statuses = set(statuses)

    def takes(self, thread, status):
        return (self.thread is None or thread == self.thread) and (not self.statuses or status in self.statuses)


def export_jsonl(store, site_key, out, chosen, *, progress=None):
    """Write every chosen comment as one JSON line; returns how many."""
    last, written = store.last_id(), 0
    if progress:
        progress.total = last
    for start in range(1, last + 1, BATCH):
        for _, fields in store.raw_comments(start, min(start + BATCH - 1, last)):
            if chosen.takes(fields.get("thread"), fields.get("status")):
                out.write(jsonlines.line(site_key, fields))
                written += 1
        if progress:
            progress.update(min(start + BATCH - 1, last), written)
    if progress:
        progress.finish()
    return written


def export_wxr(site, site_url, out, chosen, *, progress=None):
    """Write the chosen comments of ``site`` as a WXR file, one item per thread; returns how many."""
    store = site.transfer
    last = store.last_id()
    by_thread = defaultdict(lambda: array("L"))
    for start in range(1, last + 1, BATCH):
        for comment_id, thread, status in store.statuses(start, min(start + BATCH - 1, last)):
            if chosen.takes(thread, status):
                by_thread[thread].append(comment_id)
    total = sum(len(ids) for ids in by_thread.values())
    if progress:
        progress.total = total
    out.write(wxr.header(site.name, site_url))
    written = 0
    for thread, ids in by_thread.items():
        out.write(wxr.item_start(thread, store.thread_meta(thread)))
        for start in range(0, len(ids), BATCH):
            for c in site.store.get_many(ids[start:start + BATCH]):
                out.write(wxr.comment(c))
                written += 1
            if progress:
                progress.update(written, written)
        out.write(wxr.ITEM_END)
    out.write(wxr.FOOTER)
    if progress:
        progress.finish()
    return written
