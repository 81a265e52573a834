"""Shared fixtures: the real servers for a session, and per-test topics, groups and databases.
First of all, the compiled services are rebuilt if their sources have changed."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings
from pymongo import MongoClient
from pymongo.database import Database
from pytest_httpserver import HTTPServer

from coinstream_common.mongo import Document
from devstack.kafka import install_kafka
from devstack.kafka_cluster import KafkaCluster
from tests.support.compiled_builds import rebuild_stale_services
from tests.support.servers import ServerAddresses, test_servers
from tests.support.topics import create_checkpoint_topic, create_tick_topics

# Now, as pytest loads this file: the conftests below it, which it loads next, import the
# compiled services already (and the test modules after them).
BUILDS = rebuild_stale_services()

# Machines are noisy: judge properties by their outcome, never by how fast inputs come.
settings.register_profile("coinstream", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("coinstream")

pytest_plugins = ["tests.support.run_plugin"]


def pytest_configure() -> None:
    if BUILDS.problem:
        raise pytest.UsageError(BUILDS.problem)


def pytest_report_header() -> list[str]:
    return [BUILDS.rebuilt] if BUILDS.rebuilt else []


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """pytest-httpserver's server, bound to 127.0.0.1 and threaded: a handler that hangs past
    the client's timeout must not hold up the retry that follows it."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerAddresses]:
    with test_servers(tmp_path_factory.mktemp("servers")) as found:
        yield found


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    """Three real brokers of their own, beside the session's single one; started only when
    a test asks for them. A test that stops or kills brokers starts them again after it
    (the `cluster` fixtures do), so the next test finds all three."""
    cluster = KafkaCluster(install_kafka(), tmp_path_factory.mktemp("kafka-cluster"))
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def faulty_cluster(kafka_cluster: KafkaCluster) -> Iterator[KafkaCluster]:
    """The session's cluster, for a test that stops or kills brokers: every broker runs
    again after it."""
    yield kafka_cluster
    kafka_cluster.restart_stopped()


@pytest.fixture(scope="session")
def kafka_bootstrap(servers: ServerAddresses) -> str:
    return servers.kafka_bootstrap


@pytest.fixture(scope="session")
def mongo_uri(servers: ServerAddresses) -> str:
    return servers.mongo_uri


@pytest.fixture(scope="session")
def mongo_client(mongo_uri: str) -> Iterator[MongoClient[Document]]:
    client: MongoClient[Document] = MongoClient(mongo_uri, tz_aware=True)
    yield client
    client.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def new_topic(kafka_bootstrap: str) -> Callable[..., str]:
    """Create a topic of its own for this test."""

    def create(partitions: int = 3) -> str:
        """A ticks topic, with its `.late` and `.dlq` side topics."""
        name = unique("test-ticks")
        create_tick_topics(kafka_bootstrap, name, partitions)
        return name

    return create


@pytest.fixture
def new_checkpoint_topic(kafka_bootstrap: str) -> Callable[[], str]:
    """Create a checkpoint topic of its own for this test, compacted, as the producer needs."""

    def create() -> str:
        name = unique("test-checkpoints")
        create_checkpoint_topic(kafka_bootstrap, name)
        return name

    return create


@pytest.fixture
def new_group() -> Callable[[], str]:
    return lambda: unique("test-group")


@pytest.fixture
def new_database(mongo_client: MongoClient[Document]) -> Iterator[Callable[[], Database[Document]]]:
    """A database of its own for this test, dropped afterwards."""
    created: list[str] = []

    def create() -> Database[Document]:
        name = unique("test").replace("-", "_")
        created.append(name)
        return mongo_client[name]

    yield create
    for name in created:
        mongo_client.drop_database(name)
