"""tests/support/run_plugin.py and tools/run_tests.py, on small suites of their own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["pytester"]

INI = """
[pytest]
addopts = -m "not soak"
markers =
    integration: a
    e2e: b
    docker: c
    soak: d
"""
# The docker test waits for the others to start: it passes only when run beside them.
SUITE = """
import os, time, pytest

HERE = os.path.dirname(__file__)

def mark(name):
    open(os.path.join(HERE, name), "w").write(str(os.getpid()))

@pytest.mark.integration
def test_integration(): mark("integration")

@pytest.mark.e2e
def test_e2e():
    mark("e2e")
    time.sleep(float(os.environ.get("OTHERS_TAKE_S", "0")))

def test_unit(): pass

@pytest.mark.soak
def test_soak(): raise AssertionError("soak tests run only when asked for")

@pytest.mark.docker
def test_docker(bench_line):
    deadline = time.monotonic() + 30
    while not os.path.exists(os.path.join(HERE, "e2e")):
        assert time.monotonic() < deadline, "the other tests did not run beside this one"
        time.sleep(0.05)
    mark("docker")
    bench_line("BENCH compose image_api_mb=1")
    assert os.environ.get("DOCKER_TEST_FAILS") is None
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini(INI)
    pytester.makeconftest('pytest_plugins = ["tests.support.run_plugin"]')
    pytester.makepyfile(test_suite=SUITE)
    return pytester.path


def test_a_run_with_each_required_kind_passes_and_shows_its_bench_lines(
    pytester: pytest.Pytester, suite: Path
) -> None:
    (suite / "e2e").touch()
    result = pytester.runpytest("--require=integration,e2e,docker")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*= BENCH =*", "BENCH compose image_api_mb=1"])


def test_a_kind_that_did_not_pass_or_a_skip_fails_the_run(
    pytester: pytest.Pytester, suite: Path
) -> None:
    pytester.makepyfile(test_skipped="import pytest\n\ndef test_later(): pytest.skip('no')")
    result = pytester.runpytest("--require=integration,docker", "-m", "not docker and not soak")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["--require: 1 test(s) skipped; no docker test passed"])


def test_a_folder_named_like_a_marker_is_not_that_kind_of_test(
    pytester: pytest.Pytester, suite: Path
) -> None:
    folder = pytester.mkpydir("checks") / "docker"
    folder.mkdir()
    (folder / "__init__.py").touch()
    (folder / "test_engine.py").write_text("def test_unit(): pass\n")
    result = pytester.runpytest("--require=docker", "checks")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["--require: no docker test passed"])


def run_tests(suite: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "run_tests.py"), sys.executable, "-m", "pytest"],
        cwd=suite,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_docker_tests_run_beside_the_others_and_print_after_them(suite: Path) -> None:
    done = run_tests(suite, OTHERS_TAKE_S="1")
    assert done.returncode == 0, done.stdout + done.stderr
    pids = {name: (suite / name).read_text() for name in ("integration", "e2e", "docker")}
    assert pids["integration"] == pids["e2e"] != pids["docker"]
    others, docker = done.stdout.split("== the docker tests, run beside the others")
    assert "1 passed" in docker
    assert "BENCH compose image_api_mb=1" in docker
    assert "3 passed" in others
    assert docker.endswith((suite / ".artifacts" / "pytest-docker.log").read_text())


def test_a_failing_docker_test_fails_the_whole_run(suite: Path) -> None:
    done = run_tests(suite, DOCKER_TEST_FAILS="1")
    assert done.returncode == pytest.ExitCode.TESTS_FAILED
    assert "1 failed" in done.stdout.split("== the docker tests")[1]
