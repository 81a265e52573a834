"""The compiled services are tested as built from the work tree's sources, never a build of
older ones (tests/support/compiled_builds.py, which tests/conftest.py runs first).

A change is detected by comparing the installed build with a copy of its inputs that the
test changes: the session's environment itself is never touched.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.compiled_builds import (
    ROOT,
    compiled_services,
    rebuild_stale_services,
    stale_services,
)
from tools.compile.build_inputs import build_inputs

SERVICE = "consumer"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what the compiled services are built of, and the root pyproject."""
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for service in compiled_services():
        for name, path in build_inputs(ROOT / service).items():
            copy = Path(os.path.normpath(tmp_path / service / name))
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    return tmp_path


def edit_module(tree: Path) -> None:
    module = tree / SERVICE / "src" / SERVICE / "windows.py"
    module.write_text(module.read_text() + "\n# edited\n")


def add_module(tree: Path) -> None:
    (tree / SERVICE / "src" / SERVICE / "added.py").write_text("ADDED = 1\n")


def delete_module(tree: Path) -> None:
    (tree / SERVICE / "src" / SERVICE / "handover.py").unlink()


def edit_build(tree: Path) -> None:
    setup = tree / "tools" / "compile" / "mypyc_setup.py"
    setup.write_text(setup.read_text() + "\n# edited\n")


def test_the_compiled_services_are_the_members_installed_as_wheels() -> None:
    assert compiled_services() == ["alerter", "consumer"]


def test_the_session_runs_the_builds_of_the_sources() -> None:
    assert stale_services(compiled_services()) == []


def test_an_unchanged_copy_of_the_sources_matches_the_installed_build(tree: Path) -> None:
    assert stale_services(compiled_services(), tree) == []


@pytest.mark.parametrize(
    ("change", "stale"),
    [
        (edit_module, [SERVICE]),
        (add_module, [SERVICE]),
        (delete_module, [SERVICE]),
        (edit_build, ["alerter", "consumer"]),  # the build both share
    ],
)
def test_a_change_to_what_a_build_is_made_of_makes_it_stale(
    tree: Path, change: Callable[[Path], None], stale: list[str]
) -> None:
    change(tree)
    assert stale_services(compiled_services(), tree) == stale


def test_a_stale_build_already_imported_is_reported_not_rebuilt(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_module(tree)
    monkeypatch.setitem(sys.modules, SERVICE, ModuleType(SERVICE))
    check = rebuild_stale_services(tree)
    assert check.rebuilt == ""
    assert check.problem is not None
    assert check.problem.startswith(f"{SERVICE} imported before its rebuild: run `uv sync")


def test_a_stale_build_outside_the_trees_environment_is_reported_not_rebuilt(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_module(tree)
    monkeypatch.delitem(sys.modules, SERVICE, raising=False)
    check = rebuild_stale_services(tree)  # its environment, tree/.venv, is not this one
    assert check.rebuilt == ""
    assert check.problem is not None
    assert f"the build of {SERVICE} in {sys.prefix} is stale" in check.problem
    assert f"--reinstall-package=coinstream-{SERVICE}" in check.problem
