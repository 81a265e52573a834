"""The writer's ordering rules, with a store that blocks or fails on demand.

The Mongo side of writes is tested against the real server elsewhere (the outage, crash
and scaling tests); here only the threading is, so the store is a stand-in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import cast

import pytest
from confluent_kafka import Consumer, Producer
from pymongo.errors import AutoReconnect

from consumer.series import SeriesFlush
from consumer.side_outputs import SideOutputs
from consumer.state import SeriesSnapshot
from consumer.storage import ConsumerStore
from consumer.writer import FlushJob, FlushWriter

# Nothing listens here: the clients are built but never reach a broker.
NOWHERE = "127.0.0.1:9"


class GatedStore:
    def __init__(self) -> None:
        self.gate = threading.Event()
        self.fail = False
        self.written: list[list[int]] = []

    def write(self, flushes: Sequence[SeriesFlush]) -> None:
        self.gate.wait(10)
        if self.fail:
            raise AutoReconnect("the server went away")
        self.written.append([f.snapshot.partition for f in flushes])


def flush_of(partition: int) -> SeriesFlush:
    return SeriesFlush([], [], SeriesSnapshot.empty("simulated", "BTC-USD", partition), None)


def busy(writer: FlushWriter) -> bool:
    return writer.busy  # a call, so that mypy does not keep narrowing across collects


def failed(writer: FlushWriter) -> FlushJob | None:
    return writer.failed


@pytest.fixture
def store() -> GatedStore:
    return GatedStore()


@pytest.fixture
def writer(store: GatedStore) -> Iterator[FlushWriter]:
    consumer = Consumer({"bootstrap.servers": NOWHERE, "group.id": "writer-test"})
    side = SideOutputs(
        Producer({"bootstrap.servers": NOWHERE}), late_topic="late", dead_letter_topic="dlq"
    )
    writer = FlushWriter(consumer, cast("ConsumerStore", store), side)
    yield writer
    store.gate.set()
    writer.close()
    consumer.close()


def test_one_write_in_flight_at_most(writer: FlushWriter, store: GatedStore) -> None:
    writer.submit(FlushJob([flush_of(0)], {}, 0.0))
    assert busy(writer)
    with pytest.raises(RuntimeError, match="only once the last one is written"):
        writer.submit(FlushJob([flush_of(1)], {}, 0.0))
    writer.collect({}, wait=False)
    assert busy(writer), "collecting without waiting leaves an unfinished write alone"
    store.gate.set()
    writer.collect({}, wait=True)
    assert not busy(writer)
    writer.submit(FlushJob([flush_of(1)], {}, 0.0))
    writer.collect({}, wait=True)
    assert store.written == [[0], [1]]


def test_a_failed_write_is_kept_for_retry_and_blocks_the_next(
    writer: FlushWriter, store: GatedStore
) -> None:
    store.fail = True
    store.gate.set()
    writer.submit(FlushJob([flush_of(0), flush_of(1)], {}, 0.0))
    writer.collect({}, wait=True)
    job = failed(writer)
    assert job is not None
    with pytest.raises(RuntimeError):
        writer.submit(FlushJob([flush_of(2)], {}, 0.0))
    writer.drop({0})
    assert [f.snapshot.partition for f in job.flushes] == [1]
    store.fail = False
    writer.retry({})
    assert failed(writer) is None
    assert store.written == [[1]]
