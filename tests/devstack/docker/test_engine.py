"""Where no engine can be had, the reason says what to do."""

from __future__ import annotations

import pytest

from devstack.docker.engine import HOW_TO_RUN, EngineUnavailable, install_debian_packages
from tests.support.compose_project import docker_environment


def test_without_root_nothing_is_installed_and_the_reason_says_how_to_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(EngineUnavailable) as unavailable:
        install_debian_packages(["docker.io"])
    assert "docker.io cannot be installed here" in str(unavailable.value)
    assert HOW_TO_RUN in str(unavailable.value)


def test_the_docker_tests_fail_with_the_reason_no_engine_could_be_had(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COINSTREAM_DOCKER_UNAVAILABLE", "no engine here: how to run them")
    with pytest.raises(pytest.fail.Exception, match="no engine here: how to run them"):
        docker_environment()


def test_the_docker_tests_fail_when_no_engine_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COINSTREAM_DOCKER_UNAVAILABLE", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(pytest.fail.Exception, match="no Docker engine answers"):
        docker_environment()
