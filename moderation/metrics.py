"""What an operator watches: Prometheus metrics and one JSON log line per request.

The counters themselves are in ``counters`` (the store counts Redis errors
and must not import Flask). Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``gunicorn.conf.py``)
makes every worker write its samples to files that ``/metrics`` adds up.
Labels are route templates and fixed words, never a path a reader chose.
"""

import json
import logging
import os
import time

from flask import Blueprint, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from . import buckets, sites
from .counters import LATENCY
from .errors import StoreUnavailable
from .webhooks.metrics import Deliveries as WebhookDeliveries

access_log = logging.getLogger("moderation.access")


bp = Blueprint("metrics", __name__)


class QueueDepth:
    """Read at scrape time: how many comments wait on each site, and how many are set aside as spam."""

    def __init__(self, every_site):
        self.sites = every_site

    def collect(self):
        gauge = GaugeMetricFamily("comments_waiting", "Comments waiting, by site and list", labels=["site", "list"])
        for site in self.sites:
            try:
                gauge.add_metric([site.key, "queue"], site.store.pending_count())
                gauge.add_metric([site.key, "spam"], site.store.spam_count())
            except StoreUnavailable:
                continue  # the other sites and metrics still answer; redis_errors_total counts this
        yield gauge


class Worker:
    """Read at scrape time from Redis, so they hold for every worker on every host: the worker's backlog
    and lag per site, what it sent, failed, retried and gave up on, and the dead letters waiting."""

    OUTCOMES = ("sent", "failed", "retried", "dead")

    def __init__(self, every_site):
        self.sites = every_site

    def collect(self):
        depth = GaugeMetricFamily("worker_events_waiting", "Events the worker has not acknowledged", labels=["site"])
        lag = GaugeMetricFamily("worker_lag_seconds", "Age of the oldest event not acknowledged", labels=["site"])
        dead = GaugeMetricFamily("worker_dead_letters", "Events given up on, waiting for an admin", labels=["site"])
        messages = CounterMetricFamily("worker_messages", "Messages and attempts of the worker, by outcome",
                                       labels=["site", "outcome"])
        for site in self.sites:
            try:
                waiting, age = site.notify.backlog()
                counts = site.notify.counts()
                letters = site.notify.dead_count()
            except StoreUnavailable:
                continue
            depth.add_metric([site.key], waiting)
            lag.add_metric([site.key], age)
            dead.add_metric([site.key], letters)
            for outcome in self.OUTCOMES:
                messages.add_metric([site.key, outcome], counts.get(outcome, 0))
        yield from (depth, lag, dead, messages)


class Dashboard:
    """The dashboard's counts since the start, read at scrape time from what the scripts count
    (queue/lib/stats.lua): the time to a decision, what the door caught, what slipped through or was
    rescued, the rules that fired, the decisions of each moderator."""

    def __init__(self, every_site):
        self.sites = every_site

    def collect(self):
        waits = HistogramMetricFamily("comments_time_to_decision_seconds",
                                      "Time from submission to a moderator's decision", labels=["site"])
        caught = CounterMetricFamily("comments_caught", "Comments the door set aside as spam, by what caught them",
                                     labels=["site", "by"])
        missed = CounterMetricFamily("comments_spam_missed", "Spam the door let in (rejected as spam) and false "
                                     "alarms (rescued from the spam list)", labels=["site", "kind"])
        rules = CounterMetricFamily("comments_rule_fired", "Comments a rule fired on", labels=["site", "rule"])
        decisions = CounterMetricFamily("comments_moderator_decisions", "Decisions of each moderator, by action",
                                        labels=["site", "moderator", "action"])
        for site in self.sites:
            try:
                totals = site.stats.totals()
            except StoreUnavailable:
                continue
            cumulative, below = [], 0
            for bound, name in zip((*buckets.WAIT_BOUNDS, "+Inf"), buckets.WAIT_FIELDS, strict=True):
                below += totals.get(name, 0)
                cumulative.append((str(bound), below))
            waits.add_metric([site.key], cumulative, totals.get("wait_ms", 0) / 1000)
            missed.add_metric([site.key, "slipped"], totals.get("slipped", 0))
            missed.add_metric([site.key, "rescued"], totals.get("rescued", 0))
            for name, count in totals.items():
                kind, _, rest = name.partition(":")
                if kind == "caught":
                    caught.add_metric([site.key, rest], count)
                elif kind == "rule":
                    rules.add_metric([site.key, rest], count)
                elif kind == "by":
                    action, _, moderator = rest.partition(":")
                    decisions.add_metric([site.key, moderator, action], count)
        yield from (waits, caught, missed, rules, decisions)


@bp.get("/metrics")
def metrics():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        workers = CollectorRegistry()
        multiprocess.MultiProcessCollector(workers)
        body = generate_latest(workers)
    else:
        body = generate_latest(REGISTRY)
    depth = CollectorRegistry()
    depth.register(QueueDepth(sites.every()))
    depth.register(Worker(sites.every()))
    depth.register(Dashboard(sites.every()))
    depth.register(WebhookDeliveries(sites.every()))
    return Response(body + generate_latest(depth), mimetype=CONTENT_TYPE_LATEST)


def start_timer():
    g.started = time.perf_counter()


def record(response):
    started = g.pop("started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule else "(none)"
    site = g.get("site")
    site = site.key if site is not None else "-"
    labels = (site, request.method, route, response.status_code)
    histogram = LATENCIES.get(labels)
    if histogram is None:  # labels() checks and locks on every call: once per distinct label set here
        histogram = LATENCIES[labels] = LATENCY.labels(site, request.method, route, str(response.status_code))
    histogram.observe(seconds)
    access_log.info(json.dumps({"site": site, "method": request.method, "route": route,
                                "status": response.status_code, "ms": round(seconds * 1000, 2)}))
    return response


# The latency histogram of each label set seen: a few dozen (sites, routes, statuses), never a reader's path.
LATENCIES = {}


def init_app(app):
    app.before_request(start_timer)
    app.after_request(record)
    app.register_blueprint(bp)
    if not app.testing and not access_log.handlers:
        # Exactly one JSON object a line, whatever the root logger's format.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
