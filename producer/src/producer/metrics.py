"""Prometheus metrics of the producer. Label values are bounded: source names and short reasons."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

POLLS = Counter("producer_polls", "Source polls by outcome", ["source", "outcome"])
REQUESTS = Counter("producer_http_requests", "HTTP attempts by outcome", ["source", "outcome"])
REQUEST_LATENCY = Histogram(
    "producer_http_request_seconds", "Time per HTTP attempt, failed ones too", ["source"]
)
SOURCE_LATENCY = Histogram("producer_source_latency_seconds", "Time per source poll", ["source"])
RATE_LIMIT_WAITS = Counter(
    "producer_rate_limit_waits", "Requests held back before being sent", ["source", "reason"]
)
RATE_LIMIT_WAIT_SECONDS = Counter(
    "producer_rate_limit_wait_seconds", "Time requests were held back", ["source", "reason"]
)
CIRCUIT_OPEN = Gauge(
    "producer_circuit_open", "1 while a source's circuit breaker is open", ["source"]
)

TICKS_PUBLISHED = Counter("producer_ticks_published", "Ticks handed to Kafka", ["source"])
TICKS_BACKFILLED = Counter(
    "producer_ticks_backfilled", "Backfill ticks handed to Kafka", ["source"]
)
TICKS_DELIVERED = Counter("producer_ticks_delivered", "Ticks acknowledged by the broker")
TICKS_REJECTED = Counter(
    "producer_ticks_rejected", "Ticks that failed validation", ["source", "field"]
)
TICKS_DROPPED = Counter(
    "producer_ticks_dropped", "Valid ticks that did not fit in the buffer", ["source"]
)
DELIVERY_FAILURES = Counter(
    "producer_delivery_failures", "Deliveries the broker did not acknowledge (then re-sent)"
)
BUFFER_DEPTH = Gauge("producer_buffer_depth", "Ticks waiting for the broker's acknowledgement")
CHECKPOINTS_SAVED = Counter(
    "producer_checkpoints_saved", "Cursor and backfill checkpoints written", ["source"]
)
