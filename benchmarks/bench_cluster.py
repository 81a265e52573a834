"""The candle consumer's group on a real three-broker Kafka cluster: 1, 2 and 3 processes.

One topic of TICKS ticks (10 symbols over 6 hours, as the consumer's benchmark has them)
in 6 partitions, so that 1, 2 and 3 consumers each get an even share, at replication
factor 3 with min.insync.replicas 2 (the cluster profile's settings). For each count, a
new group and database; the group's rate runs from its first commit to its last (the
median of RUNS), and the CPU seconds its processes spent per million messages show the
scaling apart from the cores: on a 2-core machine that also runs the three brokers and
FerretDB, more processes cannot make more cores.
Prints `BENCH cluster consumers=<n> msgs_per_s=<n> vs_one=<r> cpu_s_per_million=<n>`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_consumer import START_MS, SYMBOLS, consumer_env  # type: ignore[import-not-found]
from support import bench_line, fill, require  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstack.net import free_port  # noqa: E402
from devstack.servers import start_local_cluster_servers  # noqa: E402
from devstack.stack import Endpoints  # noqa: E402
from devstack.topics import TopicPlan, ensure_topics  # noqa: E402
from tests.support.consumer_process import committed_lag_or_none  # noqa: E402
from tests.support.market import encoded, market_ticks  # noqa: E402

TICKS = int(os.environ.get("BENCH_CLUSTER_TICKS", "1000000"))
BROKERS, PARTITIONS, COUNTS, RUNS = 3, 6, (1, 2, 3), 3
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of a running process (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def group_run(endpoints: Endpoints, topic: str, total: int, count: int) -> tuple[float, float]:
    """(msgs/s from the group's first commit to its last, CPU seconds per million)."""
    group = f"cluster-{count}-{uuid.uuid4().hex[:8]}"
    env = consumer_env(endpoints, topic, group, f"bench_{group.replace('-', '_')}")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "consumer"],
            env=env | {"METRICS_PORT": str(free_port())},
            cwd=ROOT,
        )
        for _ in range(count)
    ]
    first: tuple[float, int] | None = None
    try:
        while True:
            lag = committed_lag_or_none(endpoints.kafka_bootstrap, group, topic)
            now = time.perf_counter()
            if lag is not None:
                done = total - lag
                if first is None and done > 0:
                    first = (now, done)
                if lag == 0:
                    break
            require(all(p.poll() is None for p in processes), "a consumer exited")
            time.sleep(0.2)
        spent = sum(cpu_s(p.pid) for p in processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    if first is None:
        raise RuntimeError("nothing was committed")
    return (total - first[1]) / (now - first[0]), spent / total * 1_000_000


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="coinstream-bench-cluster-") as data_dir:
        servers = start_local_cluster_servers(Path(data_dir), brokers=BROKERS)
        try:
            endpoints = servers.endpoints
            topic = f"bench-cluster-{uuid.uuid4().hex[:8]}"
            plan = TopicPlan(
                {topic: PARTITIONS, f"{topic}.late": 1, f"{topic}.dlq": 1},
                replication_factor=BROKERS,
                min_insync_replicas=2,
            )
            ensure_topics(endpoints.kafka_bootstrap, plan)
            ticks = market_ticks(TICKS, symbols=SYMBOLS, start_ms=START_MS, span_ms=6 * 3_600_000)
            fill(endpoints.kafka_bootstrap, topic, encoded(ticks))
            print(f"topic {topic}: {len(ticks)} messages on {BROKERS} brokers", flush=True)
            results: dict[int, list[tuple[float, float]]] = {count: [] for count in COUNTS}
            for _ in range(RUNS):  # interleaved, so that drifts in load touch every count
                for count in COUNTS:
                    results[count].append(group_run(endpoints, topic, len(ticks), count))
                    print(f"consumers={count}: {results[count][-1]}", flush=True)
        finally:
            servers.stop()
    one = statistics.median(rate for rate, _ in results[1])
    for count in COUNTS:
        rate = statistics.median(r for r, _ in results[count])
        print(
            bench_line(
                "cluster",
                consumers=count,
                msgs_per_s=round(rate),
                vs_one=rate / one,
                cpu_s_per_million=statistics.median(c for _, c in results[count]),
            )
        )


if __name__ == "__main__":
    main()
