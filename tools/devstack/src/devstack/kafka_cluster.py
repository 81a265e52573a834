"""Several real Kafka brokers on loopback, from the one cached install: a replicated cluster.

Brokers 1..N and one controller-only node (id 0), each a process of its own with its own
data directory, all formatted with one cluster id. The controller sits apart from the
brokers on purpose: tests take up to two of three brokers down, and with combined roles
that would take the metadata quorum down too, so a broker could no longer leave a
partition's ISR and `min.insync.replicas` would never be what refuses a write.

The broker-level settings are those of a replicated production cluster, scaled down:
the offsets and transaction topics on every broker with two in sync, and a dead broker
fenced after 3 s instead of 9 s, so tests wait less for leaders to move.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from devstack.kafka import KafkaBroker, formatted_cluster_id, new_cluster_id
from devstack.net import LOOPBACK, free_port, wait_until
from devstack.processes import ManagedProcess

CONTROLLER_ID = 0
# Four JVMs beside the stack on two cores: one GC thread each, and no C2 compiler, whose
# compile threads made a broker restart under load take 30 s instead of 10.
LIGHT_JVM = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
log = logging.getLogger(__name__)


class KafkaCluster:
    def __init__(
        self,
        lib: Path,
        data_dir: Path,
        *,
        size: int = 3,
        ports: list[int] | None = None,
        heap: str = "-Xmx384m",
    ) -> None:
        if size < 2:
            raise ValueError(f"a cluster has at least 2 brokers, not {size}")
        ports = ports or [free_port() for _ in range(size)]
        controller_dir = data_dir / "controller"
        cluster_id = formatted_cluster_id(controller_dir) or new_cluster_id()
        controller_port = free_port()
        quorum = f"{CONTROLLER_ID}@{LOOPBACK}:{controller_port}"
        min_insync = str(min(2, size))
        self.controller = KafkaBroker(
            data_dir=controller_dir,
            port=0,
            controller_port=controller_port,
            heap="-Xmx256m",
            jvm_flags=LIGHT_JVM,
            node_id=CONTROLLER_ID,
            roles="controller",
            # The controller fences a broker whose heartbeats stop for this long.
            overrides={"broker.session.timeout.ms": "3000"},
            lib=lib,
            cluster_id=cluster_id,
            quorum=quorum,
        )
        self.brokers = {
            node_id: KafkaBroker(
                data_dir=data_dir / f"broker-{node_id}",
                port=port,
                controller_port=controller_port,
                heap=heap,
                jvm_flags=LIGHT_JVM,
                node_id=node_id,
                roles="broker",
                overrides={
                    "offsets.topic.replication.factor": str(size),
                    "transaction.state.log.replication.factor": str(size),
                    "transaction.state.log.min.isr": min_insync,
                    # The default of topics without their own, the offsets topic among them.
                    "min.insync.replicas": min_insync,
                    "broker.heartbeat.interval.ms": "500",
                },
                lib=lib,
                cluster_id=cluster_id,
                quorum=quorum,
            )
            for node_id, port in enumerate(ports, start=1)
        }
        self._log_dir = data_dir / "logs"
        self._processes: dict[int, ManagedProcess] = {}
        self._starts: dict[int, int] = {}
        self._admin: AdminClient | None = None

    @property
    def bootstrap(self) -> str:
        return ",".join(broker.bootstrap for broker in self.brokers.values())

    def start(self, timeout_s: float = 120.0) -> None:
        """Start every node together (each waits for the controller), then wait until every
        broker has registered."""
        try:
            for node_id in [CONTROLLER_ID, *self.brokers]:
                self._processes[node_id] = self._node(node_id).launch(self._next_log(node_id))
            for node_id, process in self._processes.items():
                self._node(node_id).wait_started(process, timeout_s)
            self.wait_registered(len(self.brokers), timeout_s)
        except BaseException:
            self.stop()
            raise

    def kill(self, node_id: int) -> None:
        """SIGKILL one broker: no shutdown, no leadership handed over."""
        process = self._processes.pop(node_id)
        process.signal(signal.SIGKILL)
        process.stop()

    def stop_brokers(self, *node_ids: int) -> list[int]:
        """Stop brokers gracefully (SIGTERM), all at once; returns their exit statuses."""
        processes = [self._processes.pop(node_id) for node_id in node_ids]
        for process in processes:
            process.signal(signal.SIGTERM)
        return [process.stop() for process in processes]

    def restart(self, *node_ids: int, timeout_s: float = 90.0) -> None:
        """Start stopped or killed brokers again, all at once, on their data directories
        and ports, and wait until each has registered again."""
        if running := set(node_ids) & set(self._processes):
            raise RuntimeError(f"brokers {sorted(running)} are running")
        for node_id in node_ids:
            self._processes[node_id] = self.brokers[node_id].launch(self._next_log(node_id))
        for node_id in node_ids:
            self.brokers[node_id].wait_started(self._processes[node_id], timeout_s)
        self.wait_registered(self.running_brokers(), timeout_s)

    def restart_stopped(self, timeout_s: float = 90.0) -> None:
        """Start again every broker that is stopped or killed."""
        stopped = [node_id for node_id in self.brokers if node_id not in self._processes]
        if stopped:
            self.restart(*stopped, timeout_s=timeout_s)

    def process_ids(self) -> list[int]:
        """Of every running node, the controller's too: for CPU accounting."""
        return [process.pid for process in self._processes.values()]

    def running_brokers(self) -> int:
        return sum(1 for node_id in self._processes if node_id != CONTROLLER_ID)

    def registered_brokers(self) -> int:
        """Brokers the cluster's metadata names, as a client sees them."""
        if self._admin is None:
            # librdkafka's complaints about a stopped broker go to logging, not stderr.
            config: dict[str, Any] = {"bootstrap.servers": self.bootstrap, "logger": log}
            self._admin = AdminClient(config)
        try:
            return len(self._admin.list_topics(timeout=10).brokers)
        except KafkaException:
            return 0  # none answered yet

    def wait_registered(self, count: int, timeout_s: float) -> None:
        wait_until(
            lambda: self.registered_brokers() == count, timeout_s, f"{count} registered brokers"
        )

    def stop(self) -> None:
        for node_id in reversed(list(self._processes)):
            self._processes.pop(node_id).stop()

    def _node(self, node_id: int) -> KafkaBroker:
        return self.controller if node_id == CONTROLLER_ID else self.brokers[node_id]

    def _next_log(self, node_id: int) -> Path:
        """A log per start, so the log of a killed broker is kept."""
        self._starts[node_id] = self._starts.get(node_id, 0) + 1
        name = "controller" if node_id == CONTROLLER_ID else f"broker-{node_id}"
        return self._log_dir / f"kafka-{name}.{self._starts[node_id]}.log"
