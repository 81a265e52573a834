"""docker-compose.yml run for real by `docker compose`, as a project of the test's own."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devstack.docker.engine import HOW_TO_RUN, engine_answers

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
CLUSTER_COMPOSE = ROOT / "docker-compose.cluster.yml"
# Redpanda's external listener, as docker-compose.yml publishes it.
EXTERNAL_KAFKA = "127.0.0.1:19092"


def docker_environment() -> dict[str, str]:
    """The environment `docker` runs in here; fails the test, saying why and how to run it,
    when no engine answers."""
    env = dict(os.environ)
    if reason := env.get("COINSTREAM_DOCKER_UNAVAILABLE"):
        pytest.fail(reason, pytrace=False)
    if not engine_answers(env):
        pytest.fail(f"no Docker engine answers. {HOW_TO_RUN}", pytrace=False)
    return env


def compose_files(main: Path) -> list[Path]:
    """The file, and the stand-ins' override where the real third-party images are not here."""
    standins = os.environ.get("COINSTREAM_COMPOSE_STANDINS")
    if not standins:
        return [main]
    return [main, Path(standins).with_name(main.name.replace("docker-compose", "compose.standins"))]


@dataclass
class ComposeProject:
    name: str
    env: dict[str, str]
    files: list[Path] = field(default_factory=lambda: compose_files(COMPOSE))

    def command(self, *args: str) -> list[str]:
        files = [part for path in self.files for part in ("-f", str(path))]
        return ["docker", "compose", "-p", self.name, *files, *args]

    def _call(self, args: tuple[str, ...], timeout_s: float) -> tuple[int, str]:
        done = subprocess.run(
            self.command(*args),
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        return done.returncode, done.stdout + done.stderr

    def run(self, *args: str, check: bool = True, timeout_s: float = 900) -> str:
        status, output = self._call(args, timeout_s)
        if check and status != 0:
            raise AssertionError(f"docker compose {' '.join(args)} failed:\n{output[-6000:]}")
        return output

    def fails(self, *args: str, timeout_s: float = 600) -> str:
        """The output of a command that must fail."""
        status, output = self._call(args, timeout_s)
        assert status != 0, f"docker compose {' '.join(args)} succeeded"
        return output

    def timed_up(self, *args: str) -> float:
        started = time.monotonic()
        self.run("up", "--build", "--wait", *args)
        return time.monotonic() - started

    def containers(self) -> list[dict[str, Any]]:
        lines = self.run("ps", "--all", "--format", "json").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def docker(self, *args: str) -> str:
        return subprocess.run(
            ["docker", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout

    def leftovers(self) -> dict[str, list[str]]:
        """Containers, networks and volumes that still carry the project's label."""
        label = f"label=com.docker.compose.project={self.name}"
        return {
            kind: self.docker(*command, "--filter", label, "-q").split()
            for kind, command in {
                "containers": ("ps", "-a"),
                "networks": ("network", "ls"),
                "volumes": ("volume", "ls"),
            }.items()
        }
