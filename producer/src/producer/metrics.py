"""Prometheus metrics of the producer."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

POLLS = Counter("producer_polls", "Source polls by outcome", ["source", "outcome"])
TICKS_PUBLISHED = Counter("producer_ticks_published", "Ticks handed to Kafka", ["source"])
TICKS_DELIVERED = Counter("producer_ticks_delivered", "Ticks acknowledged by the broker")
TICKS_REJECTED = Counter(
    "producer_ticks_rejected", "Ticks that failed validation", ["source", "field"]
)
DELIVERY_FAILURES = Counter("producer_delivery_failures", "Ticks the broker did not acknowledge")
SOURCE_LATENCY = Histogram("producer_source_latency_seconds", "Time per source poll", ["source"])
BUFFER_DEPTH = Gauge("producer_buffer_depth", "Messages waiting in the Kafka client's queue")
