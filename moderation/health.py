"""Health checks for load balancers and orchestrators."""

from flask import Blueprint

from .errors import StoreUnavailable
from .services import store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Redis answers: this process can take traffic."""
    try:
        store().ping()
    except StoreUnavailable:
        return {"status": "unavailable", "redis": "down"}, 503
    return {"status": "ok", "redis": "up"}
