"""The moderators' rules in Redis: word lists, blocks, the link limit, trust.

One hash (``Keys.rules``), each list stored as text, one entry a line, as the
admin page edits it. A change is one MULTI/EXEC with its audit entry.
"""

from .keys import Keys
from .store import translated

FIELDS = ("blocked_words", "held_words", "max_links", "blocked_emails", "blocked_ips", "trust_after")


class RulesStore:
    def __init__(self, client, site="main", audit_max_length=1_000_000):
        self.client = client
        self.keys = Keys(site)
        self.audit_max_length = audit_max_length

    @translated
    def load(self):
        """The stored rules as text, field by field; a field never saved is missing."""
        return {name: value for name, value in zip(FIELDS, self.client.hmget(self.keys.rules, FIELDS), strict=True)
                if value is not None}

    @translated
    def save(self, values, actor, now_ms):
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self.keys.rules, mapping={name: values[name] for name in FIELDS if name in values})
        pipe.xadd(self.keys.audit, {"action": "rules_changed", "moderator": actor, "at": now_ms},
                  maxlen=self.audit_max_length, approximate=True)
        pipe.execute()
