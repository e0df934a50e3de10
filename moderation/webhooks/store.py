"""The webhooks' Redis side for one site; ``queue/README.md`` documents the keys.

An endpoint is a hash (``…:webhook:<id>``) listed in a sorted set by creation time (``…:webhooks``); its
delivery log is a hash of the latest deliveries by webhook-id with a sorted set that keeps their order and
their number. Adding is one MULTI with its audit entry, as the rules page does; every change that reads
first is a script in ``queue/``.
"""

import json
from dataclasses import dataclass

from ..keys import Keys
from ..models import from_ms
from ..store import load_script, translated


@dataclass(frozen=True)
class Endpoint:
    id: str
    url: str
    events: tuple[str, ...]
    secret: str
    enabled: bool
    created_at: int  # ms
    created_by: str

    @property
    def created(self):
        return from_ms(self.created_at)


class WebhookStore:
    def __init__(self, client, site="main", *, audit_max_length=1_000_000, log_length=50):
        self.client = client
        self.keys = Keys(site)
        self.audit_max_length = audit_max_length
        self.log_length = log_length
        self._state = client.register_script(load_script("webhook_state.lua"))
        self._delete = client.register_script(load_script("webhook_delete.lua"))
        self._reveal = client.register_script(load_script("webhook_reveal.lua"))
        self._log = client.register_script(load_script("webhook_log.lua"))

    @translated
    def add(self, endpoint, actor):
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self.keys.webhook(endpoint.id), mapping={
            "id": endpoint.id, "url": endpoint.url, "events": " ".join(endpoint.events), "secret": endpoint.secret,
            "enabled": "1" if endpoint.enabled else "0", "created_at": endpoint.created_at,
            "created_by": endpoint.created_by, "secret_shown": "0"})
        pipe.zadd(self.keys.webhooks, {endpoint.id: endpoint.created_at})
        pipe.xadd(self.keys.audit, {"action": "webhook_added", "moderator": actor, "at": endpoint.created_at,
                                    "webhook": endpoint.id},
                  maxlen=self.audit_max_length, approximate=True)
        pipe.execute()

    @translated
    def endpoints(self):
        """Every endpoint of the site, oldest first."""
        ids = self.client.zrange(self.keys.webhooks, 0, -1)
        if not ids:
            return []
        pipe = self.client.pipeline(transaction=False)
        for endpoint_id in ids:
            pipe.hgetall(self.keys.webhook(endpoint_id))
        return [_endpoint(fields) for fields in pipe.execute() if fields]

    @translated
    def get(self, endpoint_id):
        fields = self.client.hgetall(self.keys.webhook(endpoint_id))
        return _endpoint(fields) if fields else None

    @translated
    def reveal(self, endpoint_id):
        """The endpoint's secret the first time it is asked for; None every time after."""
        return self._reveal(keys=[self.keys.webhook(endpoint_id)]) or None

    @translated
    def set_enabled(self, endpoint_id, enabled, actor, now_ms):
        return bool(self._state(keys=[self.keys.webhook(endpoint_id), self.keys.audit],
                                args=["1" if enabled else "0", actor, now_ms, self.audit_max_length, endpoint_id]))

    @translated
    def delete(self, endpoint_id, actor, now_ms):
        k = self.keys
        return bool(self._delete(keys=[k.webhook(endpoint_id), k.webhooks, k.webhook_log(endpoint_id),
                                       k.webhook_log_order(endpoint_id), k.audit],
                                 args=[endpoint_id, actor, now_ms, self.audit_max_length]))

    @translated
    def log_attempt(self, endpoint_id, message_id, *, event, comment_id, status, error, sent, now_ms):
        """Count one attempt in the endpoint's log and the site's counts; the attempts so far (0: deleted)."""
        k = self.keys
        return int(self._log(
            keys=[k.webhook(endpoint_id), k.webhook_log(endpoint_id), k.webhook_log_order(endpoint_id),
                  k.webhooks_counts],
            args=[message_id, event, comment_id, status or "", error or "", "sent" if sent else "failed", now_ms,
                  self.log_length]))

    @translated
    def deliveries(self, endpoint_id):
        """The endpoint's latest deliveries, newest first: (webhook-id, the line: event, comment, status, error,
        outcome, attempts, at as a datetime)."""
        ids = self.client.zrevrange(self.keys.webhook_log_order(endpoint_id), 0, self.log_length - 1)
        if not ids:
            return []
        lines = self.client.hmget(self.keys.webhook_log(endpoint_id), ids)
        found = [(message_id, json.loads(line)) for message_id, line in zip(ids, lines, strict=True) if line]
        for _, line in found:
            line["at"] = from_ms(line["at"])
        return found

    @translated
    def counts(self):
        return {name: int(value) for name, value in self.client.hgetall(self.keys.webhooks_counts).items()}


def _endpoint(fields):
    return Endpoint(id=fields["id"], url=fields["url"], events=tuple(fields["events"].split()),
                    secret=fields["secret"], enabled=fields.get("enabled") == "1",
                    created_at=int(fields.get("created_at") or 0), created_by=fields.get("created_by", ""))
