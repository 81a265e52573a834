"""A Kafka broker of a test's own, which the test may stop and start again.

The session-wide broker is shared by every test, so it is never stopped; this one is.
A restart keeps the data directory and the ports, as a real broker restart would.
devstack's KafkaBroker.start formats the storage with a new cluster id each time, which
an already formatted directory refuses ("Invalid cluster.id"), so a restart launches the
broker process alone, with the command devstack uses.
"""

from __future__ import annotations

import os
from pathlib import Path

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from devstack.kafka import KafkaBroker, install_kafka
from devstack.net import free_port, wait_until
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
        log_path = self._logs / f"kafka-{self._starts}.log"
        if self._starts == 1:
            self._process = self._broker.start(log_path)
            return
        broker = self._broker
        process = ManagedProcess(
            "kafka",
            [
                "java",
                "-cp",
                f"{broker.lib}/*",
                broker.heap,
                f"-Dlog4j.configuration=file:{broker.lib.parent / 'log4j.properties'}",
                "kafka.Kafka",
                str(broker.data_dir / "server.properties"),
            ],
            env={"PATH": os.environ["PATH"], "HOME": str(Path.home())},
            cwd=broker.data_dir,
            log_path=log_path,
        )
        self._process = process

        def started() -> bool:
            if not process.alive():
                raise RuntimeError(f"Kafka exited early:\n{process.tail()}")
            return "Kafka Server started" in log_path.read_text(errors="replace")

        wait_until(started, 90, f"Kafka to restart on {self.bootstrap}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None

    def create_topic(self, name: str, partitions: int) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        admin.create_topics([NewTopic(name, partitions, 1)])[name].result(timeout=30)
