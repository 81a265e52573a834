"""The alerter's throughput beside the bare consume loop, and its alert latency.

Throughput: one topic of TICKS ticks (10 symbols over 6 hours, as the consumer's
benchmark has them) is read by
  (a) the ceiling: the bare confluent-kafka loop of support.py (median of 3 runs);
  (b) `python -m alerter` with a price_move and a price_cross rule on every series,
      storing its alerts in the Mongo server; its rate runs from its first commit to its
      last (median of 3 runs).
Latency: at 1,000 ticks/s, a price that crosses a price_cross rule's level twice a
second (up, then back); the time from producing the crossing tick to its alert's
document in Mongo, read by polling every 10 ms.
Prints `BENCH alerts ticks_per_s=<n> ceiling_msgs_per_s=<n> vs_ceiling=<r>
alert_latency_p50_ms=<n> alert_latency_p99_ms=<n> alerts=<n>`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from pymongo import MongoClient
from support import (  # type: ignore[import-not-found]
    bench_line,
    bench_servers,
    ceiling,
    fill,
    group_rate,
    percentile,
    require,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coinstream_common.alerts import ALERTS_COLLECTION  # noqa: E402
from coinstream_common.settings import KafkaSettings  # noqa: E402
from coinstream_common.ticks import encode_tick, make_tick, now_ms, trade_event_id  # noqa: E402
from devstack.net import free_port  # noqa: E402
from devstack.stack import Endpoints  # noqa: E402
from tests.support.market import encoded, market_ticks  # noqa: E402
from tests.support.topics import create_tick_topics, create_topic  # noqa: E402

TICKS = int(os.environ.get("BENCH_ALERTS_TICKS", "1000000"))
SYMBOLS = [f"B{i}-USD" for i in range(10)]
START_MS = 1_711_353_600_000
RUNS = 3
RATE, SECONDS, CROSSINGS_PER_S = 1_000, 20, 2
THROUGHPUT_RULES = """
rules:
  - {name: move, kind: price_move, change_pct: 0.5, window_minutes: 5, cooldown_s: 60}
  - {name: cross, kind: price_cross, level: 66000, direction: up, cooldown_s: 60}
"""
LATENCY_RULES = """
rules:
  - {name: cross, kind: price_cross, symbol: LAT-USD, level: 110, direction: up,
     hysteresis_pct: 1, cooldown_s: 0}
