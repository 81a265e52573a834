"""The build requirements of the compiled services are the versions uv.lock installs.

mypyc compiles the consumer and the alerter (their setup.py) in the isolated environment that
[build-system] requires lists, against the types of the libraries the compiled modules
import; at other versions than the service runs with, the compiled code could assume
types that the installed libraries do not have. Build requirements cannot be read from
the lock, so each is pinned by hand, and this test fails when a pin and the lock drift
apart (after `uv lock --upgrade`, say).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.compiled_builds import compiled_services

ROOT = Path(__file__).resolve().parents[1]
# The build backend: nothing that runs depends on it, so the lock does not hold it.
BACKEND = "setuptools"


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {
        package["name"]: package["version"] for package in lock["package"] if "version" in package
    }


def build_requirements(service: str) -> list[Requirement]:
    pyproject = tomllib.loads((ROOT / service / "pyproject.toml").read_text())
    return [Requirement(text) for text in pyproject["build-system"]["requires"]]


@pytest.mark.parametrize("service", compiled_services())
def test_every_build_requirement_is_pinned(service: str) -> None:
    for requirement in build_requirements(service):
        operators = [spec.operator for spec in requirement.specifier]
        assert operators == ["=="], f"{requirement}: pin it to one version with =="


@pytest.mark.parametrize("service", compiled_services())
def test_build_requirements_are_the_locked_versions(service: str) -> None:
    locked = locked_versions()
    drifted = {
        requirement.name: (pinned, locked.get(canonicalize_name(requirement.name)))
        for requirement in build_requirements(service)
        if requirement.name != BACKEND
        for pinned in (spec.version for spec in requirement.specifier)
        if locked.get(canonicalize_name(requirement.name)) != pinned
    }
    assert not drifted, (
        f"{service}/pyproject.toml [build-system] requires (pinned, locked): {drifted}; "
        "pin them to the versions in uv.lock"
    )
