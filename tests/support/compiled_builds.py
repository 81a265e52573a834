"""The compiled services in the virtual environment, rebuilt before the tests when their
sources have changed.

The consumer and the alerter are installed as wheels that mypyc compiled (not editable:
see the root pyproject), so after an edit the environment still holds the build of the
old sources until something syncs it. Each build records the digest of its inputs in the
package (tools/compile/build_inputs.py); tests/conftest.py compares it with the work
tree's before any test imports a compiled module, and rebuilds what differs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.machinery import PathFinder
from pathlib import Path

from tools.compile.build_inputs import DIGEST_FILE, build_inputs_digest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_PREFIX = "coinstream-"  # a service's distribution name, before its directory's


def compiled_services(root: Path = ROOT) -> list[str]:
    """The workspace members installed as built wheels: the root pyproject's sources that
    are not editable."""
    sources = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["uv"]["sources"]
    return sorted(
        name.removeprefix(PACKAGE_PREFIX)
        for name, source in sources.items()
        if source.get("editable") is False
    )


def installed_digest(package: str) -> str | None:
    """The digest of the inputs the installed build was made of; None if there is none."""
    # Found on disk, not imported: a stale module loaded now would stay loaded after the
    # rebuild.
    spec = PathFinder.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    record = Path(locations[0], DIGEST_FILE) if locations else None
    return record.read_text().strip() if record and record.is_file() else None


def stale_services(services: Iterable[str], root: Path = ROOT) -> list[str]:
    """Those of `services` whose installed build was not made of the tree's sources."""
    return [s for s in services if installed_digest(s) != build_inputs_digest(root / s)]


def sync_command(uv: str, services: Iterable[str]) -> list[str]:
    """`make setup`'s sync, rebuilding `services` whatever uv's cache says; inexact, so
    that it removes nothing installed by hand."""
    rebuilt = [f"--reinstall-package={PACKAGE_PREFIX}{s}" for s in services]
    return [uv, "sync", "--frozen", "--all-packages", "--inexact", "--quiet", *rebuilt]


@dataclass(frozen=True)
class BuildCheck:
    rebuilt: str = ""  # what was rebuilt, and how long it took
    problem: str | None = None  # why a build is stale still


def rebuild_stale_services(root: Path = ROOT) -> BuildCheck:
    """Rebuild the compiled services whose build is stale, in this environment if it is
    the tree's own (uv's to sync); elsewhere, or once imported, a stale build is a problem."""
    stale = stale_services(compiled_services(root), root)
    if not stale:
        return BuildCheck()
    named = ", ".join(stale)
    fix = f"run `{' '.join(sync_command('uv', stale))}` in {root}"
    if loaded := [s for s in stale if s in sys.modules]:
        return BuildCheck(problem=f"{', '.join(loaded)} imported before its rebuild: {fix}")
    environment = root / ".venv"
    uv = os.environ.get("UV") or shutil.which("uv")
    if Path(sys.prefix).resolve() != environment.resolve() or uv is None:
        return BuildCheck(problem=f"the build of {named} in {sys.prefix} is stale: {fix}")
    began = time.monotonic()
    sync = subprocess.run(
        sync_command(uv, stale), cwd=root, capture_output=True, text=True, check=False
    )
    if sync.returncode != 0 or stale_services(stale, root):
        return BuildCheck(problem=f"rebuilding {named} failed ({fix}):\n{sync.stdout}{sync.stderr}")
    return BuildCheck(
        rebuilt=f"rebuilt {named}: its sources changed ({time.monotonic() - began:.0f} s)"
    )
