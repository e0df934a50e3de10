"""Health checks for load balancers and orchestrators."""

from flask import Blueprint

from . import services, sites

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Redis answers: this process can take traffic.

    Each site's Redis (on a cluster, its shard) is asked. While one shard
    fails over, the sites on the others are still served, so the process
    stays ready as long as one site's Redis answers; the body says which.
    """
    answers = {site.key: "up" if services.redis_answers(site) else "down" for site in sites.every()}
    up = "up" in answers.values()
    body = {"status": "ok" if up else "unavailable", "redis": "up" if up else "down"}
    if len(answers) > 1:
        body["sites"] = answers
    return body, 200 if up else 503
