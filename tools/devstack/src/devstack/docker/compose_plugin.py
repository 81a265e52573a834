"""`docker compose` (v2): the client's own plugin where it has one, else built from the Go
module proxy into a DOCKER_CONFIG of our own (Debian here has only Compose 1.29, which
cannot build the images: it has no BuildKit)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from devstack.docker.steps import StepFailed, run_step, succeeds
from devstack.paths import cache_dir, install_lock

COMPOSE_MODULE = "github.com/docker/compose/v2"
COMPOSE_VERSION = "v2.29.7"


def compose_config_dir(env: dict[str, str]) -> Path | None:
    """None when `docker compose` works as it is; else a DOCKER_CONFIG that has it."""
    if succeeds(["docker", "compose", "version"], env=env):
        return None
    home = cache_dir() / f"compose-{COMPOSE_VERSION}"
    plugin = home / "cli-plugins" / "docker-compose"
    with install_lock(home):
        if not plugin.exists():
            _build(home, plugin)
    return home


def _build(home: Path, plugin: Path) -> None:
    if shutil.which("go") is None:
        raise StepFailed(
            "`docker compose` is missing and Go is needed to build it: install Go, or Docker's "
            "compose plugin"
        )
    bin_dir = home / "bin"
    run_step(
        [
            "go",
            "install",
            f"-ldflags=-X {COMPOSE_MODULE}/internal.Version={COMPOSE_VERSION}",
            f"{COMPOSE_MODULE}/cmd@{COMPOSE_VERSION}",
        ],
        env=os.environ | {"GOBIN": str(bin_dir), "CGO_ENABLED": "0"},
        timeout_s=1800,
    )
    plugin.parent.mkdir(parents=True, exist_ok=True)
    (bin_dir / "cmd").rename(plugin)
