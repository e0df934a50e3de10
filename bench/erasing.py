"""The erasure figure: a million comments of ONE address erased by the worker while the console is read.

The comments are loaded straight into Redis as the queue figures load theirs
(``seeding.Loader``: the store's own submit script, in pipelines), followed by
a few hundred of other commenters so that the queue page still has something
to show at the end. A worker (``flask --app wsgi worker``, as ``make run``
starts one) runs beside the service. The console's queue page is measured
with wrk with no erasure running, then the erasure is asked for through the
console (``POST /moderate/commenters/erase`` as an admin) and the same page
is measured while the worker erases. Reported: both pages' p50 and p99 and
their ratios (in the same run), how long the console's request took, the
erasure's duration (from the request to the job's end, as its record says)
and rate, and whether anything of the address was left.
"""

import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from corpus import USER_AGENT
from seeding import IPS

from moderation import PROJECT_ROOT
from moderation.models import NewComment

EMAIL = "prolific.commenter@example.com"
OTHERS = 500
THREADS = 200
WORKER_START_SECONDS = 120
ERASE_TIMEOUT_SECONDS = 3600


class ErasureError(RuntimeError):
    """The worker did not start, or the erasure did not finish or left something behind."""


@dataclass
class ErasureFigure:
    comments: int  # of the one address
    erased: int
    seconds: float  # from the console's request to the job's end
    request_ms: float  # the console's POST, answered
    idle: object = None  # report.Figure: the queue page with no erasure running
    during: object = None  # the same while the worker erases
    ended_before_the_run: bool = False  # the erasure finished while the page was still measured

    @property
    def rate(self):
        return self.erased / self.seconds if self.seconds else 0.0


def comments(corpus, count, *, start_ms):
    """``count`` comments of the one address, then ``OTHERS`` of other commenters, 1 ms apart.

    Every text differs (a number in it): the service refuses the same text from the same address twice."""
    bodies = [corpus.body() for _ in range(100)]
    for i in range(count + OTHERS):
        email = EMAIL if i < count else f"reader{i}@example.org"
        yield NewComment(thread=f"article-{i % THREADS}", author="قارئ", email=email, body=f"{bodies[i % 100]} {i}",
                         ip=IPS[i % len(IPS)], user_agent=USER_AGENT), start_ms + i


def start_worker(environ, log_path):
    with open(log_path, "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=PROJECT_ROOT,
                                env=environ, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_for_worker(loader, process):
    """Until the worker has made its first pass (its sign of life in Redis)."""
    deadline = time.monotonic() + WORKER_START_SECONDS
    while loader.client.get(loader.keys.erasures_worker) is None:
        if process.poll() is not None:
            raise ErasureError(f"the worker exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise ErasureError(f"the worker made no pass within {WORKER_START_SECONDS} s")
        time.sleep(0.2)


def stop_worker(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(60)


def ask(base_url, cookie, csrf):
    """The console's erasure request, as an admin's browser sends it; how long it took (ms)."""
    form = urllib.parse.urlencode({"csrf_token": csrf, "email": EMAIL, "confirm": "y"}).encode()
    request = urllib.request.Request(f"{base_url}/moderate/commenters/erase", form, headers={"Cookie": cookie})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=60) as response:  # follows the 303 to the page
        if response.status != 200 or "/moderate/commenters" not in response.url:
            raise ErasureError(f"the erasure request answered {response.status} at {response.url}")
    return (time.monotonic() - started) * 1000


def job(loader):
    """The record of the one erasure job."""
    subjects = loader.client.zrange(loader.keys.erasures, 0, -1) or loader.client.zrange(
        loader.keys.erasures_done, 0, -1)
    if not subjects:
        raise ErasureError("the console's request made no job")
    return loader.client.hgetall(loader.keys.erasure(subjects[0]))


def wait_until_done(loader):
    deadline = time.monotonic() + ERASE_TIMEOUT_SECONDS
    while (record := job(loader)).get("state") != "done":
        if time.monotonic() > deadline:
            raise ErasureError(f"the erasure did not finish within {ERASE_TIMEOUT_SECONDS} s: {record}")
        time.sleep(0.5)
    return record


def check_nothing_left(loader, count):
    """The address's comments gone, the others' all there."""
    pending = loader.pending_count()
    if pending != OTHERS:
        raise ErasureError(f"{pending:,} comments pending after the erasure, {OTHERS} expected")
    with loader.client.pipeline(transaction=False) as pipe:
        for comment_id in range(1, count + 1, max(1, count // 1000)):
            pipe.exists(loader.keys.comment(comment_id))
        if any(pipe.execute()):
            raise ErasureError("comments of the address were left behind")


def finished(record):
    """(comments erased, seconds from the request to the end) from the job's record."""
    return int(record["erased"]), (int(record["finished_at"]) - int(record["requested_at"])) / 1000

