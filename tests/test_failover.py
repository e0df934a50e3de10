"""Scale-out against real servers: six sites over a cluster's three shards, and kill -9 of a primary under load.

A Redis Cluster of three primaries and three replicas, and a primary with a
replica under three Sentinels (``topologies``), made of the redis-server
binary the project ships. `make run`'s gunicorn serves the traffic: 32
readers submit and 4 moderators approve while the primary that holds the
site is killed with SIGKILL. A reader who gets a 503 sends the same form
again, as the page asks; a moderator who gets one clicks again. Afterwards
every comment and decision that was acknowledged is reconciled against
what the promoted replica holds.
"""

import http.client
import json
import re
import signal
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import pytest
from argon2 import PasswordHasher
from redis.crc import key_slot

from moderation import connection
from moderation.errors import StoreUnavailable
from moderation.forms import token_serializer
from moderation.keys import Keys
from moderation.models import NewComment, Role
from moderation.store import Store
from moderation.store_accounts import AccountStore

from .conftest import PASSWORD, SECRET, csrf_token
from .test_serve import free_port, start
from .topologies import Cluster, SentinelGroup, Server, wait_until

pytestmark = pytest.mark.own_servers  # starts, kills and restarts servers of its own

READERS = 32
MODERATORS = 4
THREAD = "failover"
SEEDED = 400  # pending comments for the moderators to approve


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def sentinels(tmp_path):
    group = SentinelGroup(tmp_path / "sentinel")
    try:
        group.start()
        yield group
    finally:
        group.stop()


# Six sites over three shards

def sites_by_shard(count_per_shard=2):
    """Site keys whose hash tags fall two on each third of the slots (redis-cli splits them so)."""
    chosen, per_shard = [], [0, 0, 0]
    for candidate in ("ar", "en", "sport", "gulf", "levant", "maghreb", "tech", "economy", "fr", "culture",
                      "world", "video", "opinion", "health", "science", "travel"):
        shard = min(key_slot(Keys(candidate).prefix.encode()) * 3 // 16384, 2)
        if per_shard[shard] < count_per_shard:
            per_shard[shard] += 1
            chosen.append(candidate)
    assert per_shard == [count_per_shard] * 3
    return chosen


def test_cluster_six_sites_spread_over_three_shards(cluster, make_app, tmp_path):
    cluster.flush()
    keys = sites_by_shard()
    sites_toml = tmp_path / "sites.toml"
    sites_toml.write_text("".join(f'[sites.{key}]\nhosts = ["{key}.example"]\n\n' for key in keys))
    app = make_app(REDIS_URL=cluster.url, SITES=str(sites_toml), REDIS_MIN_REPLICAS=1, REDIS_REPLICA_WAIT_MS=1000)
    serializer = token_serializer(SECRET)
    for key in keys:
        client = app.test_client()
        for i in range(5):
            token = serializer.dumps({"t": THREAD, "n": f"{key}-{i}", "s": key})
            response = client.post(f"/threads/{THREAD}", base_url=f"http://{key}.example",
                                   data={"comment": f"{key} {i}", "author": "a", "email": f"{i}@example.com",
                                         "token": token})
            assert response.status_code == 303, response.get_data(as_text=True)
        store = app.extensions["sites"].get(key).store
        for comment in store.queue_page("m", 1000).comments[:2]:
            store.decide(comment.id, "approved", "m", 1)
        page = client.get(f"/threads/{THREAD}", base_url=f"http://{key}.example").get_data(as_text=True)
        assert f"{key} 0" in page and f"{key} 1" in page
    where = {}
    for primary in cluster.primaries():
        client = primary.client()
        tags = {re.match(r"cm:\{([^}]*)\}:", k).group(1) for k in client.scan_iter("cm:*")}
        client.close()
        for tag in tags:
            assert tag not in where, f"site {tag} has keys on two shards"
            where[tag] = primary.address
    assert set(where) == set(keys)  # every site's data, each on one shard
    assert len(set(where.values())) == 3  # and the sites on all three
    for key in keys:
        assert where[key] == cluster.primary_of(Keys(key).prefix).address


# Kill -9 of a primary under load

@dataclass
class Outcome:
    acknowledged: dict = field(default_factory=dict)  # form index → comment id (None: kept in the spool)
    decided: set = field(default_factory=set)  # comment ids whose approval was acknowledged
    statuses: list = field(default_factory=list)
    unavailable_at: list = field(default_factory=list)  # monotonic times of 503 answers
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)  # take no new form or comment
    deadline: float = 0.0  # give up even on the one in hand

    def note(self, status):
        with self.lock:
            self.statuses.append(status)
            if status == 503:
                self.unavailable_at.append(time.monotonic())


