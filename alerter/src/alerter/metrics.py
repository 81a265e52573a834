"""The alerter's Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

TICKS_READ = Counter("alerter_messages_read", "Messages read from the ticks topic")
TICKS_INVALID = Counter("alerter_ticks_invalid", "Messages that are not a valid tick")
EVENTS = Counter("alerter_events", "Alerts raised (active) and resolved", ["state"])
FLUSH_SECONDS = Histogram(
    "alerter_flush_seconds",
    "Time to store events, publish them and commit",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBHOOK_POSTS = Counter("alerter_webhook_posts", "Webhook POSTs by outcome", ["outcome"])
INDEX_QUOTES = Counter("alerter_index_quotes", "Index ticks published")
INDEX_EXCLUDED = Counter(
    "alerter_index_excluded", "Index quotes a source was left out of as an outlier", ["source"]
)
