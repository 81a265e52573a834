"""The Docker engine the tests use: the one that answers, else one started here.

An engine of our own is Debian's `docker.io`, installed when missing (as root), run with
its data, socket and logs under the cache folder, so it never touches a system engine's
images or the default socket.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from devstack.docker.steps import StepFailed, run_step, succeeds
from devstack.net import wait_until
from devstack.paths import cache_dir
from devstack.processes import ManagedProcess

HOW_TO_RUN = (
    "The docker tests need a Docker engine: start one so that `docker info` answers (Docker "
    "Desktop, or the docker service), or run `make test` as root on Debian, where it installs "
    "docker.io and starts an engine of its own."
)


class EngineUnavailable(RuntimeError):
    """No engine answers and none can be started on this machine."""


def engine_answers(env: dict[str, str]) -> bool:
    return shutil.which("docker", path=env.get("PATH")) is not None and succeeds(
        ["docker", "info", "--format", "{{.ServerVersion}}"], env=env, timeout_s=15
    )


def install_debian_packages(packages: list[str]) -> None:
    """Install `packages` with apt-get; only root on Debian can."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise EngineUnavailable(
            f"{' and '.join(packages)} cannot be installed here (that needs root and "
            f"apt-get), and no Docker engine with the images the tests need answers. "
            f"{HOW_TO_RUN}"
        )
    apt_env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    run_step(["apt-get", "update", "-qq"], env=apt_env)
    run_step(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=apt_env)


@dataclass
class OwnEngine:
    """dockerd with its own data root and socket under the cache folder."""

    home: Path

    @classmethod
    def in_cache(cls) -> OwnEngine:
        return cls(cache_dir() / "docker-engine")

    @property
    def host(self) -> str:
        return f"unix://{self.home / 'docker.sock'}"

    def client_env(self) -> dict[str, str]:
        return os.environ | {"DOCKER_HOST": self.host}

    def start(self, timeout_s: float = 60.0) -> ManagedProcess:
        if shutil.which("dockerd") is None:
            install_debian_packages(["docker.io"])
        self.home.mkdir(parents=True, exist_ok=True)
        # Left by an engine that was killed: dockerd refuses to start over a live pid's file.
        (self.home / "dockerd.pid").unlink(missing_ok=True)
        # containerd's socket paths must stay short (108 bytes), whatever the cache's path.
        digest = hashlib.sha256(str(self.home).encode()).hexdigest()[:8]
        process = ManagedProcess(
            "dockerd",
            [
                "dockerd",
                f"--data-root={self.home / 'data'}",
                f"--exec-root=/run/coinstream-docker-{digest}",
                f"--pidfile={self.home / 'dockerd.pid'}",
                f"--host={self.host}",
            ],
            env=os.environ,
            cwd=self.home,
            log_path=self.home / "dockerd.log",
        )
        env = self.client_env()

        def answers() -> bool:
            if not process.alive():
                raise StepFailed(f"dockerd exited at start:\n{process.tail()}")
            return engine_answers(env)

        wait_until(answers, timeout_s, f"dockerd on {self.host}", interval_s=0.5)
        return process

    def remove_containers(self) -> None:
        """Every container of this engine: only the tests use it."""
        env = self.client_env()
        ids = run_step(["docker", "ps", "-aq"], env=env).split()
        if ids:
            run_step(["docker", "rm", "-f", "-v", *ids], env=env)

    def prune(self, keep_build_cache: str = "3GB") -> None:
        """Drop what each run's rebuilds leave behind, so the cache folder stops growing: the
        images no tag names any more, and the oldest build cache past `keep_build_cache`.
        Best effort: a cache that stays large is no reason to fail the tests."""
        env = self.client_env()
        succeeds(["docker", "image", "prune", "-f"], env=env, timeout_s=300)
        succeeds(
            ["docker", "builder", "prune", "-f", f"--keep-storage={keep_build_cache}"],
            env=env,
            timeout_s=300,
        )
