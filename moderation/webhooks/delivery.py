"""The worker's part: each event of a chosen type becomes one signed POST to each endpoint, sent once.

A message is named by the event that caused it (the first event's id when an admin sent a dead letter
back) and the endpoint: that name is its ``webhook-id``, the same on every attempt, and its idempotency
key, set once the endpoint answered 2xx and before the event is acknowledged. A worker killed in between
sends that message again, with the same ``webhook-id``, and never drops it (RELIABILITY.md).

An answer other than 2xx (a redirect too: it is not followed), a timeout or a refused address is a
failure: logged for the endpoint, then raised for the worker, which retries the event with backoff and
after its limit keeps it as a dead letter. Endpoints that took the message already are not sent it again.
"""

import logging
import time
from urllib.parse import quote

import certifi
import urllib3
from flask import current_app

from ..notify import mail
from ..notify.links import public_url
from ..notify.store import id_ms
from . import EVENTS, addresses, payload, signing

logger = logging.getLogger(__name__)

USER_AGENT = "comment-moderation-webhooks/1"


class DeliveryFailed(mail.DeliveryFailed):
    """An endpoint did not take the message (not 2xx, no answer in time, refused address); tried again later.

    A kind of the worker's DeliveryFailed, so that the worker's retries and dead letters take it as they are.
    """

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def message_id(site_key, origin, endpoint_id):
    # Letters, digits, _ and -: never a ".", which separates the parts of what is signed.
    return f"msg_{site_key}_{origin}_{endpoint_id}"


def deliver(site, origin, fields):
    """Send the event ``fields`` (``origin``: the id that names its messages) to each endpoint that chose
    its type and has not taken it yet; DeliveryFailed after trying them all when one did not."""
    kind = fields.get("type")
    if kind not in EVENTS:
        return
    wanted = [e for e in site.webhooks.endpoints() if e.enabled and kind in e.events]
    if not wanted:
        return
    comment = site.store.get(int(fields["id"]))
    thread = comment.thread if comment is not None else fields.get("thread", "")
    body = payload.message(site.key, fields, comment, event_ms=id_ms(origin),
                           thread_url=public_url(f"/threads/{quote(thread, safe='')}", site))
    config = current_app.config
    failures = []
    for endpoint in wanted:
        key = f"webhook:{origin}:{endpoint.id}"
        if site.notify.was_sent(key):
            continue  # taken before a crash, or before another endpoint of this event failed
        msg_id = message_id(site.key, origin, endpoint.id)
        status, error = None, None
        try:
            target = addresses.resolve(endpoint.url, allow_private=config["WEBHOOKS_ALLOW_PRIVATE"])
            status = post(target, body, signing.headers(endpoint.secret, msg_id, int(time.time()), body),
                          timeout=config["WEBHOOKS_TIMEOUT_SECONDS"])
        except addresses.RefusedAddress as refused:
            error = DeliveryFailed(f"address refused ({refused})")
        except DeliveryFailed as failed:
            status, error = failed.status, failed
        if error is None:
            site.notify.mark_sent(key)
        else:
            failures.append(error)
            logger.warning("site %s: webhook %s: message %s failed: %s", site.key, endpoint.id, msg_id, error)
        site.webhooks.log_attempt(endpoint.id, msg_id, event=kind, comment_id=fields["id"], status=status,
                                  error=str(error) if error else None, sent=error is None,
                                  now_ms=int(time.time() * 1000))
    if failures:
        raise failures[0]


def post(target, body, headers, *, timeout):
    """POST ``body`` to ``target`` at the address checked; the 2xx status, or DeliveryFailed."""
    options = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        # Connected to the checked address, the certificate is still checked against the URL's host name.
        pool = urllib3.HTTPSConnectionPool(target.address, target.port, server_hostname=target.host,
                                           assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                                           ca_certs=certifi.where(), **options)
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
    headers = {"Host": target.host_header, "Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
    try:
        with pool:
            # redirect=False: a 3xx comes back as it is, and counts as a failure (the URL should be updated).
            response = pool.urlopen("POST", target.path, body=body, headers=headers, redirect=False,
                                    retries=False, preload_content=False, assert_same_host=False)
            status = response.status
            response.close()  # the receiver's answer is not read: a large one costs nothing
    except urllib3.exceptions.TimeoutError as error:
        raise DeliveryFailed(f"no answer within {timeout:g} s") from error
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}"[:300]) from error
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else ""),
                             status=status)
    return status