def post(port, path, body, headers):
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection_.request("POST", path, body=body, headers=headers)
        response = connection_.getresponse()
        return response.status, response.getheader("Location") or "", response.read()
    except (ConnectionError, http.client.HTTPException, TimeoutError):
        return None, "", b""
    finally:
        connection_.close()


def form_text(index):
    return f"تعليق أثناء الانتقال {index} / comment during failover {index}"


def reader(port, forms, outcome):
    """Send each form until it is acknowledged (303), the same form (same token) after each 503."""
    for index, payload in forms:
        if outcome.stopping.is_set():
            return
        while time.monotonic() < outcome.deadline:
            status, location, _ = post(port, f"/threads/{THREAD}", payload,
                                       {"Content-Type": "application/x-www-form-urlencoded"})
            if status is None:
                continue
            outcome.note(status)
            if status == 303:
                match = re.search(r"#comment-(\d+)$", location)
                with outcome.lock:
                    outcome.acknowledged[index] = int(match.group(1)) if match else None
                break
            time.sleep(0.05)


class Moderator:
    def __init__(self, port, name):
        self.port, self.name, self.cookie, self.csrf = port, name, "", ""

    def request(self, method, path, body=b"", headers=None):
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection_.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
            response = connection_.getresponse()
            cookie = response.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return response.status, response.read().decode()
        finally:
            connection_.close()

    def log_in(self):
        status, page = self.request("GET", "/moderate/login")
        form = urllib.parse.urlencode({"username": self.name, "password": PASSWORD, "csrf_token": csrf_token(page)})
        status, _ = self.request("POST", "/moderate/login", form.encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303, status
        _, page = self.request("GET", "/moderate/log")
        self.csrf = csrf_token(page)

    def approve(self, comment_ids, outcome):
        for comment_id in comment_ids:
            if outcome.stopping.is_set():
                return
            while time.monotonic() < outcome.deadline:
                try:
                    status, _ = self.request(
                        "POST", f"/moderate/comments/{comment_id}/approve",
                        urllib.parse.urlencode({"csrf_token": self.csrf}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
                except (ConnectionError, http.client.HTTPException, TimeoutError):
                    continue
                outcome.note(status)
                if status == 200:
                    with outcome.lock:
                        outcome.decided.add(comment_id)
                    break
                if status == 409:  # an approval that was not acknowledged went through after all
                    break
                if status in {302, 401}:  # a session the failover lost: log in again
                    self.log_in()
                time.sleep(0.05)


def seed(client, site="main"):
    store = Store(client, site=site)
    ids = [store.submit(NewComment(thread=THREAD, author="seed", email="seed@example.com", body=f"seeded {i}"),
                        nonce=f"seed-{i}", now_ms=1_700_000_000_000 + i).id for i in range(SEEDED)]
    accounts = AccountStore(client, site=site)
    hashed = PasswordHasher().hash(PASSWORD)
    for i in range(MODERATORS):
        accounts.create(f"mod{i}", Role.MODERATOR, hashed, 1, "test")
    return ids


def failover_under_load(tmp_path, url, client, *, kill, recover, min_replicas):
    """Serve ``url`` with gunicorn, load it, ``kill()`` the site's primary, ``recover()``; reconcile."""
    seeded = seed(client)
    port = free_port()
    instance = tmp_path / "instance"
    env = {"REDIS_URL": url, "SECRET_KEY": SECRET, "FORM_MIN_SECONDS": "0", "FLOOD_SECONDS": "0",
           "SUBMIT_RATE_LIMIT": "off", "WEB_WORKERS": "2", "WEB_THREADS": "16",
           "REDIS_MIN_REPLICAS": str(min_replicas), "REDIS_REPLICA_WAIT_MS": "500",
           "REDIS_SOCKET_TIMEOUT_SECONDS": "1"}
    process = start(instance, port, tmp_path / "gunicorn.log", extra_env=env)
    outcome = Outcome()
    try:
        serializer = token_serializer(SECRET)
        forms = [(i, urllib.parse.urlencode({
            "comment": form_text(i), "author": f"Reader {i}",
            "email": f"r{i}@example.com", "token": serializer.dumps({"t": THREAD, "n": f"failover-{i}"})}).encode())
            for i in range(100_000)]
        moderators = [Moderator(port, f"mod{i}") for i in range(MODERATORS)]
        for moderator in moderators:
            moderator.log_in()
        outcome.deadline = time.monotonic() + 120
        threads = [threading.Thread(target=reader, args=(port, forms[i::READERS], outcome)) for i in range(READERS)]
        threads += [threading.Thread(target=m.approve, args=(seeded[i::MODERATORS], outcome))
                    for i, m in enumerate(moderators)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        killed_at = time.monotonic()
        kill()
        recover()
        recovered_at = time.monotonic()
        time.sleep(3)  # traffic on the healed topology
        outcome.stopping.set()  # each client finishes the form or comment in hand
        for thread in threads:
            thread.join()
        wait_until(lambda: not (instance / "spool.jsonl").exists() or (instance / "spool.jsonl").stat().st_size == 0,
                   60, "the spool to be taken in")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return outcome, killed_at, recovered_at


def reconcile(client, outcome):
    """What was acknowledged and is missing now, and what is there more than once."""
    store = Store(client)
    ids = [int(i) for i in client.zrange(Keys("main").thread_pending(THREAD), 0, -1)]
    ids += [int(i) for i in client.zrange(Keys("main").thread_published(THREAD), 0, -1)]
    bodies = {}
    for comment in store.get_many(ids):
        bodies.setdefault(comment.body, []).append(comment.id)
    lost = [i for i in outcome.acknowledged if form_text(i) not in bodies]
    doubled = [body for body, found in bodies.items() if len(found) > 1]
    for index, comment_id in outcome.acknowledged.items():
        if comment_id is not None and index not in lost:
            assert bodies[form_text(index)] == [comment_id], "an acknowledged id holds another form"
    approved = {c.id for c in store.get_many(sorted(outcome.decided)) if c.status == "approved"}
    decisions_lost = sorted(outcome.decided - approved)
    entries = [fields for _, fields in client.xrange(Keys("main").audit) if fields.get("action") == "approved"]
    counts = {}
    for fields in entries:
        counts[int(fields["id"])] = counts.get(int(fields["id"]), 0) + 1
    decided_twice = [i for i, n in counts.items() if n > 1]
    return lost, doubled, decisions_lost, decided_twice


def report(name, outcome, times, lost, decisions_lost):
    killed_at, recovered_at = times
    window = [t - killed_at for t in outcome.unavailable_at if t >= killed_at]
    print(f"\n{name}: {len(outcome.acknowledged)} comments acknowledged "
          f"({sum(1 for v in outcome.acknowledged.values() if v is None)} through the spool), "
          f"{len(outcome.decided)} approvals acknowledged; {outcome.statuses.count(503)} answers 503, "
          f"the last {max(window, default=0):.1f} s after the kill (topology healed after "
          f"{recovered_at - killed_at:.1f} s); lost: {len(lost)} comments, {len(decisions_lost)} decisions")
    results = json.dumps({"test": name, "acknowledged": len(outcome.acknowledged), "decided": len(outcome.decided),
                          "unavailable": outcome.statuses.count(503), "lost_comments": len(lost),
                          "lost_decisions": len(decisions_lost),
                          "last_503_after_kill_s": round(max(window, default=0), 1)})
    print(f"FAILOVER {results}")


def cluster_failover(cluster, tmp_path, min_replicas):
    cluster.flush()
    client = connection.connect(cluster.url, 5)
    victim = cluster.primary_of(Keys("main").prefix)

    def recover():
        wait_until(lambda: cluster.primary_of(Keys("main").prefix) is not victim, 30, "the replica's promotion")
        victim.start()  # back as a replica of the promoted one
        cluster.wait_healthy(30)

    try:
        outcome, killed_at, recovered_at = failover_under_load(tmp_path, cluster.url, client, kill=victim.kill,
                                                               recover=recover, min_replicas=min_replicas)
        return outcome, killed_at, recovered_at, reconcile(client, outcome)
    finally:
        client.close()


def check(outcome, doubled, decided_twice):
    assert {s for s in outcome.statuses if s >= 500} <= {503}  # no 5xx but the documented 503
    assert outcome.acknowledged and outcome.decided
    assert not doubled, "a form was taken in twice"
    assert not decided_twice, "a comment was approved twice"


def test_cluster_kill_9_of_a_primary_with_min_replicas_1_loses_nothing_acknowledged(cluster, tmp_path):
    outcome, killed_at, recovered_at, (lost, doubled, decisions_lost, twice) = cluster_failover(cluster, tmp_path, 1)
    report("cluster, REDIS_MIN_REPLICAS=1", outcome, (killed_at, recovered_at), lost, decisions_lost)
    check(outcome, doubled, twice)
    assert outcome.statuses.count(503) > 0  # the window was there, and answered as documented
    assert lost == [] and decisions_lost == []


def test_cluster_kill_9_of_a_primary_with_min_replicas_0_counts_what_is_lost(cluster, tmp_path):
    outcome, killed_at, recovered_at, (lost, doubled, decisions_lost, twice) = cluster_failover(cluster, tmp_path, 0)
    report("cluster, REDIS_MIN_REPLICAS=0", outcome, (killed_at, recovered_at), lost, decisions_lost)
    check(outcome, doubled, twice)


def test_sentinel_failover_of_the_primary_loses_nothing_acknowledged(sentinels, tmp_path):
    client = connection.connect(sentinels.url, 5)
    victim = sentinels.current_primary()

    def recover():
        wait_until(lambda: sentinels.current_primary() is not victim, 30, "the Sentinels' failover")
        victim.start()  # the Sentinels make it a replica of the new primary
        wait_until(lambda: victim.info("replication").get("master_link_status") == "up", 60, "the old primary's return")

    try:
        outcome, killed_at, recovered_at = failover_under_load(tmp_path, sentinels.url, client, kill=victim.kill,
                                                               recover=recover, min_replicas=1)
        lost, doubled, decisions_lost, twice = reconcile(client, outcome)
    finally:
        client.close()
    report("sentinel, REDIS_MIN_REPLICAS=1", outcome, (killed_at, recovered_at), lost, decisions_lost)
    check(outcome, doubled, twice)
    assert lost == [] and decisions_lost == []


# REDIS_MIN_REPLICAS on one primary and its replica

@pytest.fixture
def pair(tmp_path):
    primary = Server(tmp_path / "primary", free_port())
    primary.start()
    replica = Server(tmp_path / "replica", free_port(), "--replicaof", "127.0.0.1", str(primary.port))
    replica.start()
    wait_until(lambda: replica.info("replication").get("master_link_status") == "up", what="the replica")
    yield primary, replica
    replica.stop()
    primary.stop()


def replicated_app(make_app, primary, **settings):
    return make_app(REDIS_URL=f"redis://127.0.0.1:{primary.port}", REDIS_MIN_REPLICAS=1, REDIS_REPLICA_WAIT_MS=200,
                    REDIS_SOCKET_TIMEOUT_SECONDS=1, SPOOL_REPLAY_SECONDS=3600, **settings)


def test_min_replicas_acknowledges_only_what_a_replica_has(make_app, pair, tmp_path):
    primary, replica = pair
    app = replicated_app(make_app, primary)
    strict = replicated_app(make_app, primary, SPOOL=False, INSTANCE_PATH=str(tmp_path / "strict"))
    client, strict_client = app.test_client(), strict.test_client()

    def send(client, body, nonce):
        token = token_serializer(SECRET).dumps({"t": THREAD, "n": nonce})
        return client.post(f"/threads/{THREAD}", data={"comment": body, "author": "a", "email": "a@example.com",
                                                       "token": token})

    assert "#comment-" in send(client, "while the replica keeps up", "n1").headers["Location"]
    # Another web process, whose connection wrote (and had confirmed) before the replica stopped.
    again = replicated_app(make_app, primary, SPOOL=False, INSTANCE_PATH=str(tmp_path / "again"))
    assert send(again.test_client(), "confirmed earlier", "n0").status_code == 303
    replica.freeze()  # it takes nothing more in: no write can be confirmed
    try:
        spooled = send(client, "kept in the spool", "n2")
        assert spooled.status_code == 303 and "received=1" in spooled.headers["Location"]
        refused = send(strict_client, "the text is kept", "n3")
        assert refused.status_code == 503 and "the text is kept" in refused.get_data(as_text=True)
        # Sent again through that process: WAIT there counts its own connection's writes, and the
        # comment it finds was not confirmed. Still not acknowledged.
        assert send(again.test_client(), "the text is kept", "n3").status_code == 503
        metrics = client.get("/metrics").get_data(as_text=True)
        assert re.search(r"^redis_writes_unreplicated_total [1-9]", metrics, re.MULTILINE)
        moderator = AccountStore(connection.connect(f"redis://127.0.0.1:{primary.port}", 5))
        moderator.create("mona", Role.MODERATOR, PasswordHasher().hash(PASSWORD), 1, "test")
    finally:
        replica.thaw()
    wait_until(lambda: primary.info("replication")["connected_slaves"] == 1, what="the replica's return")
    with app.app_context():
        from moderation import services

        assert services.replay_spool() == 1
    store = app.extensions["sites"].get("main").store
    bodies = sorted(c.body for c in store.queue_page("", 0).comments)
    # The refused one was written on the primary before WAIT gave up; sent again, its token takes it in once.
    assert bodies == ["confirmed earlier", "kept in the spool", "the text is kept", "while the replica keeps up"]
    assert send(strict_client, "the text is kept", "n3").status_code == 303


@pytest.mark.parametrize("min_replicas", [0, 1])
def test_a_lagging_replica_taking_over_loses_only_what_was_acknowledged_without_it(pair, min_replicas):
    """The primary dies while its replica is behind; the replica takes over with what it had."""
    primary, replica = pair
    client = connection.connect(f"redis://127.0.0.1:{primary.port}", 5)
    store = Store(client, min_replicas=min_replicas, replica_wait_ms=100)
    replica.freeze()
    acknowledged = []
    for i in range(20):
        try:
            acknowledged.append(store.submit(NewComment(thread=THREAD, author="a", email="a@example.com",
                                                        body=f"lagging {i}"), nonce=f"lag-{i}", now_ms=i).id)
        except StoreUnavailable:
            pass  # the reader is told to send it again (or it waits in the spool): not acknowledged
    client.close()
    primary.kill()
    replica.kill()  # a frozen replica read nothing more: what it had is on its disk
    replica.extra = ()  # it comes back as the primary, as a failover would make it
    replica.start()
    survivor = connection.connect(f"redis://127.0.0.1:{replica.port}", 5)
    present = [c.id for c in Store(survivor).get_many(acknowledged)]
    survivor.close()
    lost = len(acknowledged) - len(present)
    print(f"\nREDIS_MIN_REPLICAS={min_replicas}: {len(acknowledged)} of 20 acknowledged, {lost} of them lost")
    if min_replicas:
        assert acknowledged == [] and lost == 0
    else:
        assert len(acknowledged) == 20 and lost == 20


def test_cluster_reads_can_move_to_replicas(cluster, make_app):
    cluster.flush()
    app = make_app(REDIS_URL=cluster.url + "?read_from_replicas=yes")
    store = app.extensions["sites"].get("main").store
    store.decide(store.submit(NewComment(thread=THREAD, author="a", email="a@example.com", body="read me"),
                              nonce="r", now_ms=1).id, "approved", "m", 2)
    primary = cluster.primary_of(Keys("main").prefix)
    replica = next(s for s in cluster.servers if s.running and s is not primary
                   and s.info("replication").get("master_port") == primary.port)
    before = replica.info("commandstats").get("cmdstat_get", {}).get("calls", 0)
    client = app.test_client()
    for _ in range(5):
        assert "read me" in client.get(f"/api/v1/threads/{THREAD}/comments").get_data(as_text=True)
    assert replica.info("commandstats").get("cmdstat_get", {}).get("calls", 0) > before  # the version, read there


def move_slot(cluster, slot, source, target):
    """Move one slot between primaries the way `redis-cli` documents it: nothing asked of the service."""
    src, dst = source.client(), target.client()
    try:
        source_id, target_id = src.cluster("MYID"), dst.cluster("MYID")
        dst.execute_command("CLUSTER", "SETSLOT", slot, "IMPORTING", source_id)
        src.execute_command("CLUSTER", "SETSLOT", slot, "MIGRATING", target_id)
        while keys := src.execute_command("CLUSTER", "GETKEYSINSLOT", slot, 100):
            src.execute_command("MIGRATE", "127.0.0.1", target.port, "", 0, 5000, "KEYS", *keys)
        for server in cluster.primaries():
            client = server.client()
            client.execute_command("CLUSTER", "SETSLOT", slot, "NODE", target_id)
            client.close()
    finally:
        src.close()
        dst.close()


def test_cluster_a_site_moved_to_another_shard_goes_on_without_a_restart(cluster, make_app):
    cluster.flush()
    app = make_app(REDIS_URL=cluster.url, REDIS_MIN_REPLICAS=1, REDIS_REPLICA_WAIT_MS=1000)
    store = app.extensions["sites"].get("main").store
    before = [store.submit(NewComment(thread=THREAD, author="a", email="a@example.com", body=f"before {i}"),
                           nonce=f"b{i}", now_ms=i).id for i in range(20)]
    source = cluster.primary_of(Keys("main").prefix)
    target = next(s for s in cluster.primaries() if s is not source)
    move_slot(cluster, store.slot(), source, target)
    assert cluster.primary_of(Keys("main").prefix) is target
    after = store.submit(NewComment(thread=THREAD, author="a", email="a@example.com", body="after"),
                         nonce="after", now_ms=99).id  # the same app: redis-py follows the MOVED
    store.decide(before[0], "approved", "m", 100)
    assert [c.body for c in store.get_many([*before, after])] == [*(f"before {i}" for i in range(20)), "after"]
    assert "before 0" in app.test_client().get(f"/threads/{THREAD}").get_data(as_text=True)
    client = source.client()
    assert client.dbsize() == 0  # nothing of the site left behind
    client.close()
    assert f"127.0.0.1:{target.port}" in app.test_cli_runner().invoke(args=["sites", "list"]).output
