"""The dedup memory: ids of the current and the previous dedup bucket, and restored ones."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from consumer.dedup import DedupMemory, dedup_since
from tests.support.ticks import T0

WINDOW = 600_000


def test_the_horizon_starts_at_the_bucket_before_the_largest_ingest_times() -> None:
    assert dedup_since(3 * WINDOW + 5, WINDOW) == 2 * WINDOW
    assert dedup_since(3 * WINDOW, WINDOW) == 2 * WINDOW


@given(
    st.integers(0, 3 * WINDOW),
    st.integers(0, 3 * WINDOW),
    st.integers(-WINDOW, 0),
)
def test_an_id_is_a_duplicate_while_its_bucket_is_the_newest_or_the_one_before(
    first_at: int, later_by: int, resent_back: int
) -> None:
    memory = DedupMemory(WINDOW)
    assert not memory.is_duplicate("a", 0, T0 + first_at)
    assert not memory.is_duplicate("b", 1, T0 + first_at + later_by)
    # Re-sent with any ingest time: the largest so far decides what is remembered.
    resent_at = T0 + first_at + later_by + resent_back
    duplicate = memory.is_duplicate("a", 2, resent_at)
    newest = (T0 + first_at + later_by) // WINDOW
    assert duplicate == ((T0 + first_at) // WINDOW >= newest - 1)
    assert set(memory.buckets) <= {newest, newest - 1}


def test_an_id_older_than_the_previous_bucket_is_not_recorded() -> None:
    memory = DedupMemory(WINDOW)
    assert not memory.is_duplicate("new", 0, T0 + 2 * WINDOW)
    assert not memory.is_duplicate("old", 1, T0)  # two buckets back: forgotten at once
    assert not memory.is_duplicate("old", 2, T0)


def test_a_restored_id_is_a_duplicate_only_at_another_offset() -> None:
    memory = DedupMemory(WINDOW)
    memory.restore({"a": (7, T0), "b": (9, T0 + 1)}, {T0 // WINDOW: ["c"]}, T0 + 1)
    assert not memory.is_duplicate("a", 7, T0 + 2)  # the replay meets its own id
    assert memory.is_duplicate("a", 8, T0 + 2)
    assert memory.is_duplicate("c", 10, T0 + 2)  # handed over: no offset to replay
    memory.replayed_through(8)
    assert memory.restored_offsets == {"a": 7, "b": 9}  # "b" is still to be replayed
    memory.replayed_through(10)
    assert memory.restored_offsets == {}


def test_a_restore_keeps_only_the_horizon_of_its_largest_ingest_time() -> None:
    memory = DedupMemory(WINDOW)
    old, kept = T0 // WINDOW - 2, T0 // WINDOW - 1
    memory.restore({}, {old: ["gone"], kept: ["kept"]}, T0)
    assert memory.buckets == {kept: {"kept"}, kept + 1: set()}
    assert memory.is_duplicate("kept", 0, T0)


def test_a_handover_copies_the_ids_of_buckets_that_hold_any() -> None:
    memory = DedupMemory(WINDOW)
    memory.is_duplicate("a", 0, T0)
    ids = memory.handover_ids()
    assert ids == {T0 // WINDOW: ("a",)}
    memory.is_duplicate("b", 1, T0)
    assert ids == {T0 // WINDOW: ("a",)}
