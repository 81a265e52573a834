"""Raw tick periods: which a restore reads and which retention drops (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from consumer.raw_ticks import (
    RAW_PERIOD_MS,
    periods_before,
    periods_reaching,
    raw_collection_name,
    raw_period_of,
)

NOW = 1_800_000_000_000
times = st.integers(NOW - 30 * RAW_PERIOD_MS, NOW + 30 * RAW_PERIOD_MS)
partitions = st.integers(0, 3)


def stored_periods(batches: list[tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The collections that batches (partition, largest ingest time) were written to."""
    names = {raw_collection_name(partition, ingest) for partition, ingest in batches}
    return {name: period for name in names if (period := raw_period_of(name)) is not None}


@given(partitions, times)
def test_a_name_says_its_partition_and_period(partition: int, ingest: int) -> None:
    got = raw_period_of(raw_collection_name(partition, ingest))
    assert got is not None
    assert got[0] == partition
    assert got[1] <= ingest < got[1] + RAW_PERIOD_MS


def test_other_collections_are_not_raw_periods() -> None:
    for name in ["ticks_raw", "ticks_raw_p0", "ticks_raw_px_5", "candle_buckets"]:
        assert raw_period_of(name) is None


@given(st.lists(st.tuples(partitions, times), max_size=30), st.dictionaries(partitions, times))
def test_a_restore_reads_every_period_that_holds_what_it_needs_and_no_older(
    batches: list[tuple[int, int]], since: dict[int, int]
) -> None:
    periods = stored_periods(batches)
    read = set(periods_reaching(periods, since))
    for partition, ingest in batches:
        if partition in since and ingest >= since[partition]:
            assert raw_collection_name(partition, ingest) in read
    for name in read:
        partition, start = periods[name]
        # Nothing read ends before the time asked for: the cost is the horizon, not history.
        assert start + RAW_PERIOD_MS > since[partition]


@given(st.lists(st.tuples(partitions, times), max_size=30), st.dictionaries(partitions, times))
def test_retention_drops_only_periods_wholly_before_the_cutoff(
    batches: list[tuple[int, int]], cutoffs: dict[int, int]
) -> None:
    periods = stored_periods(batches)
    dropped = set(periods_before(periods, cutoffs))
    for partition, ingest in batches:
        name = raw_collection_name(partition, ingest)
        if name in dropped:
            assert ingest < cutoffs[partition]
        elif partition in cutoffs:
            # Kept: it holds something at or after the cutoff, or shares a period with it.
            assert periods[name][1] + RAW_PERIOD_MS > cutoffs[partition]
