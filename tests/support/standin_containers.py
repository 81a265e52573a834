"""testcontainers for the stand-in images (devstack/docker/standins.py): Apache Kafka for
Redpanda and FerretDB for mongo:7. Neither publishes a port: the tests reach each on its
address on the engine's bridge, which only a Linux engine offers, as the stand-ins' own."""

from __future__ import annotations

from typing import Self

from confluent_kafka.admin import AdminClient
from testcontainers.core.container import DockerContainer

from devstack.net import port_open
from tests.support.waiting import wait_until


class _BridgeContainer(DockerContainer):
    port: int

    def address(self) -> str:
        self.get_wrapped_container().reload()
        ip: str = self.get_wrapped_container().attrs["NetworkSettings"]["IPAddress"]
        return ip

    def start(self) -> Self:
        super().start()
        wait_until(
            self._ready,
            what=f"{self.image} on {self.address()}:{self.port}",
            timeout_s=90,
            interval_s=0.2,
        )
        return self

    def _ready(self) -> bool:
        return port_open(self.port, self.address())


class KafkaStandInContainer(_BridgeContainer):
    """One KRaft node, advertising its bridge address."""

    port = 9092

    def get_bootstrap_server(self) -> str:
        return f"{self.address()}:{self.port}"

    def _ready(self) -> bool:
        if not super()._ready():
            return False
        admin = AdminClient({"bootstrap.servers": self.get_bootstrap_server()})
        return len(admin.list_topics(timeout=5).brokers) == 1


class FerretDbStandInContainer(_BridgeContainer):
    """FerretDB without authentication, as MongoDbContainer's tests use mongo:7."""

    port = 27017

    def get_connection_url(self) -> str:
        return f"mongodb://{self.address()}:{self.port}/"
