"""The webhook deliveries for ``/metrics``: read at scrape time from Redis, as the worker's own counts are,
so that they hold for every worker on every host."""

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from ..errors import StoreUnavailable


class Deliveries:
    OUTCOMES = ("sent", "failed")

    def __init__(self, every_site):
        self.sites = every_site

    def collect(self):
        attempts = CounterMetricFamily("webhook_deliveries", "Webhook delivery attempts, by site and outcome",
                                       labels=["site", "outcome"])
        endpoints = GaugeMetricFamily("webhook_endpoints", "Webhook endpoints switched on", labels=["site"])
        for site in self.sites:
            try:
                counts = site.webhooks.counts()
                enabled = sum(endpoint.enabled for endpoint in site.webhooks.endpoints())
            except StoreUnavailable:
                continue  # the other sites and metrics still answer; redis_errors_total counts this
            for outcome in self.OUTCOMES:
                attempts.add_metric([site.key, outcome], counts.get(outcome, 0))
            endpoints.add_metric([site.key], enabled)
        yield from (attempts, endpoints)
