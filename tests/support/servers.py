"""Which real Kafka broker and MongoDB-wire server the tests talk to.

In this order: servers named by environment variables (COINSTREAM_TEST_KAFKA and
COINSTREAM_TEST_MONGO_URI); testcontainers when a Docker engine answers, with the images
COINSTREAM_TEST_KAFKA_IMAGE and COINSTREAM_TEST_MONGO_IMAGE (Redpanda and mongo:7 unless
tools/with_docker.py stands in for them); otherwise a local Apache Kafka and FerretDB
started by devstack.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.docker.standins import (
    FERRETDB_STANDIN,
    KAFKA_STANDIN,
    MONGO_IMAGE,
    REDPANDA_IMAGE,
)
from devstack.servers import start_local_servers
from tests.support.standin_containers import FerretDbStandInContainer, KafkaStandInContainer


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


def _container(image: str, kinds: dict[str, type[Any]]) -> Any:
    """The testcontainers class that runs `image`, chosen by its repository."""
    repository = _repository(image)
    if repository not in kinds:
        raise ValueError(f"no container class for {image}; known: {sorted(kinds)}")
    return kinds[repository](image)


@contextlib.contextmanager
def _testcontainers() -> Iterator[ServerAddresses]:
    from testcontainers.community.kafka import RedpandaContainer  # noqa: PLC0415
    from testcontainers.community.mongodb import MongoDbContainer  # noqa: PLC0415

    kafka = _container(
        os.environ.get("COINSTREAM_TEST_KAFKA_IMAGE", REDPANDA_IMAGE),
        {
            _repository(REDPANDA_IMAGE): RedpandaContainer,
            _repository(KAFKA_STANDIN): KafkaStandInContainer,
        },
    )
    mongo = _container(
        os.environ.get("COINSTREAM_TEST_MONGO_IMAGE", MONGO_IMAGE),
        {
            _repository(MONGO_IMAGE): MongoDbContainer,
            _repository(FERRETDB_STANDIN): FerretDbStandInContainer,
        },
    )
    with kafka, mongo:
        yield ServerAddresses(
            kafka.get_bootstrap_server(), mongo.get_connection_url(), "testcontainers"
        )


def _repository(image: str) -> str:
    return image.rsplit(":", 1)[0]


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
