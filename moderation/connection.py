"""The Redis client that ``REDIS_URL`` names, and acknowledgements that wait for replicas.

- ``redis://``, ``rediss://``, ``unix://``: one server (redis-py's ``Redis``).
- ``redis+cluster://[user:password@]host:port,host:port`` (``rediss+cluster://`` over TLS): a Redis or Valkey
  Cluster, the hosts being any of its nodes (redis-py's ``RedisCluster``). Every key of a site carries the
  hash tag ``{site}``, so each script runs on the one shard that holds the site. ``?read_from_replicas=yes``
  sends plain reads (a thread's version and comments, counts) to the shard's replicas, round robin; scripts
  and writes stay on the primary.
- ``redis+sentinel://[user:password@]host:port,host:port/service`` (``rediss+sentinel://``): the primary the
  Sentinels name for ``service`` (redis-py's ``Sentinel.master_for``), followed through failovers. The user
  and password are the data servers'; ``?sentinel_password=`` is the Sentinels' own, if they have one.
  ``rediss+sentinel`` speaks TLS to the data servers; the Sentinels are asked over plain TCP.

Redis replication is asynchronous: a primary that dies right after answering takes with it what it had not
sent on. :func:`acknowledged` runs a script and then WAITs, on the same connection, until that many replicas
have its writes.
"""

import threading
from urllib.parse import parse_qs, unquote, urlsplit

import redis
from redis.backoff import ConstantBackoff
from redis.cluster import ClusterNode, LoadBalancingStrategy, RedisCluster
from redis.connection import Encoder
from redis.exceptions import (
    AskError,
    ClusterDownError,
    MovedError,
    NoScriptError,
    ReadOnlyError,
    RedisClusterException,
    SlotNotCoveredError,
    TryAgainError,
)
from redis.retry import Retry
from redis.sentinel import Sentinel

from .errors import NotReplicated

# What Redis being down, away, failing over or moving a slot looks like: the request answers 503 (or the
# comment goes to the spool), never 500. A MOVED that outlives its retry means the slot is still moving.
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, ClusterDownError, TryAgainError, AskError, ReadOnlyError,
               SlotNotCoveredError)
CLUSTER_SCHEMES = {"redis+cluster": False, "rediss+cluster": True}
SENTINEL_SCHEMES = {"redis+sentinel": False, "rediss+sentinel": True}


class InvalidRedisURL(ValueError):
    """REDIS_URL cannot be used; the message says why."""


def connect(url, timeout_seconds):
    """A client for ``url``; nothing connects until the first command."""
    # One quick retry covers a pooled connection that went stale when Redis restarted. A timeout is not
    # retried: a hung Redis would hold a reader's request twice as long. Retrying is safe: every script
    # is idempotent (form nonce, status check).
    options = {
        "decode_responses": True, "socket_timeout": timeout_seconds, "socket_connect_timeout": timeout_seconds,
        "retry": Retry(ConstantBackoff(0.05), retries=1, supported_errors=(redis.ConnectionError,)),
    }
    scheme = url.partition("://")[0].lower()
    if scheme in CLUSTER_SCHEMES:
        username, password, nodes, _path, query = _split(url)
        if query.get("read_from_replicas", ["no"])[0].lower() in {"yes", "true", "1"}:
            options["load_balancing_strategy"] = LoadBalancingStrategy.ROUND_ROBIN_REPLICAS
        return LazyCluster(startup_nodes=[ClusterNode(host, port) for host, port in nodes], username=username,
                           password=password, ssl=CLUSTER_SCHEMES[scheme], **options)
    if scheme in SENTINEL_SCHEMES:
        username, password, nodes, path, query = _split(url)
        service = path.strip("/")
        if not service or "/" in service:
            raise InvalidRedisURL("a Sentinel URL ends in the service name: redis+sentinel://host:port/NAME")
        sentinel_options = {"socket_timeout": timeout_seconds, "socket_connect_timeout": timeout_seconds}
        if "sentinel_password" in query:
            sentinel_options["password"] = query["sentinel_password"][0]
        sentinel = Sentinel(nodes, sentinel_kwargs=sentinel_options, **options)
        return sentinel.master_for(service, username=username, password=password, ssl=SENTINEL_SCHEMES[scheme],
                                   health_check_interval=30)
    return redis.Redis.from_url(url, health_check_interval=30, **options)


