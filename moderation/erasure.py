"""Erasure of a commenter's data as a background job: asked for in the console or the CLI, run by the worker.

Finding and erasing a million comments of one address takes minutes, far
longer than a request may take. So the console only asks for it (a job record
in Redis, one per address digest: asking again while it runs starts nothing)
and shows how far it has come; the worker (``flask --app wsgi worker``, which
``make run`` starts) runs it a slice at a time between its events; the CLI
runs the same job in the foreground. A step scans ``SCAN_BATCH`` ids from the
job's cursor (one pipeline of reads) and erases what it found
``ERASE_BATCH`` at a time (one script each, which moves the cursor with it),
so every Redis call stays a few milliseconds and the console and the readers
are served in between. A runner that dies leaves the cursor of its last
script: the next one goes on from there once the lease runs out
(``LEASE_MS``). The address is kept in the job record only until it finishes.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import commenters, intake, sites
from .services import now_ms

logger = logging.getLogger(__name__)

SCAN_BATCH = 1000  # ids whose address one pipeline reads
ERASE_BATCH = 200  # comments one script erases: a few milliseconds of Redis
LEASE_MS = 10_000  # a runner that took no step for this long (killed, stuck) is taken over
KEEP_DONE_MS = 7 * 24 * 3600 * 1000  # how long the console lists a finished erasure (without the address)
WORKER_SLICE_SECONDS = 0.5  # the worker's time on erasures per pass, so that its events are not held up
FOLLOW_SECONDS = 0.5  # how often the CLI looks again at a job another runner holds


@dataclass(frozen=True)
class Job:
    """An erasure as its record in Redis says."""

    subject: str
    email: str  # "" once finished
    keep_text: bool
    actor: str
    done: bool
    cursor: int  # the next comment id to look at
    erased: int
    requested_at: int
    started_at: int = 0
    finished_at: int = 0
    stepped_at: int = 0
    runner: str = ""
    lease_until: int = 0
    counts: dict = field(default_factory=dict)  # what went outside Redis (the spool's records)

    @classmethod
    def from_record(cls, fields):
        number = {name: int(fields.get(name) or 0) for name in (
            "cursor", "erased", "requested_at", "started_at", "finished_at", "stepped_at", "lease_until")}
        return cls(subject=fields["subject"], email=fields.get("email", ""), keep_text=fields["keep_text"] == "1",
                   actor=fields["actor"], done=fields["state"] == "done", runner=fields.get("runner", ""),
                   counts={k.removeprefix("n:"): int(v) for k, v in fields.items() if k.startswith("n:")},
                   **number)

    @property
    def requested(self):
        return datetime.fromtimestamp(self.requested_at / 1000, UTC)

    @property
    def finished(self):
        return datetime.fromtimestamp(self.finished_at / 1000, UTC) if self.finished_at else None

    @property
    def scanned(self):
        """How many comment ids it has looked at."""
        return self.cursor - 1

    def held_by_other(self, runner, now):
        return bool(self.runner) and self.runner != runner and self.lease_until > now


def store():
    return sites.current().erasures


def request(email, actor, *, keep_text=False):
    """Ask for every comment of ``email`` to be erased; (the job, whether this request started it)."""
    subject = commenters.subject(email)
    started = store().start(subject, email.strip(), actor, now_ms(), keep_text=keep_text, keep_ms=KEEP_DONE_MS)
    if started:
        logger.info("an erasure of one commenter's data asked for by %s", actor)
    return job(subject), started


def job(subject):
    fields = store().job(subject)
    return Job.from_record(fields) if fields else None


def jobs():
    """The unfinished erasures, oldest first, then those finished lately."""
    return [Job.from_record(fields) for fields in store().jobs()]


def overview():
    """What the console shows: the erasures, whether a worker runs them, how many ids a scan looks at."""
    return {"erasures": jobs(), "worker_seen": store().worker() is not None, "last_id": last_id(), "now_ms": now_ms()}


def last_id():
    return store().last_id()


def step(subject, runner, *, now=None):
    """One step: the next ``SCAN_BATCH`` ids scanned and the address's comments among them erased, or the job
    finished once the scan has passed the last id. Nothing when another runner holds it. Returns the job after."""
    current, now = job(subject), now or now_ms()
    if current is None or current.done or current.held_by_other(runner, now):
        return current
    last = store().last_id()
    if current.cursor > last:
        finish(current, runner, now)
        return job(subject)
    end = min(current.cursor + SCAN_BATCH, last + 1)
    found = store().ids_of(current.email, current.cursor, end)
    start = current.cursor
    for first in range(0, max(len(found), 1), ERASE_BATCH):
        batch = found[first:first + ERASE_BATCH]
        # The cursor passes a batch only with it: a runner killed between two leaves the rest to the next.
        to = end if first + ERASE_BATCH >= len(found) else batch[-1] + 1
        digests = {i: intake.duplicate_digest(thread, email or "", body or "")
                   for i, (thread, email, body) in store().guards(batch).items()}
        moved = {"from": start, "to": to, "runner": runner, "now": now, "lease_ms": LEASE_MS}
        if store().erase(subject, current.email, batch, digests, keep_text=current.keep_text, step=moved) < 0:
            break  # another runner took the job over meanwhile: it goes on from where that one is
        start = to
    return job(subject)


def finish(current, runner, now):
    """What else holds the address goes, then the job ends with its one audit entry (unless comments came
    in since the scan passed the last id: then the next step scans them)."""
    store().count(current.subject, commenters.forget_elsewhere(current.email))
    current = job(current.subject)
    counts = {"comments": current.erased, "kept_text": current.keep_text, **current.counts}
    if store().finish(current.subject, runner, now, counts=counts, erased=current.erased, keep_ms=KEEP_DONE_MS):
        logger.info("one commenter's %d comments %s, asked for by %s", current.erased,
                    "stripped" if current.keep_text else "erased", current.actor)


def run(subject, runner, *, progress=None):
    """Run the job to its end in the foreground (the CLI); while another runner (a worker) holds it, follow it.
    Returns the finished job."""
    while True:
        current = step(subject, runner)
        if current is None or current.done:
            break
        if progress is not None:
            progress.update(current.scanned, current.erased)
        if current.held_by_other(runner, now_ms()):
            time.sleep(FOLLOW_SECONDS)
    if progress is not None and current is not None:
        progress.finish(current.erased)
    return current


def run_waiting(runner, *, seen_ms, seconds=WORKER_SLICE_SECONDS, now=None):
    """The worker's share: steps of every unfinished job for up to ``seconds``; whether work is left.

    Also leaves the sign that a worker runs erasures, for ``seen_ms``, which the console reads.
    """
    store().seen_worker(runner, seen_ms)
    deadline = time.monotonic() + seconds
    for subject in store().unfinished():
        while True:
            current = step(subject, runner, now=now)
            if current is None or current.done or current.held_by_other(runner, now or now_ms()):
                break
            if time.monotonic() >= deadline:
                return True
    return False
