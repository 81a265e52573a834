"""The candle consumer's group on a real three-broker Kafka cluster: 1, 2 and 3 processes.

One topic of TICKS ticks (10 symbols over 6 hours, as the consumer's benchmark has them)
in 6 partitions, so that 1, 2 and 3 consumers each get an even share, at replication
factor 3 with min.insync.replicas 2 (the cluster profile's settings). For each count, a
new group and database; the group's rate runs from its first commit to its last (the
median of RUNS), and the CPU seconds its processes spent per million messages show the
scaling apart from the cores: on a 2-core machine that also runs the three brokers and
FerretDB, more processes cannot make more cores. The CPU seconds FerretDB and the Kafka
nodes spent in the same time, per million, say which part would run out first.
Filling the topic (acks=all, so every message on three brokers) is timed too.
Prints `BENCH cluster_publish msgs_per_s=<n> kafka_cpu_s_per_million=<n>`, then for each
count `BENCH cluster consumers=<n> msgs_per_s=<n> vs_one=<r> cpu_s_per_million=<n>
database_cpu_s_per_million=<n> kafka_cpu_s_per_million=<n>`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from bench_consumer import START_MS, SYMBOLS, consumer_env  # type: ignore[import-not-found]
from support import bench_line, fill, group_rate  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstack.kafka_cluster import KafkaCluster  # noqa: E402
from devstack.net import free_port  # noqa: E402
from devstack.servers import LocalServers, start_local_cluster_servers  # noqa: E402
from devstack.topics import TopicPlan, ensure_topics  # noqa: E402
from tests.support.market import encoded, market_ticks  # noqa: E402

TICKS = int(os.environ.get("BENCH_CLUSTER_TICKS", "1000000"))
BROKERS, PARTITIONS, COUNTS, RUNS = 3, 6, (1, 2, 3), 3
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of a running process (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def kafka_cpu_s(servers: LocalServers[KafkaCluster]) -> float:
    return sum(cpu_s(pid) for pid in servers.kafka.process_ids())


@dataclass(frozen=True)
class GroupRun:
    msgs_per_s: float
    # CPU seconds per million messages: of the consumers, of FerretDB, of the Kafka nodes.
    consumers_cpu: float
    database_cpu: float
    kafka_cpu: float


def group_run(servers: LocalServers[KafkaCluster], topic: str, total: int, count: int) -> GroupRun:
    """One group of `count` consumers over the whole topic."""
    endpoints = servers.endpoints
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
    database_before = cpu_s(servers.ferretdb.pid)
    kafka_before = kafka_cpu_s(servers)
    try:
        rate = group_rate(endpoints.kafka_bootstrap, group, topic, total, processes)
        spent = sum(cpu_s(p.pid) for p in processes)
        database = cpu_s(servers.ferretdb.pid) - database_before
        kafka = kafka_cpu_s(servers) - kafka_before
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    per_million = 1_000_000 / total
    return GroupRun(
        rate,
        spent * per_million,
        database * per_million,
        kafka * per_million,
    )


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
            kafka_before = kafka_cpu_s(servers)
            began = time.perf_counter()
            fill(endpoints.kafka_bootstrap, topic, encoded(ticks))
            publish_rate = len(ticks) / (time.perf_counter() - began)
            publish_cpu = (kafka_cpu_s(servers) - kafka_before) * 1_000_000 / len(ticks)
            print(f"topic {topic}: {len(ticks)} messages on {BROKERS} brokers", flush=True)
            results: dict[int, list[GroupRun]] = {count: [] for count in COUNTS}
            for _ in range(RUNS):  # interleaved, so that drifts in load touch every count
                for count in COUNTS:
                    results[count].append(group_run(servers, topic, len(ticks), count))
                    print(f"consumers={count}: {results[count][-1]}", flush=True)
        finally:
            servers.stop()
    # Writing costs the brokers more than reading: each message goes to three replicas.
    print(
        bench_line(
            "cluster_publish",
            msgs_per_s=round(publish_rate),
            kafka_cpu_s_per_million=publish_cpu,
        )
    )
    one = statistics.median(run.msgs_per_s for run in results[1])
    for count in COUNTS:
        runs = results[count]
        rate = statistics.median(run.msgs_per_s for run in runs)
        print(
            bench_line(
                "cluster",
                consumers=count,
                msgs_per_s=round(rate),
                vs_one=rate / one,
                cpu_s_per_million=statistics.median(run.consumers_cpu for run in runs),
                database_cpu_s_per_million=statistics.median(run.database_cpu for run in runs),
                kafka_cpu_s_per_million=statistics.median(run.kafka_cpu for run in runs),
            )
        )


if __name__ == "__main__":
    main()
