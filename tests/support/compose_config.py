"""A compose file as `docker-compose config` resolves it: interpolated, merged, validated."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml


def resolved_config(path: Path, variables: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`variables` are set as the shell's would be, over its environment."""
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: run tools/install-system-deps.sh"
    result = subprocess.run(
        [binary, "-f", str(path), "config"],
        capture_output=True,
        text=True,
        check=False,
        cwd=path.parent,
        env={**os.environ, **(variables or {})},
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config
