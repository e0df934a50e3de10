"""What the webhooks page does, in plain values: the views call these, never the store."""

import logging
import secrets
import time

from flask import current_app

from .. import sites
from . import EVENTS, addresses, signing
from .store import Endpoint

logger = logging.getLogger(__name__)


def now_ms():
    return int(time.time() * 1000)


def endpoints():
    return sites.current().webhooks.endpoints()


def endpoint(endpoint_id):
    return sites.current().webhooks.get(endpoint_id)


def add(url, events, actor):
    """A new endpoint, switched on, with a new secret; its id. RefusedAddress when the URL may not be called
    (its host is resolved now)."""
    addresses.resolve(url, allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE"])
    created = Endpoint(id=secrets.token_hex(8), url=url, events=tuple(e for e in EVENTS if e in events),
                       secret=signing.new_secret(), enabled=True, created_at=now_ms(), created_by=actor)
    sites.current().webhooks.add(created, actor)
    # Not the URL: some receivers take a token in it.
    logger.info("webhook endpoint %s added by %r", created.id, actor)
    return created.id


def reveal_secret(endpoint_id):
    """The new endpoint's secret, the first time only; None after."""
    return sites.current().webhooks.reveal(endpoint_id)


def set_enabled(endpoint_id, enabled, actor):
    return sites.current().webhooks.set_enabled(endpoint_id, enabled, actor, now_ms())


def delete(endpoint_id, actor):
    return sites.current().webhooks.delete(endpoint_id, actor, now_ms())


def deliveries(endpoint_id):
    return sites.current().webhooks.deliveries(endpoint_id)
