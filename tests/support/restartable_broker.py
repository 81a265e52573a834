"""A Kafka broker of a test's own, which the test may stop and start again.

The session-wide broker is shared by every test, so it is never stopped; this one is.
A restart keeps the data directory and the ports, as a real broker restart would.
"""

from __future__ import annotations

from pathlib import Path

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from devstack.kafka import KafkaBroker, install_kafka
from devstack.net import free_port
from devstack.processes import ManagedProcess


class RestartableBroker:
    def __init__(self, workdir: Path) -> None:
        self._broker = KafkaBroker(
            lib=install_kafka(),
            data_dir=workdir / "kafka",
            port=free_port(),
            controller_port=free_port(),
        )
        self._logs = workdir / "logs"
        self._process: ManagedProcess | None = None
        self._starts = 0

    @property
    def bootstrap(self) -> str:
        return self._broker.bootstrap

    def start(self) -> None:
        self._starts += 1
        self._process = self._broker.start(self._logs / f"kafka-{self._starts}.log")

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None

    def create_topic(self, name: str, partitions: int) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        admin.create_topics([NewTopic(name, partitions, 1)])[name].result(timeout=30)
