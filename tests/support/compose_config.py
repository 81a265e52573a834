"""A compose file as `docker compose config` resolves it: interpolated, merged, validated.

Compose v2 needs no engine for this; tools/with_docker.py provides it where the Docker
client has no compose plugin."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml


def resolved_config(path: Path, variables: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`variables` are set as the shell's would be, over its environment."""
    try:
        result = subprocess.run(
            ["docker", "compose", "-f", str(path), "config"],
            capture_output=True,
            text=True,
            check=False,
            cwd=path.parent,
            env={**os.environ, **(variables or {})},
        )
    except FileNotFoundError:
        raise AssertionError("no docker client: run the tests with tools/with_docker.py") from None
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def ports(service: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(host ip, published, target) of each port a resolved service publishes."""
    return [(p["host_ip"], p["published"], int(p["target"])) for p in service.get("ports", [])]
