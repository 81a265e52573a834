"""What a compiled service's build is made of, and one digest of it all.

The build writes the digest into the package it installs (mypyc_setup.py); the tests
compare it with the digest of the work tree, so that they never run a build older than
its sources (tests/support/compiled_builds.py). The inputs are the files that make uv
rebuild the service: the `file` entries of its pyproject's `tool.uv.cache-keys`.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

DIGEST_FILE = "build-inputs.sha256"  # beside the package's modules


def build_inputs(service_dir: Path) -> dict[str, Path]:
    """Each input file by its path relative to `service_dir`, as the cache keys name it."""
    pyproject = tomllib.loads((service_dir / "pyproject.toml").read_text())
    patterns = [key["file"] for key in pyproject["tool"]["uv"]["cache-keys"] if "file" in key]
    return {
        Path(os.path.relpath(path, service_dir)).as_posix(): path
        for pattern in patterns
        for path in service_dir.glob(pattern)
        if path.is_file()
    }


def build_inputs_digest(service_dir: Path) -> str:
    """SHA-256 over every input's relative path and contents, in the order of the paths."""
    digest = hashlib.sha256()
    for name, path in sorted(build_inputs(service_dir).items()):
        contents = path.read_bytes()
        digest.update(f"{name}\0{len(contents)}\0".encode())
        digest.update(contents)
    return digest.hexdigest()
