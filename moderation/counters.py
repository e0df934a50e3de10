"""The Prometheus counters and histograms, module-level as prometheus-client wants them.

Free of Flask, so that the store can count Redis errors; ``metrics`` serves them.
"""

from prometheus_client import Counter, Histogram

SUBMISSIONS = Counter("comments_submitted_total", "Submissions by site and what became of them", ["site", "outcome"])
DECISIONS = Counter("comments_decided_total", "Comments decided by moderators, by site and action", ["site", "action"])
REDIS_ERRORS = Counter("redis_errors_total", "Redis calls that failed (down, unreachable, too slow, failing over)")
UNREPLICATED = Counter("redis_writes_unreplicated_total",
                       "Writes Redis took that fewer replicas than REDIS_MIN_REPLICAS confirmed in time")
LATENCY = Histogram("http_request_duration_seconds", "Request latency by site and route",
                    ["site", "method", "route", "status"],
                    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
