"""Fixtures: a real redis-server for the session, a clean database per test.

The server is the embedded binary, started in a temporary folder that the
session owns; tests never touch the machine's own Redis or a developer's data.
With ``--redis-cluster`` the same tests run against a Redis Cluster of three
primaries and three replicas made of that binary (``topologies.Cluster``);
tests marked ``own_servers`` (they start and kill servers of their own)
are left out of that run.
"""

import re

import pytest
from redis.cluster import RedisCluster

from moderation import connection, create_app
from moderation.embedded import EmbeddedRedis

from .topologies import Cluster


def pytest_addoption(parser):
    parser.addoption("--redis-cluster", action="store_true",
                     help="run against a Redis Cluster (3 primaries, 3 replicas) started by the session")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--redis-cluster"):
        return
    skip = pytest.mark.skip(reason="starts servers of its own: run once, without --redis-cluster")
    for item in items:
        if "own_servers" in item.keywords:
            item.add_marker(skip)

SECRET = "test-secret-key-that-is-long-enough-for-signing"


@pytest.fixture(scope="session")
def redis_server(request, tmp_path_factory):
    if request.config.getoption("--redis-cluster"):
        cluster = Cluster(tmp_path_factory.mktemp("cluster"))
        try:
            cluster.start()
            yield cluster
        finally:
            cluster.stop()
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    assert server.start(), "a redis-server was already running in a fresh temporary folder"
    yield server
    server.stop()


def client_for(url):
    """A client of the test Redis (one server or the cluster), as the service makes them."""
    client = connection.connect(url, 5)
    return EveryPrimary(client) if connection.is_cluster(client) else client


class EveryPrimary:
    """The cluster's client, with KEYS asked of every primary (redis-py asks one node at random)."""

    def __init__(self, client):
        self.client = client

    def keys(self, pattern="*"):
        return self.client.keys(pattern, target_nodes=RedisCluster.PRIMARIES)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture
def redis_client(redis_server):
    client = client_for(redis_server.url)
    client.flushall()
    yield client
    client.flushall()
    client.close()


@pytest.fixture
def make_app(redis_server, redis_client, tmp_path):
    apps = []

    def make(**overrides):
        settings = {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "REDIS_URL": redis_server.url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            # Tests post at machine speed from one address: the abuse guards
            # are off here and switched on by the tests that check them.
            "FORM_MIN_SECONDS": 0,
            "FLOOD_SECONDS": 0,
            "SUBMIT_RATE_LIMIT": "",
        }
        settings.update(overrides)
        apps.append(create_app(settings))
        return apps[-1]

    yield make
    for app in apps:
        app.extensions["redis"].close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["sites"].get("main").store


TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"')


def form_token(page):
    """The signed form token in a rendered thread page."""
    match = TOKEN.search(page if isinstance(page, str) else page.get_data(as_text=True))
    assert match, "no form token in the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def post_comment(client):
    """POST a comment the way a browser would: fetch the form, then send it."""

    def post(thread="article-1", token=None, query="", **fields):
        if token is None:
            token = form_token(client.get(f"/threads/{thread}{query}"))
        data = {"comment": "تعليق تجريبي", "author": "نور", "email": "reader@example.com", "token": token}
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(f"/threads/{thread}{query}", data=data)

    return post


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_moderator(app):
    """Create a moderator account straight through the accounts service."""
    from moderation import accounts

    def make(name="mona", role="moderator", password=PASSWORD):
        with app.app_context():
            accounts.create_moderator(name, password, role, actor="test")
        return name

    return make


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(page):
    match = CSRF.search(page if isinstance(page, str) else page.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def log_in(client, name, password=PASSWORD, next_path=None):
    path = "/moderate/login" + (f"?next={next_path}" if next_path else "")
    token = csrf_token(client.get(path))
    return client.post(path, data={"username": name, "password": password, "csrf_token": token})


@pytest.fixture
def team(make_moderator):
    """An admin "ali" and a moderator "mona"."""
    make_moderator("ali", "admin")
    make_moderator("mona")


def logged_in(app, name):
    """A new client of ``app`` logged in as ``name``, with its CSRF token in ``client.csrf``."""
    client = app.test_client()
    assert log_in(client, name).status_code == 303
    client.csrf = csrf_token(client.get("/moderate/log"))
    return client


@pytest.fixture
def moderator_client(app, team):
    """A client logged in as moderator "mona"."""
    return logged_in(app, "mona")


def pending_count(client, site="main"):
    """How many comments the site's queue holds, read straight from Redis."""
    return int(client.get(f"cm:{{{site}}}:pending-count") or 0)


def pending_ids(client, site="main"):
    """The ids in the site's queue (the bits set in its bitmap), oldest first."""
    last_id = int(client.get(f"cm:{{{site}}}:next-id") or 0)
    with client.pipeline(transaction=False) as pipe:
        for comment_id in range(1, last_id + 1):
            pipe.getbit(f"cm:{{{site}}}:pending-ids", comment_id)
        return [i for i, waiting in zip(range(1, last_id + 1), pipe.execute(), strict=True) if waiting]
