"""Producer throughput: ticks/s published from the replay source through our code, beside
a bare confluent-kafka produce loop of the same messages in the same run (the ceiling).

Ours reads the JSONL recording, validates every tick, publishes its line idempotently with
acks=all and tracks its delivery for checkpoints; the ceiling produces the same keys and
values with the same client settings and nothing else. Each side runs REPEATS times,
interleaved, into a fresh topic; medians are reported. Prints one line:
BENCH producer ours_msgs_per_s=<n> ceiling_msgs_per_s=<n> vs_ceiling=<ratio>
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic
from support import bench_line, bench_servers, require  # type: ignore[import-not-found]

from coinstream_common.settings import KafkaSettings
from coinstream_common.ticks import encode_tick
from producer.clock import SystemClock
from producer.feed import Feed, Outlet
from producer.progress import CursorTracker
from producer.publisher import TickPublisher, producer_config
from producer.sources.replay import ReplaySource
from producer.sources.simulated import SimulatedSource

TICKS = 500_000
REPEATS = 5
START_MS = 1_711_353_600_000
DELIVERY_INTERVAL_S = 0.1  # as the producer serves delivery reports
# How often the end of the recording is looked for: a run lasts about a second, which the
# delivery interval would overstate by up to a tenth.
END_CHECK_S = 0.005
PARTITIONS = 3


def record(path: Path) -> list[tuple[bytes, bytes]]:
    """A recording of TICKS simulated trades; returns the (key, value) messages it holds."""
    market = SimulatedSource(
        ["BTC-USD", "ETH-USD", "SOL-USD"],
        seed=1,
        trades_per_second=100,
        poll_interval_s=1,
        clock=lambda: START_MS,
    )
    # 300 trades/s in all: a little more time than TICKS need, then exactly TICKS of them.
    ticks = market.trades_until(START_MS + TICKS * 1000 // 300 * 11 // 10).ticks[:TICKS]
    messages = [(t.symbol.encode(), encode_tick(t)) for t in ticks]
    path.write_bytes(b"".join(value + b"\n" for _, value in messages))
    return messages


def new_topic(bootstrap: str) -> str:
    name = f"bench-producer-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, PARTITIONS, 1)])[name].result(timeout=30)
    return name


def messages_in(bootstrap: str, topic: str) -> int:
    """What the topic holds: each side must have published every tick it is timed for."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{topic}-count"})
    try:
        return sum(
            consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=30)[1]
            for partition in range(PARTITIONS)
        )
    finally:
        consumer.close()


def ceiling(bootstrap: str, messages: list[tuple[bytes, bytes]]) -> float:
    topic = new_topic(bootstrap)
    producer = Producer(producer_config(KafkaSettings(bootstrap_servers=bootstrap)))
    started = time.perf_counter()
    for key, value in messages:
        while True:
            try:
                producer.produce(topic, key=key, value=value)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    if producer.flush(120):
        raise RuntimeError("the bare loop left messages undelivered")
    rate = len(messages) / (time.perf_counter() - started)
    require(messages_in(bootstrap, topic) == len(messages), "the bare loop lost messages")
    return rate


async def serve_deliveries(publisher: TickPublisher) -> None:
    """As the producer's delivery loop does."""
    while True:
        publisher.serve_deliveries()
        await asyncio.sleep(DELIVERY_INTERVAL_S)


async def ours(bootstrap: str, path: Path) -> float:
    topic = new_topic(bootstrap)
    kafka = KafkaSettings(bootstrap_servers=bootstrap)
    publisher = TickPublisher(Producer(producer_config(kafka)), topic)
    replay = ReplaySource(path, speed=0, batch_size=5000, clock=SystemClock())
    feed = Feed(replay, Outlet(publisher, CursorTracker({})), backfill_ms=0, clock=SystemClock())
    await feed.start()
    started = time.perf_counter()
    running = asyncio.create_task(feed.run())
    serving = asyncio.create_task(serve_deliveries(publisher))
    while not replay.exhausted:
        await asyncio.sleep(END_CHECK_S)
    running.cancel()
    serving.cancel()
    if publisher.flush(120):
        raise RuntimeError("the producer left ticks undelivered")
    rate = TICKS / (time.perf_counter() - started)
    require(messages_in(bootstrap, topic) == TICKS, "the producer did not publish every tick")
    return rate


def main() -> int:
    with bench_servers() as endpoints, tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "ticks.jsonl"
        messages = record(path)
        if len(messages) != TICKS:
            raise RuntimeError(f"recorded {len(messages)} ticks, wanted {TICKS}")
        ours_rates, ceiling_rates = [], []
        for _ in range(REPEATS):
            ceiling_rates.append(ceiling(endpoints.kafka_bootstrap, messages))
            ours_rates.append(asyncio.run(ours(endpoints.kafka_bootstrap, path)))
    print(f"ceiling runs (msgs/s): {[round(r) for r in ceiling_rates]}", flush=True)
    print(f"producer runs (msgs/s): {[round(r) for r in ours_rates]}", flush=True)
    ours_median, ceiling_median = statistics.median(ours_rates), statistics.median(ceiling_rates)
    print(
        bench_line(
            "producer",
            ours_msgs_per_s=round(ours_median),
            ceiling_msgs_per_s=round(ceiling_median),
            vs_ceiling=ours_median / ceiling_median,
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
