"""The server's Prometheus metrics: requests and latency by endpoint, status and model version."""

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Telemetry:
    def __init__(self) -> None:
        # A registry of its own: two servers in one process (tests) never share counts.
        self.registry = CollectorRegistry()
        labels = ["endpoint", "status", "model_version"]
        self.requests = Counter("serve_requests", "Requests answered", labels, registry=self.registry)
        self.latency = Histogram(
            "serve_request_duration_seconds",
            "Time to answer a request",
            labels,
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )

    def record(self, endpoint: str, status: int, model_version: str, seconds: float) -> None:
        values = (endpoint, str(status), model_version)
        self.requests.labels(*values).inc()
        self.latency.labels(*values).observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)
