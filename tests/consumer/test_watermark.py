"""The watermark: event time less the lateness, run on by idleness, never back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from consumer.state import NEVER
from consumer.watermark import Watermark
from tests.support.ticks import T0

LATENESS = 5_000
IDLE = 10_000


def watermark() -> Watermark:
    return Watermark(LATENESS, IDLE)


# (ingest time step, event time offset): ticks read no further apart than the idle timeout.
busy_ticks = st.lists(
    st.tuples(st.integers(0, IDLE - 1), st.integers(-LATENESS, 60_000)), min_size=1, max_size=50
)


@given(busy_ticks)
def test_a_busy_series_trails_its_largest_event_time_by_the_lateness(
    ticks: list[tuple[int, int]],
) -> None:
    mark, ingest, marks = watermark(), T0, []
    for step, event_offset in ticks:
        ingest += step
        mark.ingested(ingest)
        mark.saw_event(ingest + event_offset)
        marks.append(mark.at)
    largest = max(T0 + sum(s for s, _ in ticks[: i + 1]) + e for i, (_, e) in enumerate(ticks))
    assert mark.max_event_time == largest
    assert mark.at == largest - LATENESS
    assert marks == sorted(marks)  # it never goes back


def test_an_idle_series_runs_on_with_its_partitions_log_clock() -> None:
    mark = watermark()
    mark.ingested(T0)
    mark.saw_event(T0 - 100)
    mark.clock.read(T0 + IDLE - 1)  # another series of the partition read on
    mark.advance_idle()
    assert mark.at == T0 - 100 - LATENESS  # not idle yet
    mark.clock.read(T0 + IDLE + 500)
    mark.advance_idle()
    assert mark.at == T0 - 100 + IDLE + 500 - LATENESS


def test_idleness_is_judged_before_the_tick_that_ends_it() -> None:
    mark = watermark()
    mark.ingested(T0)
    mark.saw_event(T0)
    mark.ingested(T0 + IDLE)  # the first tick after the idle timeout
    assert mark.at == T0 + IDLE - LATENESS
    assert (mark.max_ingest_time, mark.idle_ms()) == (T0 + IDLE, 0)


def test_no_event_time_no_watermark_however_idle() -> None:
    mark = watermark()
    mark.ingested(T0)  # history or duplicates only: no live event time seen
    mark.clock.read(T0 + 10 * IDLE)
    mark.advance_idle()
    assert mark.at == NEVER


def test_neither_an_event_time_nor_idleness_lowers_it() -> None:
    restored = T0 + IDLE + 1  # as a snapshot left it
    mark = Watermark(LATENESS, IDLE, at=restored, max_event_time=T0 + LATENESS, max_ingest_time=T0)
    mark.clock.read(T0 + IDLE)
    mark.advance_idle()  # idle: T0 + IDLE by itself
    assert mark.at == restored
    mark.saw_event(T0 + LATENESS + 1)  # a new largest event time: T0 + 1 by itself
    assert (mark.max_event_time, mark.at) == (T0 + LATENESS + 1, restored)
