"""Every Lua script touches only the one slot of the keys it declares, as Redis Cluster requires.

Redis 6.2 (the binary the project ships) lets a script on a cluster node
reach an undeclared key of another slot as long as that node holds it, so a
cluster run alone proves nothing here. Instead, a workload that runs every
script in ``queue/`` goes through the test server while a MONITOR connection
records what each script did: every key of every command a script issued
must hash to the slot of the keys it declared.
"""

import hashlib
import re
from pathlib import Path

import pytest
import redis
from redis.crc import key_slot

from moderation.keys import Keys
from moderation.limits import Counter
from moderation.models import Decision, ImportRecord, Intake, NewComment, Role, Status
from moderation.notify.store import NotifyStore
from moderation.notify.store_readers import ReaderStore
from moderation.store import Store, load_script
from moderation.store_accounts import AccountStore
from moderation.store_commenters import CommenterStore
from moderation.store_erasures import ErasureStore
from moderation.store_transfer import TransferStore
from moderation.webhooks.store import Endpoint, WebhookStore

QUEUE = Path(__file__).resolve().parent.parent / "queue"
# One quoted argument of a MONITOR line, with Redis's escapes.
ARGUMENT = re.compile(rb'"((?:[^"\\]|\\.)*)"')
ESCAPE = re.compile(rb'\\(x[0-9a-f]{2}|.)', re.DOTALL)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"a": b"\a", b"b": b"\b"}


def unescape(text):
    def one(match):
        code = match.group(1)
        if code.startswith(b"x") and len(code) == 3:
            return bytes([int(code[1:], 16)])
        return ESCAPES.get(code, code)

    return ESCAPE.sub(one, text)


def parse(line):
    """(source, [arguments as bytes]) of one MONITOR line: source is 'lua' for a script's own commands."""
    head, _, rest = line.partition(b"] ")
    source = head.rsplit(b" ", 1)[-1].decode()
    return source, [unescape(a) for a in ARGUMENT.findall(rest)]


def workload(client):
    """Run every script of queue/ at least once, with an Arabic thread key and every outcome of submit."""
    store = Store(client, site="أخبار")
    accounts = AccountStore(client, site="أخبار")
    thread = "مقال-1"

    def new(body, email="a@example.com", ip="192.0.2.1"):
        return NewComment(thread=thread, author="نور", email=email, body=body, ip=ip)

    limits = [Counter("address:192.0.2.9:60:1", 100, 60)]
    first = store.submit(new("أول تعليق"), "n1", 1_000, duplicate_digest="d1", waves=["domain:x.example"],
                         limits=limits, flood_seconds=15).id
    store.submit(new("again", ip="192.0.2.1"), "n2", 1_001, flood_seconds=15)  # flood
    store.submit(new("أول تعليق"), "n3", 1_002, duplicate_digest="d1")  # duplicate
    store.submit(new("أول تعليق"), "n1", 1_003)  # the same form again
    store.submit(new("over"), "n4", 1_004, limits=[Counter("address:192.0.2.9:60:1", 0, 60)])  # limited
    spam = store.submit(new("spam", email="s@example.com"), "n5", 1_005, intake=Intake(status="spam")).id
    second = store.submit(new("second", email="b@example.com"), "n6", 1_006).id
    third = store.submit(new("third", email="c@example.com"), "n7", 1_007).id
    store.decide(first, Decision.APPROVE, "mona", 2_000)
    store.report(first, thread, 2_000, network="192.0.2.0/24", reason="abuse", hide_at=1,
                 limits=[Counter("report-address:192.0.2.1:3600:0", 10, 3600)])
    store.keep(first, "mona", 2_000)
    store.remove(first, "mona", 2_000, "legal")
    store.restore(first, "ali", 2_000)
    store.submit(new("trusted"), "n8", 1_008, trust=1)  # published at once
    store.queue_page("mona", 60_000)
    store.queue_page("mona", 60_000, thread=thread)
    store.queue_page("mona", 60_000, email="b@example.com")
    store.spam_page()
    store.claim([second, third], "mona", 60_000)
    store.edit(second, "second, edited", "mona", 2_001)
    store.decide_many([second, third], Decision.REJECT, "mona", 2_002, wave="domain:x.example", wave_seconds=60)
    store.undo(third, "mona", 2_003, True, 600_000)
    store.rescue(spam, "mona", 2_004)
    store.submit(new("more spam", email="t@example.com"), "n9", 1_009, intake=Intake(status="spam"))
    store.empty_spam("mona", 2_005)
    store.purge_decided(10_000)
    accounts.set_setup_token("hash", 60)
    accounts.setup_admin("hash", "ali", "argon-hash", 3_000)
    accounts.create("mona", Role.MODERATOR, "argon-hash", 3_001, "ali")
    accounts.set_password("mona", "argon-hash-2", "ali", 3_002)
    accounts.record_failure("mona", "192.0.2.1", 900, 3_003)
    accounts.open_session("s1", "mona", 60_000, 3_004, "192.0.2.1")
    accounts.load_session("s1", 60_000)
    accounts.create("sami", Role.MODERATOR, "argon-hash", 3_005, "ali")
    accounts.remove("sami", "ali", 3_006)
    people = CommenterStore(client, site="أخبار")
    people.forget_addresses(10_000)
    erasures = ErasureStore(client, site="أخبار")
    for subject, email, keep_text, found in (("b", "b@example.com", False, second),
                                             ("c", "c@example.com", True, third)):
        erasures.start(subject, email, "ali", 6_000, keep_text=keep_text, keep_ms=60_000)
        step = {"from": 1, "to": erasures.last_id() + 1, "runner": "w1", "now": 6_001, "lease_ms": 1_000}
        erased = erasures.erase(subject, email, [found], {found: "digest"}, step=step, keep_text=keep_text)
        erasures.finish(subject, "w1", 6_002, counts={"comments": erased}, erased=erased, keep_ms=60_000)
    transfer = TransferStore(client, site="أخبار")

    def imported(source, status, parent="", body="نص", **fields):
        return ImportRecord(source, parent, "مقال-2", status, {"created_at": "5000", "author": "نور", "body": body,
                                                                 "email": "i@example.com", **fields}, 1)

    transfer.import_batch([imported("x:2", Status.APPROVED, parent="x:1"),  # waits for its parent
                           imported("x:1", Status.REJECTED, deleted="1"), imported("x:3", Status.PENDING),
                           imported("x:4", Status.SPAM)], {"مقال-2": {"title": "عنوان"}}, 4_000)
    transfer.import_batch([imported("x:2", Status.APPROVED, parent="x:1"),  # under a deleted placeholder
                           imported("x:5", Status.APPROVED, parent="x:9")], {}, 4_001, final=True)
    notify = NotifyStore(client, site="أخبار")
    notify.ensure_groups()
    store.submit(new("for the worker", email="w@example.com"), "n10", 1_010)
    notify.set_preferences("mona", "mona@example.com", "each", 15)
    [(stream, entry_id, fields)] = notify.read_new("w1", 10)
    notify.dead_letter(stream, entry_id, fields, attempts=3, error="refused", now_ms=5_000)
    [(raw, _letter)] = notify.dead_letters()
    notify.redo(raw)
    notify.lease_digest("mona", "w1", 1000, 5_000)
    notify.digest_failed("mona", now_ms=5_000, retry_ms=10, retry_max_ms=100, max_attempts=2, error="refused")
    notify.lease_digest("mona", "w1", 1000, 6_000)
    notify.digest_failed("mona", now_ms=6_000, retry_ms=10, retry_max_ms=100, max_attempts=2, error="refused")
    readers = ReaderStore(client, site="أخبار")
    readers.opt_in("digest-1", "w@example.com", thread, now_ms=6_000, event="1-0", resend_ms=60_000)
    readers.confirm("digest-1", 6_001)
    readers.take_reply_slot("digest-1", thread, 7, now_ms=6_002, interval_ms=60_000)
    readers.take_mail("digest-1", per_recipient=5, total=100, now_ms=6_003)
    readers.unsubscribe("digest-1", thread)
    hooks = WebhookStore(client, site="أخبار", log_length=1)
    hook = "0123456789abcdef"
    hooks.add(Endpoint(hook, "https://hooks.example/in", ("approved",), "whsec_c2VjcmV0", True, 6_000, "ali"), "ali")
    hooks.reveal(hook)
    for message in ("msg_1", "msg_1", "msg_2"):  # counted up, then trimmed to the last one
        hooks.log_attempt(hook, message, event="approved", comment_id="1", status="500", error="HTTP 500",
                          sent=False, now_ms=6_001)
    hooks.set_enabled(hook, False, "ali", 6_002)
    hooks.delete(hook, "ali", 6_003)
    return Keys("أخبار").prefix


