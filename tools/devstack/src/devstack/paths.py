"""Where downloads, builds and server data live between runs."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def cache_dir() -> Path:
    """Shared by every checkout on the machine, so CI and later runs reuse installs."""
    root = os.environ.get("COINSTREAM_CACHE") or Path.home() / ".cache" / "coinstream"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def install_lock(directory: Path) -> Iterator[None]:
    """Serialise installs into `directory` between concurrent processes."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
