"""The pair of real servers the stack needs, started on loopback: Kafka and FerretDB."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devstack.ferretdb import FerretDB, install_ferretdb
from devstack.kafka import KafkaBroker, install_kafka
from devstack.net import free_port
from devstack.processes import ManagedProcess
from devstack.stack import Endpoints


@dataclass
class LocalServers:
    kafka: ManagedProcess
    ferretdb: ManagedProcess
    endpoints: Endpoints

    def stop(self) -> None:
        self.kafka.stop()
        self.ferretdb.stop()


def start_local_servers(
    data_dir: Path, *, kafka_port: int | None = None, mongo_port: int | None = None
) -> LocalServers:
    """Install (once, cached) and start both servers; data and logs go under `data_dir`."""
    lib, binary = install_kafka(), install_ferretdb()
    broker = KafkaBroker(
        lib=lib,
        data_dir=data_dir / "kafka",
        port=kafka_port or free_port(),
        controller_port=free_port(),
    )
    ferret = FerretDB(binary=binary, data_dir=data_dir / "ferretdb", port=mongo_port or free_port())
    ferret_process = ferret.start(data_dir / "logs" / "ferretdb.log")
    try:
        kafka_process = broker.start(data_dir / "logs" / "kafka.log")
    except BaseException:
        ferret_process.stop()
        raise
    return LocalServers(
        kafka=kafka_process,
        ferretdb=ferret_process,
        endpoints=Endpoints(kafka_bootstrap=broker.bootstrap, mongo_uri=ferret.uri),
    )
