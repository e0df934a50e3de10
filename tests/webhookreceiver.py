"""A real HTTP receiver for the webhook tests: http.server in a thread, on a free port of 127.0.0.1.

It checks every message's signature the way the Standard Webhooks specification tells a receiver to
(written here from the specification, apart from the service's own code): the secret's base64 key, an
HMAC-SHA256 over ``{id}.{timestamp}.{body}``, compared in constant time, and a timestamp within five
minutes. It answers with the statuses it is told, in turn (then 200); ``wait_for(n)`` waits on a
condition, not a sleep.
"""

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 5 * 60


def verify(secret, headers, body, now=None):
    """Whether one of the ``v1`` signatures of the headers is right for ``body``, at a timestamp near ``now``."""
    try:
        message_id, timestamp = headers["webhook-id"], int(headers["webhook-timestamp"])
        signatures = headers["webhook-signature"].split(" ")
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
                                .digest()).decode()
    return any(version == "v1" and hmac.compare_digest(expected, value)
               for version, _, value in (s.partition(",") for s in signatures))


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    valid: bool


class Receiver:
    def __init__(self):
        self.secret = None
        self.received = []
        self.answers = []  # statuses (or (status, headers)) to answer with, in turn; then 200
        self.changed = threading.Condition()
        self.hold = None  # a threading.Event: each request waits for it before answering
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver.changed:
                    valid = receiver.secret is not None and verify(receiver.secret, headers, body)
                    receiver.received.append(Received(self.path, headers, body, valid))
                    answer = receiver.answers.pop(0) if receiver.answers else 200
                    receiver.changed.notify_all()
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                status, extra = answer if isinstance(answer, tuple) else (answer, {})
                if not valid:
                    status = 401  # as a receiver would: a message it cannot trust is not taken
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout=20):
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.received) >= count, timeout), \
                f"{len(self.received)} deliveries arrived, not {count}"
            return list(self.received)
