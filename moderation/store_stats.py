"""The dashboard's counts in Redis, read back: the scripts write them (``queue/lib/stats.lua``).

Reading costs a round trip of one command per bucket, whatever the number of comments: a day of hours
and a month of days are 54 hashes.
"""

from .keys import Keys
from .store import translated


class StatsStore:
    def __init__(self, client, site="main"):
        self.client = client
        self.keys = Keys(site)

    @translated
    def read(self, hours, days):
        """The buckets of ``hours`` (hour numbers) and ``days`` (YYYY-MM-DD), as dicts of ints, and the
        queue's depth now."""
        k = self.keys
        pipe = self.client.pipeline(transaction=False)
        for hour in hours:
            pipe.hgetall(k.stats_hour(hour))
        for day in days:
            pipe.hgetall(k.stats_day(day))
        pipe.get(k.pending_count)
        *found, depth = pipe.execute()
        found = [{field: int(value) for field, value in bucket.items()} for bucket in found]
        return found[:len(hours)], found[len(hours):], int(depth or 0)

    @translated
    def busiest(self, days, size=10):
        """The threads that took the most comments over ``days``: [(thread, comments)], most first."""
        keys = [self.keys.stats_day_threads(day) for day in days]
        ranked = self.client.zunion(keys, withscores=True)
        ranked.sort(key=lambda pair: (-pair[1], pair[0]))
        return [(thread, int(count)) for thread, count in ranked[:size]]

    @translated
    def totals(self):
        """Every count since the start (the fields of the buckets, without the depths), for /metrics."""
        return {field: int(value) for field, value in self.client.hgetall(self.keys.stats_total).items()}
