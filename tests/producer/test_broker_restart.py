"""The broker stops mid-run and starts again: every tick arrives, and none twice.

Uses a broker of its own (the session's broker is shared and must stay up). While the
broker is away the producer keeps polling into its buffer; the idempotent Kafka client
retries with the same sequence numbers, so nothing is lost or written twice.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from producer.recorder import RecordingSource, TickRecorder
from producer.sources.simulated import SimulatedSource
from tests.support.producer_run import ProducerRun
from tests.support.restartable_broker import RestartableBroker
from tests.support.topics import create_checkpoint_topic, read_ticks

pytestmark = pytest.mark.integration


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RestartableBroker]:
    own = RestartableBroker(tmp_path / "broker")
    own.start()
    try:
        yield own
    finally:
        own.stop()


async def test_every_tick_arrives_once_across_a_broker_restart(
    broker: RestartableBroker, tmp_path: Path
) -> None:
    broker.create_topic("ticks", 3)
    create_checkpoint_topic(broker.bootstrap, "checkpoints")
    # What the source handed to the producer is recorded, to compare with what arrived.
    recorder = TickRecorder(tmp_path / "handed-over.jsonl")
    market = SimulatedSource(
        ["BTC-USD", "ETH-USD", "SOL-USD"], seed=11, trades_per_second=100, poll_interval_s=0.05
    )
    run = ProducerRun(broker.bootstrap, "ticks", "checkpoints")
    running = run.start([RecordingSource(market, recorder)])
    await asyncio.sleep(2)  # the market runs, and ticks arrive, before the broker goes
    await asyncio.to_thread(broker.stop)
    await asyncio.sleep(4)  # the market goes on; the producer buffers
    buffered = run.publisher.depth
    await asyncio.to_thread(broker.start)
    await asyncio.sleep(2)  # the market runs on while the buffer drains
    run.stop.set()
    await running
    recorder.close()

    handed_over = [json.loads(line)["event_id"] for line in (tmp_path / "handed-over.jsonl").open()]
    arrived = [t.event_id for t in await asyncio.to_thread(read_ticks, broker.bootstrap, "ticks")]
    assert buffered > 500  # the outage really held ticks back
    assert len(arrived) == len(set(arrived))  # none twice
    assert sorted(arrived) == sorted(handed_over)  # every one
