"""The pair of real servers the stack needs, started on loopback: Kafka and FerretDB.

Kafka is one broker, or a KafkaCluster of several (`make run CLUSTER=3`); either way the
stack sees a bootstrap address and stops it with `stop()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from devstack.ferretdb import FerretDB, install_ferretdb
from devstack.kafka import KafkaBroker, install_kafka
from devstack.kafka_cluster import KafkaCluster
from devstack.net import free_port
from devstack.processes import ManagedProcess
from devstack.stack import Endpoints


class Stoppable(Protocol):
    def stop(self) -> object: ...


KafkaT_co = TypeVar("KafkaT_co", bound=Stoppable, covariant=True)


@dataclass(frozen=True)
class LocalServers(Generic[KafkaT_co]):
    kafka: KafkaT_co
    ferretdb: ManagedProcess
    endpoints: Endpoints

    def stop(self) -> None:
        self.kafka.stop()
        self.ferretdb.stop()


def start_local_servers(
    data_dir: Path, *, kafka_port: int | None = None, mongo_port: int | None = None
) -> LocalServers[ManagedProcess]:
    """Install (once, cached) and start both servers; data and logs go under `data_dir`."""
    broker = KafkaBroker(
        lib=install_kafka(),
        data_dir=data_dir / "kafka",
        port=kafka_port or free_port(),
        controller_port=free_port(),
    )

    def start_kafka() -> tuple[ManagedProcess, str]:
        return broker.start(data_dir / "logs" / "kafka.log"), broker.bootstrap

    return _beside_ferretdb(data_dir, mongo_port, start_kafka)


def start_local_cluster_servers(
    data_dir: Path,
    *,
    brokers: int,
    kafka_ports: list[int] | None = None,
    mongo_port: int | None = None,
) -> LocalServers[KafkaCluster]:
    """FerretDB and a cluster of `brokers` Kafka brokers; data and logs under `data_dir`."""
    cluster = KafkaCluster(
        install_kafka(), data_dir / "kafka-cluster", size=brokers, ports=kafka_ports
    )

    def start_kafka() -> tuple[KafkaCluster, str]:
        cluster.start()
        return cluster, cluster.bootstrap

    return _beside_ferretdb(data_dir, mongo_port, start_kafka)


def _beside_ferretdb(
    data_dir: Path, mongo_port: int | None, start_kafka: Callable[[], tuple[KafkaT_co, str]]
) -> LocalServers[KafkaT_co]:
    ferret = FerretDB(
        binary=install_ferretdb(), data_dir=data_dir / "ferretdb", port=mongo_port or free_port()
    )
    ferret_process = ferret.start(data_dir / "logs" / "ferretdb.log")
    try:
        kafka, bootstrap = start_kafka()
    except BaseException:
        ferret_process.stop()
        raise
    return LocalServers(
        kafka=kafka,
        ferretdb=ferret_process,
        endpoints=Endpoints(kafka_bootstrap=bootstrap, mongo_uri=ferret.uri),
    )
