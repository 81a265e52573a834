"""A bad .env stops `docker compose up` at once, saying what is wrong."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka.admin import AdminClient

from devstack.net import LOOPBACK
from tests.support.compose_project import EXTERNAL_KAFKA, ComposeProject, docker_environment

pytestmark = [pytest.mark.docker, pytest.mark.timeout(900)]


@pytest.fixture
def project() -> Iterator[ComposeProject]:
    project = ComposeProject(f"coinstream-bad-{uuid.uuid4().hex[:8]}", docker_environment())
    try:
        yield project
    finally:
        project.run("down", "--volumes", "--remove-orphans", check=False)


def test_a_replication_factor_above_the_brokers_is_refused_before_any_topic(
    project: ComposeProject,
) -> None:
    project.env["KAFKA_REPLICATION_FACTOR"] = "3"
    output = project.fails("up", "--wait", "topics")
    assert "topics" in output
    logs = " ".join(project.run("logs", "topics").split())
    assert (
        "replication factor 3 is more than the 1 broker(s) that answer: "
        "set KAFKA_REPLICATION_FACTOR to at most 1" in logs
    )
    made = AdminClient({"bootstrap.servers": EXTERNAL_KAFKA}).list_topics(timeout=30).topics
    assert not [name for name in made if not name.startswith("_")]


def test_a_port_already_taken_is_named(project: ComposeProject) -> None:
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        project.env["API_PORT"] = str(port)
        output = project.fails("up", "--build", "--no-deps", "--wait", "api")
    assert f"{LOOPBACK}:{port}" in output
    assert "address already in use" in output or "port is already allocated" in output
