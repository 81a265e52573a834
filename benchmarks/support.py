"""What benchmarks share: the servers to run against, filling a topic, the bare-consume
ceiling that consumers of the ticks topic are measured against, and robust statistics."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson
from confluent_kafka import Consumer, Producer

from coinstream_common.settings import KafkaSettings
from consumer.clients import consumer_config
from consumer.settings import ConsumerSettings
from devstack.servers import start_local_servers
from devstack.stack import Endpoints


@contextlib.contextmanager
def bench_servers() -> Iterator[Endpoints]:
    """Servers named by the environment, or a fresh local Kafka and FerretDB."""
    kafka, mongo = (
        os.environ.get("COINSTREAM_TEST_KAFKA"),
        os.environ.get("COINSTREAM_TEST_MONGO_URI"),
    )
    if kafka and mongo:
        yield Endpoints(kafka, mongo)
        return
    with tempfile.TemporaryDirectory(prefix="coinstream-bench-") as data_dir:
        servers = start_local_servers(Path(data_dir))
        try:
            yield servers.endpoints
        finally:
            servers.stop()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return (
        statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]
        if len(ordered) > 1
        else ordered[0]
    )


def require(condition: object, message: str) -> None:
    """A benchmark that measured something other than what it claims must fail loudly."""
    if not condition:
        raise RuntimeError(message)


def bench_line(name: str, **values: float | int | str) -> str:
    def show(value: float | int | str) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    return " ".join([f"BENCH {name}", *(f"{k}={show(v)}" for k, v in values.items())])


def fill(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 50,
            "batch.size": 1_000_000,
            "queue.buffering.max.messages": 2_000_000,
        }
    )
    for key, value in messages:
        producer.produce(topic, key=key, value=value)
        producer.poll(0)
    require(producer.flush(120) == 0, "the topic was not filled")


def ceiling(bootstrap: str, topic: str, total: int) -> float:
    """A bare confluent-kafka loop that decodes each message (orjson) and does nothing
    else, with the candle consumer's client settings: msgs/s after its first batch."""
    settings = ConsumerSettings(group_id=f"ceiling-{uuid.uuid4().hex[:8]}")
    consumer = Consumer(consumer_config(KafkaSettings(bootstrap_servers=bootstrap), settings))
    consumer.subscribe([topic])
    count, first_batch, started = 0, 0, 0.0
    try:
        while count < total:
            messages = consumer.consume(settings.batch_size, timeout=1.0)
            if messages and not started:
                started, first_batch = time.perf_counter(), len(messages)
            for message in messages:
                # An end-of-partition event (enable.partition.eof) is no tick.
                if message.error() is None:
                    orjson.loads(message.value() or b"")
                    count += 1
        return (total - first_batch) / (time.perf_counter() - started)
    finally:
        consumer.close()


def group_rate(
    bootstrap: str,
    group: str,
    topic: str,
    total: int,
    processes: Sequence[subprocess.Popen[bytes]],
) -> float:
    """Msgs/s of a consumer group over a topic of `total` messages: from its first commit to
    the one that leaves no lag. Fails if one of its processes exits."""
    # The benchmark puts the repository on the path before it calls this; support is
    # imported before that.
    from tests.support.consumer_process import committed_lag_or_none  # noqa: PLC0415

    first: tuple[float, int] | None = None
    while True:
        lag = committed_lag_or_none(bootstrap, group, topic)
        now = time.perf_counter()
        if lag is not None:
            done = total - lag
            if first is None and done > 0:
                first = (now, done)
            if lag == 0:
                break
        require(all(p.poll() is None for p in processes), "a process of the group exited")
        time.sleep(0.2)
    if first is None:
        raise RuntimeError("nothing was committed")
    if first[1] == total:
        raise RuntimeError("the group read the whole topic by its first commit: too few to time")
    return (total - first[1]) / (now - first[0])
