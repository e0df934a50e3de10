"""An import run: an export file read as a stream, its comments written in batches, and the report.

The file is read a record at a time (``wxr``, ``disqus`` or ``jsonlines``)
and its comments go to Redis a batch per script (``store_transfer``). A
reply whose parent is not imported yet waits here until its parent is;
replies whose parent never comes are written at the end, at the top level,
and counted. A file that breaks off (truncated, not well-formed from some
line on) keeps what came before the break: imported again once mended, it
adds only the rest. ``dry_run`` reads the whole file and writes nothing.

Imported comments are not screened, count against no rate limit and make
no event, so nothing is notified; the run is audited once.
"""

import json
import logging
import os
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import disqus, jsonlines, wxr
from .models import ImportRecord, ImportThread, Refused, Skipped
from .xmlfile import FileError

logger = logging.getLogger(__name__)

FORMATS = ("wxr", "disqus", "jsonl")
BATCH = 250
SNIFF_BYTES = 64 * 1024


@dataclass
class Report:
    format: str = ""
    threads: set = field(default_factory=set)
    imported: Counter = field(default_factory=Counter)  # by status
    already_imported: int = 0
    orphans: list = field(default_factory=list)  # (line, source) of replies made top-level
    skipped: Counter = field(default_factory=Counter)  # by kind: pingback, trackback…
    refused: list = field(default_factory=list)  # Refused
    file_error: FileError | None = None

    @property
    def total(self):
        return sum(self.imported.values())

    @property
    def ok(self):
        return self.file_error is None and not self.refused

    def counts(self):
        return {"threads": len(self.threads), **{str(s): n for s, n in sorted(self.imported.items())},
                "already_imported": self.already_imported, "orphans": len(self.orphans),
                **{f"skipped_{kind or 'untyped'}": n for kind, n in sorted(self.skipped.items())},
                "refused": len(self.refused)}


def guess_format(path):
    """"wxr", "disqus" or "jsonl", from the file's first bytes; None when it is none of them."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    text = head.decode("utf-8", errors="replace")
    if "wordpress.org/export/" in text:
        return "wxr"
    if "<disqus" in text:
        return "disqus"
    if text.lstrip().startswith("{"):
        return "jsonl"
    return None


def records(f, fmt, keys, limits, *, pingbacks=False, now_ms=0):
    if fmt == "wxr":
        return wxr.read(f, keys, limits, pingbacks=pingbacks, now_ms=now_ms)
    if fmt == "disqus":
        return disqus.read(f, keys, limits, now_ms=now_ms)
    return jsonlines.read(f, limits)


class Run:
    """One import of one file into one site (``store``: its TransferStore)."""

    def __init__(self, store, fmt, keys, limits, *, now_ms, dry_run=False, pingbacks=False, progress=None,
                 batch=BATCH):
        self.fmt, self.keys, self.limits, self.pingbacks = fmt, keys, limits, pingbacks
        self.now_ms, self.progress, self.batch = now_ms, progress, batch
        self.sink = DrySink(store) if dry_run else store
        self.report = Report(format=fmt)
        self.waiting = defaultdict(list)  # parent's source → replies waiting for it
        self.threads = {}  # what the file says of the threads of the batch being gathered
        # One batch is written while the next is read: Redis and the parser work at once.
        self.writer = ThreadPoolExecutor(max_workers=1)
        self.in_flight = None  # (batch, future of its answers)

    def run(self, path):
        try:
            return self._run(path)
        finally:
            self.writer.shutdown()

    def _run(self, path):
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if self.progress:
                self.progress.total = size
            gathered = []
            try:
                for item in records(f, self.fmt, self.keys, self.limits, pingbacks=self.pingbacks,
                                    now_ms=self.now_ms):
                    if isinstance(item, ImportRecord):
                        gathered.append(item)
                        if len(gathered) >= self.batch:
                            self._write(gathered)
                            gathered = []
                            if self.progress:
                                self.progress.update(f.tell(), self.report.total)
                    elif isinstance(item, ImportThread):
                        self.threads[item.key] = item.meta
                    elif isinstance(item, Refused):
                        self.report.refused.append(item)
                    elif isinstance(item, Skipped):
                        self.report.skipped[item.kind] += 1
            except FileError as error:
                # What came before the break is whole: keep it. The replies still waiting may find their
                # parents after the break once the file is mended, so they are not made top-level now.
                self.report.file_error = error
            self._write(gathered)
            self._drain()
        if self.report.file_error is None:
            self._write_orphans()
        if self.progress:
            self.progress.finish(self.report.total)
        return self.report

    def _write(self, batch, final=False):
        """Send ``batch``, and the replies the batch before released, to Redis while the file is read on."""
        batch = self._settle() + batch
        if batch:
            threads, self.threads = self.threads, {}
            self.in_flight = (batch, self.writer.submit(self.sink.import_batch, batch, threads, self.now_ms,
                                                        final=final))

    def _settle(self):
        """Wait for the batch in flight and count it; returns the replies it released (their parents are in now)."""
        if self.in_flight is None:
            return []
        batch, future = self.in_flight
        self.in_flight = None
        released = []
        for record, (outcome, _) in zip(batch, future.result(), strict=True):
            if outcome == "waiting":
                self.waiting[record.parent_source].append(record)
                continue
            if outcome == "seen":
                self.report.already_imported += 1
            else:
                self.report.imported[record.status] += 1
                self.report.threads.add(record.thread)
                if outcome == "orphan":
                    self.report.orphans.append((record.line, record.source))
            released += self.waiting.pop(record.source, [])
        return released

    def _drain(self):
        while self.in_flight is not None:
            self._write([])

    def _write_orphans(self):
        """Replies whose parent never came: at the top level, roots of waiting chains first."""
        while self.waiting:
            sources = {r.source for group in self.waiting.values() for r in group}
            roots = [parent for parent in self.waiting if parent not in sources] or list(self.waiting)
            batch = [r for parent in roots for r in self.waiting.pop(parent)]
            for start in range(0, len(batch), self.batch):
                self._write(batch[start:start + self.batch], final=True)
                self._drain()


class DrySink:
    """Stands in for the store in a dry run: says what each record would become, and writes nothing."""

    def __init__(self, store):
        self.store = store
        self.written = set()  # hashes of the sources the run would have written (a few bytes each)

    def import_batch(self, records, threads, now_ms, *, final=False):
        keys = [key for r in records for key in (r.source, *r.also)]
        parents = [r.parent_source for r in records if r.parent_source]
        known = dict(zip(keys + parents, self.store.imported_ids(keys + parents), strict=True))
        answers = []
        for r in records:
            if any(known.get(key) or hash(key) in self.written for key in (r.source, *r.also)):
                answers.append(("seen", None))
                continue
            if r.parent_source and not known.get(r.parent_source) and hash(r.parent_source) not in self.written:
                if not final:
                    answers.append(("waiting", None))
                    continue
                answers.append(("orphan", None))
            else:
                answers.append(("imported", None))
            self.written.update(hash(key) for key in (r.source, *r.also))
        return answers


def audit(store, report, actor, path, now_ms):
    details = {"file": os.path.basename(path), "format": report.format,
               "counts": json.dumps(report.counts(), ensure_ascii=False)}
    store.audit("imported", actor, now_ms, details)
    logger.info("import of %s (%s) by %s: %s", details["file"], report.format, actor, details["counts"])
