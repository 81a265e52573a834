"""Stand-ins for the images no registry serves here, each built once and cached.

An image that is present or can be pulled is used as it is. Otherwise its stand-in is
built from its recipe in tools/standins/ and, for the Python bases and uv, tagged with the
name it stands for, so the Dockerfile and docker-compose.yml are used unchanged. Redpanda
and mongo:7 are stood in for by Apache Kafka and FerretDB images of their own names,
which the tests' compose override (tools/standins/compose.standins.yml) and
testcontainers use instead. Each stand-in carries a label with a digest of its recipe:
one built from an older recipe is built again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devstack.docker.engine import install_debian_packages
from devstack.docker.steps import StepFailed, run_step, succeeds
from devstack.ferretdb import install_ferretdb
from devstack.kafka import install_kafka
from devstack.paths import cache_dir, install_lock

RECIPES = Path(__file__).resolve().parents[4] / "standins"
LABEL = "org.coinstream.standin.recipe"
DEBIAN = "coinstream-standin/debian:bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
REDPANDA_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v25.2.4"
MONGO_IMAGE = "mongo:7.0.14"
KAFKA_STANDIN = "coinstream-standin/kafka:3.9.2"
FERRETDB_STANDIN = "coinstream-standin/ferretdb:1.24.2"
RYUK_IMAGE = "testcontainers/ryuk:0.8.1"
# Where the stand-in keeps the CA bundle of the machine that built it, so that uv and pip
# inside a build trust what the machine trusts.
HOST_CA = "/etc/ssl/certs/host-ca-bundle.crt"


@dataclass(frozen=True)
class StandIn:
    real: tuple[str, ...]  # the images it stands for
    recipes: tuple[str, ...]  # folders of tools/standins, built in order
    tags: tuple[str, ...]  # one per recipe
    context: Callable[[str, Path], None] = lambda _recipe, _into: None


def _copy_uv(_recipe: str, into: Path) -> None:
    uv = Path(os.environ.get("UV") or shutil.which("uv") or "uv")
    if not uv.is_file():
        raise StepFailed("the uv stand-in needs the uv binary: set UV to its path")
    for binary in ("uv", "uvx"):
        shutil.copy2(uv.with_name(binary), into / binary)


def _copy_kafka(_recipe: str, into: Path) -> None:
    lib = install_kafka(with_tools=True)
    shutil.copytree(lib, into / "lib")
    shutil.copy2(lib.parent / "log4j.properties", into / "log4j.properties")


def _copy_ferretdb(_recipe: str, into: Path) -> None:
    shutil.copy2(install_ferretdb(), into / "ferretdb")


STANDINS = (
    StandIn(
        real=("python:3.11.13-slim-bookworm", "python:3.11.13-bookworm"),
        recipes=("python-slim", "python-full"),
        tags=("python:3.11.13-slim-bookworm", "python:3.11.13-bookworm"),
    ),
    StandIn(("ghcr.io/astral-sh/uv:0.13.9",), ("uv",), ("ghcr.io/astral-sh/uv:0.13.9",), _copy_uv),
    StandIn((REDPANDA_IMAGE,), ("kafka",), (KAFKA_STANDIN,), _copy_kafka),
    StandIn((MONGO_IMAGE,), ("ferretdb",), (FERRETDB_STANDIN,), _copy_ferretdb),
)


@dataclass
class Images:
    """What the tests run on: which real images are stood in for, and whether Ryuk can run."""

    stood_in: set[str] = field(default_factory=set)
    ryuk: bool = True

    def environment(self) -> dict[str, str]:
        env = {}
        if not self.ryuk:
            env["TESTCONTAINERS_RYUK_DISABLED"] = "true"
        if REDPANDA_IMAGE in self.stood_in:
            env["COINSTREAM_TEST_KAFKA_IMAGE"] = KAFKA_STANDIN
        if MONGO_IMAGE in self.stood_in:
            env["COINSTREAM_TEST_MONGO_IMAGE"] = FERRETDB_STANDIN
        if self.stood_in & {REDPANDA_IMAGE, MONGO_IMAGE}:
            env["COINSTREAM_COMPOSE_STANDINS"] = str(RECIPES / "compose.standins.yml")
        return env


def recipe_digest(recipe: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((RECIPES / recipe).rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(RECIPES).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _label(image: str, env: dict[str, str]) -> str | None:
    """The stand-in label of a local image; "" for an image that is not a stand-in, None
    for one that is not here."""
    try:
        return (
            run_step(
                [
                    "docker",
                    "image",
                    "inspect",
                    "--format",
                    f'{{{{index .Config.Labels "{LABEL}"}}}}',
                    image,
                ],
                env=env,
            )
            .strip()
            .replace("<no value>", "")
        )
    except StepFailed:
        return None


def _available(image: str, env: dict[str, str]) -> bool:
    """Here and not a stand-in, or pulled now."""
    label = _label(image, env)
    if label == "":
        return True
    return label is None and succeeds(["docker", "pull", "--quiet", image], env=env, timeout_s=600)


def ensure_images(env: dict[str, str]) -> Images:
    images = Images(ryuk=_available(RYUK_IMAGE, env))
    for standin in STANDINS:
        if all(_available(image, env) for image in standin.real):
            continue
        for recipe, tag in zip(standin.recipes, standin.tags, strict=True):
            if _label(tag, env) != recipe_digest(recipe):
                _ensure_debian(env)
                _build(recipe, tag, standin.context, env)
        images.stood_in.update(standin.real)
    return images


def _build(
    recipe: str, tag: str, context: Callable[[str, Path], None], env: dict[str, str]
) -> None:
    print(f"building the stand-in {tag} (tools/standins/{recipe})", flush=True)
    with tempfile.TemporaryDirectory(dir=cache_dir()) as scratch:
        into = Path(scratch)
        shutil.copytree(RECIPES / recipe, into, dirs_exist_ok=True)
        context(recipe, into)
        run_step(
            [
                "docker",
                "build",
                "--quiet",
                "--label",
                f"{LABEL}={recipe_digest(recipe)}",
                "-t",
                tag,
                ".",
            ],
            env=env | {"DOCKER_BUILDKIT": "0"},
            cwd=into,
            timeout_s=1800,
        )


def _ensure_debian(env: dict[str, str]) -> None:
    """Debian bookworm from its own mirror, with debootstrap: the stand-ins' base."""
    if _label(DEBIAN, env) is not None:
        return
    with install_lock(cache_dir() / "standins"):
        if shutil.which("debootstrap") is None:
            install_debian_packages(["debootstrap"])
        print(f"building the stand-in {DEBIAN} (debootstrap)", flush=True)
        with tempfile.TemporaryDirectory(dir=cache_dir()) as scratch:
            rootfs = Path(scratch) / "rootfs"
            run_step(
                [
                    "debootstrap",
                    "--variant=minbase",
                    "--include=ca-certificates",
                    "bookworm",
                    str(rootfs),
                    DEBIAN_MIRROR,
                ],
                timeout_s=1800,
            )
            host_ca = os.environ.get("SSL_CERT_FILE") or "/etc/ssl/certs/ca-certificates.crt"
            shutil.copy2(host_ca, rootfs / HOST_CA.lstrip("/"))
            for package in (rootfs / "var" / "cache" / "apt" / "archives").glob("*.deb"):
                package.unlink()
            tar = subprocess.run(
                ["tar", "-C", str(rootfs), "-c", "."], capture_output=True, check=True
            )
            run_step(
                [
                    "docker",
                    "import",
                    "--change",
                    f"ENV SSL_CERT_FILE={HOST_CA}",
                    "--change",
                    f"LABEL {LABEL}=debootstrap",
                    "-",
                    DEBIAN,
                ],
                env=env,
                stdin=tar.stdout,
            )