"""


def start_alerter(
    endpoints: Endpoints, topic: str, rules: str, work: Path
) -> tuple[subprocess.Popen[bytes], str, str]:
    group = f"alerter-{uuid.uuid4().hex[:8]}"
    database = f"bench_{group.replace('-', '_')}"
    rules_file = work / f"{group}.yml"
    rules_file.write_text(rules)
    create_topic(endpoints.kafka_bootstrap, f"{topic}.{group}")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(Path.home()),
        "KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap,
        "KAFKA_TICKS_TOPIC": topic,
        "MONGO_URI": endpoints.mongo_uri,
        "MONGO_DATABASE": database,
        "ALERT_RULES_FILE": str(rules_file),
        "ALERT_GROUP_ID": group,
        "ALERT_TOPIC": f"{topic}.{group}",
        "METRICS_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen([sys.executable, "-m", "alerter"], env=env, cwd=ROOT)
    return process, group, database


def ours(endpoints: Endpoints, topic: str, total: int, work: Path) -> tuple[float, int]:
    """(msgs/s from first to last commit, alerts stored)."""
    process, group, database = start_alerter(endpoints, topic, THROUGHPUT_RULES, work)
    try:
        rate = group_rate(endpoints.kafka_bootstrap, group, topic, total, [process])
    finally:
        process.terminate()
        process.wait(30)
    alerts = MongoClient[dict[str, Any]](endpoints.mongo_uri)[database][ALERTS_COLLECTION]
    return rate, alerts.count_documents({})


def latency(endpoints: Endpoints, work: Path) -> list[float]:
    topic = f"bench-alert-latency-{uuid.uuid4().hex[:8]}"
    create_tick_topics(endpoints.kafka_bootstrap, topic, 1)
    process, _, database = start_alerter(endpoints, topic, LATENCY_RULES, work)
    alerts = MongoClient[dict[str, Any]](endpoints.mongo_uri)[database][ALERTS_COLLECTION]
    producer = Producer(
        KafkaSettings(bootstrap_servers=endpoints.kafka_bootstrap).client_config()
        | {"enable.idempotence": True, "acks": "all", "linger.ms": 5}
    )
    sent: dict[int, float] = {}  # event time of each crossing tick: when it was produced

    def send(index: int, price: float) -> int:
        moment = now_ms()
        tick = make_tick(
            event_id=trade_event_id("simulated", "LAT-USD", index),
            source="simulated",
            symbol="LAT-USD",
            kind="trade",
            price=price,
            size=1.0,
            event_time=moment,
            ingest_time=moment,
        )
        producer.produce(topic, key=b"LAT-USD", value=encode_tick(tick))
        producer.poll(0)
        return moment

    try:
        # Warm-up: the alerter has joined once this crossing's alert is stored.
        send(0, 100.0)
        send(1, 111.0)
        deadline = time.monotonic() + 60
        while alerts.count_documents({}) < 1:
            require(time.monotonic() < deadline, "no warm-up alert")
            require(process.poll() is None, "the alerter exited")
            time.sleep(0.1)
        done = threading.Event()

        def produce() -> None:
            every = RATE // CROSSINGS_PER_S
            begin = time.perf_counter()
            for i in range(RATE * SECONDS):
                delay = begin + i / RATE - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                crossing = i % every == every - 1
                moment = send(i + 2, 111.0 if crossing else 100.0)
                if crossing:
                    sent[moment] = time.time()
            producer.flush(30)
            done.set()

        thread = threading.Thread(target=produce)
        thread.start()
        latencies: dict[int, float] = {}
        deadline = time.monotonic() + SECONDS + 60
        while len(latencies) < RATE * SECONDS // (RATE // CROSSINGS_PER_S):
            require(time.monotonic() < deadline, f"alerts missing: {len(latencies)} seen")
            now = time.time()
            for row in alerts.find({}, {"raised_at": 1}):
                raised = round(row["raised_at"].timestamp() * 1000)
                if raised in sent and raised not in latencies:
                    latencies[raised] = (now - sent[raised]) * 1000
            time.sleep(0.01)
        thread.join()
        return list(latencies.values())
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    with bench_servers() as endpoints, tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        bootstrap = endpoints.kafka_bootstrap
        topic = f"bench-alerts-{uuid.uuid4().hex[:8]}"
        create_tick_topics(bootstrap, topic, 3)
        ticks = market_ticks(TICKS, symbols=SYMBOLS, start_ms=START_MS, span_ms=6 * 3_600_000)
        fill(bootstrap, topic, encoded(ticks))
        print(f"topic {topic}: {len(ticks)} messages", flush=True)
        ceilings = [ceiling(bootstrap, topic, len(ticks)) for _ in range(RUNS)]
        print(f"ceiling runs (msgs/s): {[round(c) for c in ceilings]}", flush=True)
        runs = [ours(endpoints, topic, len(ticks), work) for _ in range(RUNS)]
        print(f"alerter runs (msgs/s, alerts): {[(round(r), n) for r, n in runs]}", flush=True)
        require(len({n for _, n in runs}) == 1, "the runs raised different alerts")
        latencies = latency(endpoints, work)
    rate, ceiling_rate = statistics.median(r for r, _ in runs), statistics.median(ceilings)
    print(
        bench_line(
            "alerts",
            ticks_per_s=round(rate),
            ceiling_msgs_per_s=round(ceiling_rate),
            vs_ceiling=rate / ceiling_rate,
            alert_latency_p50_ms=round(percentile(latencies, 50)),
            alert_latency_p99_ms=round(percentile(latencies, 99)),
            alerts=runs[0][1],
        )
    )


if __name__ == "__main__":
    main()