def test_scripts_touch_only_the_slot_of_their_declared_keys(redis_server, redis_client):
    if not hasattr(redis_server, "socket_path"):
        pytest.skip("reads one server's MONITOR; the cluster run checks the same scripts end to end")
    # As Redis gets them: with the libraries of queue/lib they name in front.
    scripts = {hashlib.sha1(load_script(path.name).encode()).hexdigest(): path.name for path in QUEUE.glob("*.lua")}
    watcher = redis.Redis(unix_socket_path=redis_server.socket_path)
    monitor = watcher.monitor().__enter__()
    client = redis.Redis(unix_socket_path=redis_server.socket_path, decode_responses=True)
    try:
        prefix = workload(client)
        client.set("end-of-workload", "1")
        lines = []
        while not lines or b'"end-of-workload"' not in lines[-1]:
            lines.append(monitor.connection.read_response())
    finally:
        monitor.__exit__(None, None, None)
        watcher.close()

    commands = client.command()

    def keys_of(arguments):
        """The key arguments of a command, where COMMAND says they are."""
        info = commands[arguments[0].decode().lower()]
        first, last, step = info["first_key_pos"], info["last_key_pos"], info["step_count"]
        if first == 0:
            return []
        last = len(arguments) + last if last < 0 else last
        return arguments[first:last + 1:step]

    ran, script, slot = {}, None, None
    for line in lines:
        source, arguments = parse(line if isinstance(line, bytes) else line.encode())
        if source != "lua":
            script = None
            if arguments and arguments[0].upper() == b"EVALSHA":
                script = scripts.get(arguments[1].decode())
                assert script, f"EVALSHA of a script that is not in queue/: {arguments[1]!r}"
                declared = arguments[3:3 + int(arguments[2])]
                slots = {key_slot(k) for k in declared}
                assert len(slots) == 1, f"{script} declares keys of several slots: {declared}"
                [slot] = slots
                ran[script] = ran.get(script, 0) + 1
            continue
        assert script, f"a script's command with no EVALSHA before it: {arguments}"
        for key in keys_of(arguments):
            assert key_slot(key) == slot, f"{script} touched {key.decode()!r} outside its slot"
            assert key.decode().startswith(prefix), f"{script} touched {key.decode()!r}, not a key of the site"
    assert set(ran) == set(scripts.values()), f"not run by the workload: {set(scripts.values()) - set(ran)}"
