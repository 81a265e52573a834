"""A series' dedup memory handed over by a stop: its encoding, and when a restore uses it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.intervals import Interval
from consumer import handover
from consumer.handover import DedupHandover, decode_handover, encode_handover, handed_over
from consumer.series import Series
from consumer.state import SeriesSnapshot
from tests.support.folding import DEDUP, aggregator, feed
from tests.support.ticks import T0, trade

ids_by_bucket = st.dictionaries(
    st.integers(min_value=0, max_value=2**40),
    st.frozensets(st.text(min_size=1, max_size=60), max_size=30),
    max_size=3,
)


@given(st.integers(min_value=0, max_value=2**62), ids_by_bucket)
def test_a_handover_reads_back_as_written(position: int, ids: dict[int, frozenset[str]]) -> None:
    encoded = encode_handover(DedupHandover(position, ids))
    assert encoded is not None
    decoded = decode_handover(encoded)
    assert decoded.position == position
    assert {b: set(i) for b, i in decoded.ids.items()} == ids


def test_a_handover_too_large_to_store_is_not_written(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = {0: [f"coinbase:BTC-USD:trade:{n}" for n in range(1_000)]}
    assert encode_handover(DedupHandover(5, ids)) is not None
    monkeypatch.setattr(handover, "MAX_HANDOVER_BYTES", 100)
    assert encode_handover(DedupHandover(5, ids)) is None


def snapshot(symbol: str, given_over: DedupHandover | None) -> SeriesSnapshot:
    return SeriesSnapshot("simulated", symbol, 0, 9, 0, 0, 0, 9, handover=given_over)


def test_a_partition_uses_handovers_only_if_all_its_series_handed_over_where_it_reads() -> None:
    at_10 = DedupHandover(10, {0: ["a"]})
    both = [snapshot("BTC-USD", at_10), snapshot("ETH-USD", at_10)]
    assert handed_over(both, 10)
    assert not handed_over(both, 9)  # the stop's commit failed: the replay starts before
    assert not handed_over(both, 11)  # a later run committed further
    assert not handed_over([snapshot("BTC-USD", at_10), snapshot("ETH-USD", None)], 10)
    assert not handed_over([], 10)


def test_a_series_hands_over_the_ids_of_its_horizon_and_knows_them_once_restored() -> None:
    agg = aggregator((Interval.M1,))
    first = trade(100.0, T0 + 1_000, event_id="x:BTC-USD:trade:1")
    second = trade(101.0, T0 + DEDUP + 1_000, event_id="x:BTC-USD:trade:2")
    feed(agg, first, 0)
    series = feed(agg, second, 1)
    [flush] = agg.drain(hold=False, handover={0: 2})
    given_over = flush.snapshot.handover
    assert given_over is not None
    assert given_over.position == 2
    assert {b: set(i) for b, i in given_over.ids.items()} == {
        first.ingest_time // DEDUP: {first.event_id},
        second.ingest_time // DEDUP: {second.event_id},
    }

    restored = Series.restored(flush.snapshot, [], {}, agg.rules, given_over.ids)
    assert restored.apply(first, 2, b"{}").duplicate  # re-sent after the stop
    assert restored.apply(second, 3, b"{}").duplicate
    assert not restored.apply(trade(102.0, T0 + DEDUP + 2_000), 4, b"{}").duplicate
    assert series.snapshot().handover is None  # only a stop or revoke's snapshot has one
