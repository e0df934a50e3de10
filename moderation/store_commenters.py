"""One commenter's data in Redis: found by address, handed over, erased; and addresses forgotten with age.

There is no index of every comment by address (it would cost every pending
comment about 50 bytes): a commenter's comments are found by reading the
address of every comment, a thousand per round trip, which is what an
erasure request, a rare admin act, can afford. The erasure itself is a
background job (``store_erasures.py``, ``erase.lua``), a batch at a time.
"""

from .keys import Keys, ascii_lower
from .store import load_script, translated

SCAN_BATCH = 1000


class CommenterStore:
    def __init__(self, client, site="main", audit_max_length=1_000_000):
        self.client = client
        self.keys = Keys(site)
        self.audit_max_length = audit_max_length
        self._forget = client.register_script(load_script("forget_addresses.lua"))

    @translated
    def comment_ids(self, email):
        """The ids of every comment that carries ``email`` (compared as the keys do), oldest first."""
        wanted = ascii_lower(email)
        last = int(self.client.get(self.keys.next_id) or 0)
        found = []
        for start in range(1, last + 1, SCAN_BATCH):
            ids = range(start, min(start + SCAN_BATCH, last + 1))
            pipe = self.client.pipeline(transaction=False)
            for comment_id in ids:
                pipe.hget(self.keys.comment(comment_id), "email")
            found += [i for i, address in zip(ids, pipe.execute(), strict=True)
                      if address and ascii_lower(address) == wanted]
        return found

    @translated
    def raw(self, comment_ids):
        """Each comment's hash as Redis holds it, in the order given; missing ones left out."""
        pipe = self.client.pipeline(transaction=False)
        for comment_id in comment_ids:
            pipe.hgetall(self.keys.comment(comment_id))
        return [fields for fields in pipe.execute() if fields]

    @translated
    def audit(self, action, actor, now_ms, fields):
        self.client.xadd(self.keys.audit, {"action": action, "moderator": actor, "at": now_ms, **fields},
                         maxlen=self.audit_max_length, approximate=True)

    @translated
    def forget_addresses(self, cutoff_ms, batch=500):
        """Clear IP and user agent of every comment decided at or before ``cutoff_ms``; returns how many looked at."""
        looked, reached_before = 0, None
        while True:
            taken, reached = self._forget(keys=[self.keys.decided, self.keys.addresses_forgotten_until],
                                          args=[self.keys.comment_prefix, cutoff_ms, batch])
            looked += taken
            if taken < batch:
                return looked
            if reached == reached_before:
                batch *= 2  # a whole batch decided in one millisecond: take more at once to get past it
            reached_before = reached
