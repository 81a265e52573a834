"""Which real Kafka broker and MongoDB-wire server the tests talk to.

In this order: servers named by environment variables (COINSTREAM_TEST_KAFKA and
COINSTREAM_TEST_MONGO_URI); Redpanda and mongo:7 in testcontainers when a Docker
engine answers; otherwise a local Apache Kafka and FerretDB started by devstack.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from devstack.servers import start_local_servers

REDPANDA_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v25.2.4"
MONGO_IMAGE = "mongo:7.0.14"


@dataclass(frozen=True)
class ServerAddresses:
    kafka_bootstrap: str
    mongo_uri: str
    origin: str  # "environment", "testcontainers" or "local"


def docker_available() -> bool:
    try:
        import docker  # noqa: PLC0415 - only needed when choosing servers

        docker.from_env(timeout=3).ping()
    except Exception:  # noqa: BLE001 - any failure means: no usable engine
        return False
    return True


@contextlib.contextmanager
def _testcontainers() -> Iterator[ServerAddresses]:
    from testcontainers.community.kafka import RedpandaContainer  # noqa: PLC0415
    from testcontainers.community.mongodb import MongoDbContainer  # noqa: PLC0415

    with RedpandaContainer(REDPANDA_IMAGE) as redpanda, MongoDbContainer(MONGO_IMAGE) as mongo:
        yield ServerAddresses(
            redpanda.get_bootstrap_server(), mongo.get_connection_url(), "testcontainers"
        )


@contextlib.contextmanager
def _local(data_dir: Path) -> Iterator[ServerAddresses]:
    servers = start_local_servers(data_dir)
    try:
        yield ServerAddresses(
            servers.endpoints.kafka_bootstrap, servers.endpoints.mongo_uri, "local"
        )
    finally:
        servers.stop()


@contextlib.contextmanager
def test_servers(data_dir: Path) -> Iterator[ServerAddresses]:
    kafka, mongo = (
        os.environ.get("COINSTREAM_TEST_KAFKA"),
        os.environ.get("COINSTREAM_TEST_MONGO_URI"),
    )
    if kafka and mongo:
        yield ServerAddresses(kafka, mongo, "environment")
    elif docker_available():
        with _testcontainers() as servers:
            yield servers
    else:
        with _local(data_dir) as servers:
            yield servers
