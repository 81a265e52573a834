"""Raw tick retention: how far back buckets are kept, and what the settings allow."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from consumer.app import retention_cutoff
from consumer.settings import ConsumerSettings

HOUR = 3_600_000
NOW = 1_800_000_000_000


def test_retention_counts_back_from_the_newest_ingest_time() -> None:
    ingested_long_ago = NOW - 400 * 24 * HOUR
    assert retention_cutoff(NOW, ingested_long_ago, 168 * HOUR) == ingested_long_ago - 168 * HOUR


def test_retention_never_counts_back_from_later_than_now() -> None:
    assert retention_cutoff(NOW, NOW + 5 * HOUR, 168 * HOUR) == NOW - 168 * HOUR


def test_retention_must_cover_the_dedup_window() -> None:
    with pytest.raises(ValidationError, match="cover dedup_window_ms"):
        ConsumerSettings(raw_retention_hours=0.1, dedup_window_ms=10 * 60_000)
    assert ConsumerSettings(raw_retention_hours=0.2).raw_retention_hours == 0.2
