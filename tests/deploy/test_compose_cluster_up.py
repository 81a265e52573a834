"""docker-compose.cluster.yml brought up for real, as far as stand-ins go: three brokers,
three consumers and two APIs serve, and a killed broker container loses nothing.

Where Redpanda and mongo:7 are stood in for, one FerretDB replaces the MongoDB replica set
(tools/standins/compose.standins.cluster.yml; docs/cluster.md says what that leaves
unproved). The process-based three-broker tests (tests/*/test_*cluster*, the
faulty_cluster fixture) stay the test of broker faults under load.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial

import httpx
import pytest

from tests.support.compose_checks import assert_no_tick_lost_or_counted_twice
from tests.support.compose_project import (
    CLUSTER_COMPOSE,
    EXTERNAL_KAFKA,
    ComposeProject,
    compose_files,
    docker_environment,
)
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.timeout(1200)]
# The file's published ports: the two API replicas, and the three brokers' external listeners.
APIS = ("http://127.0.0.1:8000", "http://127.0.0.1:8001")


@pytest.fixture(scope="module")
def cluster() -> Iterator[ComposeProject]:
    env = docker_environment() | {"PRODUCER_SOURCES": "simulated"}
    project = ComposeProject(
        f"coinstream-cluster-{uuid.uuid4().hex[:8]}", env, compose_files(CLUSTER_COMPOSE)
    )
    try:
        project.run("up", "--build", "--wait")
        yield project
    finally:
        project.run("down", "--volumes", "--remove-orphans", check=False)
    assert project.leftovers() == {"containers": [], "networks": [], "volumes": []}


def test_three_brokers_three_consumers_and_two_apis_serve(cluster: ComposeProject) -> None:
    running = [c for c in cluster.containers() if c["State"] == "running"]
    replicas = {name: sum(c["Service"] == name for c in running) for name in ("consumer", "api")}
    assert replicas == {"consumer": 3, "api": 2}
    brokers = {c["Service"] for c in running if c["Service"].startswith("redpanda")}
    assert brokers == {"redpanda", "redpanda-2", "redpanda-3"}
    assert all(c["Health"] == "healthy" for c in running), running
    for api in APIS:
        wait_until(partial(serves_candles, api), timeout_s=60, what=f"{api} to serve")


def serves_candles(api: str) -> bool:
    return bool(httpx.get(f"{api}/v1/symbols", timeout=5).json()["symbols"])


def test_a_killed_broker_container_loses_nothing(cluster: ComposeProject) -> None:
    killed_at = datetime.now(UTC)
    cluster.run("kill", "redpanda-2")
    try:
        assert_no_tick_lost_or_counted_twice(APIS[0], EXTERNAL_KAFKA, killed_at)
    finally:
        cluster.run("up", "--wait", "redpanda-2")
