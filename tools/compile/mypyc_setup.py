"""The build of a service whose per-tick modules are compiled to C by mypyc.

Used by the setup.py of the consumer and of the alerter, run by their build backend
(setuptools) in an isolated environment whose libraries are their `[build-system]
requires`. The modules stay plain, strictly typed Python that the tests exercise compiled.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mypyc.build import mypycify
from setuptools import setup

from tools.compile.build_inputs import DIGEST_FILE, build_inputs_digest


def setup_compiled(package_dir: Path, package: str, modules: Sequence[str]) -> None:
    # The shared package is type-checked from its source, next to the service's.
    os.environ["MYPYPATH"] = str(package_dir.parent / "common" / "src")
    # A fresh build directory each time: setuptools copies whatever an old build/ holds into
    # the wheel, so a module deleted from src/ would live on in the installed service.
    build = tempfile.mkdtemp(prefix=f"coinstream-{package}-build-")
    atexit.register(shutil.rmtree, build, ignore_errors=True)
    # What the build/ holds goes into the wheel: so does the digest of the build's inputs,
    # which the tests compare with the sources'.
    lib = Path(build) / "lib"
    (lib / package).mkdir(parents=True)
    (lib / package / DIGEST_FILE).write_text(build_inputs_digest(package_dir) + "\n")
    setup(
        ext_modules=mypycify(
            [f"src/{package}/{name}.py" for name in modules], opt_level="3", target_dir=build
        ),
        options={"build": {"build_base": build, "build_lib": str(lib)}},
    )
