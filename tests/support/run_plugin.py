"""What a run does beside its tests: `--require`'s verdict, and the BENCH lines that tests
report, shown together in the run's summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

BENCH_LINES = pytest.StashKey[list[str]]()
# The tests of each marker, by node id: a report's keywords also hold folder and module
# names (tests/devstack/docker/ is no docker test).
MARKED = pytest.StashKey[dict[str, set[str]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require",
        default="",
        metavar="KIND,...",
        help="fail the run if any test was skipped, or if no test of each marker named "
        "(integration, e2e, docker) passed (make test, CI)",
    )


@pytest.fixture(scope="session")
def bench_line(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Report a `BENCH name key=value ...` line, for the run's summary."""
    return pytestconfig.stash.setdefault(BENCH_LINES, []).append


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = config.stash.setdefault(MARKED, {})
    for item in items:
        for marker in item.iter_markers():
            marked.setdefault(marker.name, set()).add(item.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    required = [kind for kind in session.config.getoption("--require").split(",") if kind]
    if not required or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter else {}
    marked = session.config.stash.get(MARKED, {})
    passed = {report.nodeid for report in stats.get("passed", [])}
    problems = []
    if stats.get("skipped"):
        problems.append(f"{len(stats['skipped'])} test(s) skipped")
    problems += [
        f"no {kind} test passed" for kind in required if not marked.get(kind, set()) & passed
    ]
    if problems:
        print("\n--require: " + "; ".join(problems))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if lines := config.stash.get(BENCH_LINES, []):
        terminalreporter.section("BENCH")
        for line in lines:
            terminalreporter.write_line(line)
