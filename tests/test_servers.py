"""Where an engine answers, the integration tests run on testcontainers, so that path is
exercised by every `make test` and cannot rot unseen."""

from __future__ import annotations

import pytest

from tests.support.compose_project import docker_environment
from tests.support.servers import ServerAddresses


@pytest.mark.integration
@pytest.mark.docker
def test_the_servers_are_testcontainers_where_an_engine_answers(servers: ServerAddresses) -> None:
    docker_environment()
    assert servers.origin == "testcontainers"