def _split(url):
    """(user, password, [(host, port), ...], path, query) of a URL that lists several hosts."""
    parts = urlsplit(url)
    userinfo, _at, hosts = parts.netloc.rpartition("@")
    username, _colon, password = userinfo.partition(":")
    nodes = []
    for item in filter(None, hosts.split(",")):
        host, _colon, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise InvalidRedisURL(f"{item!r} in REDIS_URL is not host:port")
        nodes.append((host.strip("[]"), int(port)))
    if not nodes:
        raise InvalidRedisURL("REDIS_URL names no host:port")
    return unquote(username) or None, unquote(password) or None, nodes, parts.path, parse_qs(parts.query)


class LazyCluster:
    """A RedisCluster made at its first command.

    redis-py's asks the cluster for its slots as soon as it is made, and the
    service must start (and keep readers' comments in its spool) while the
    cluster is away.
    """

    def __init__(self, **options):
        self._options = options
        self._client = None
        self._lock = threading.Lock()

    def cluster(self):
        with self._lock:
            if self._client is None:
                try:
                    self._client = RedisCluster(**self._options)
                except RedisClusterException as error:  # no startup node answered
                    raise redis.ConnectionError(str(error)) from error
            return self._client

    def get_encoder(self):
        # Scripts are registered (their SHA computed) before any node need answer.
        return Encoder(encoding="utf-8", encoding_errors="strict", decode_responses=True)

    def __getattr__(self, name):
        return getattr(self.cluster(), name)

    def close(self):
        if self._client is not None:
            self._client.close()


def is_cluster(client):
    return isinstance(client, LazyCluster | RedisCluster)


def acknowledged(client, script, keys, args, *, replicas=0, timeout_ms=1000):
    """Run ``script``; with ``replicas``, return only once that many replicas have its writes.

    Raises NotReplicated when fewer confirm within ``timeout_ms``: the
    primary has the writes, but a failover now could lose them, so the
    caller must not tell anyone they are safe. WAIT counts the writes of the
    connection it is sent on, so the script and the WAIT go down one
    connection to the primary that holds the keys.
    """
    if replicas <= 0:
        return script(keys=keys, args=args)
    # A slot that moved answers MOVED, and the primary it moved to may not know the script yet.
    for attempt in range(3):
        primary = primary_for(client, keys[0])
        pipe = primary.pipeline(transaction=False)
        pipe.evalsha(script.sha, len(keys), *keys, *args)
        pipe.execute_command("WAIT", replicas, timeout_ms)
        try:
            result, confirmed = pipe.execute(raise_on_error=False)
        except (redis.ConnectionError, redis.TimeoutError):
            _refresh_slots(client)
            raise
        if isinstance(result, NoScriptError):
            primary.script_load(script.script)
            continue
        if isinstance(result, MovedError) and attempt < 2:  # the slot has moved, or a replica took over
            _cluster_of(client).nodes_manager.move_slot(result)  # where the answer says it is now
            continue
        for answer in (result, confirmed):
            if isinstance(answer, Exception):
                raise answer
        if confirmed < replicas:
            raise NotReplicated(f"{confirmed} of {replicas} replicas confirmed within {timeout_ms} ms")
        return result
    raise redis.ConnectionError("the slot kept moving: the script could not reach the primary that holds it")


def primary_for(client, key):
    """The client of the one server that holds ``key`` as primary (``client`` itself unless on a cluster)."""
    if not is_cluster(client):
        return client
    cluster = _cluster_of(client)
    return cluster.get_redis_connection(cluster.get_node_from_key(key))


def _cluster_of(client):
    return client.cluster() if isinstance(client, LazyCluster) else client


def _refresh_slots(client):
    """Ask the cluster again which node holds which slots (after a failover)."""
    if not is_cluster(client):
        return
    try:
        _cluster_of(client).nodes_manager.initialize()
    except (RedisClusterException, *UNAVAILABLE):
        pass  # still failing over; the next request asks again
