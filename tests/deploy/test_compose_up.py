"""The README's `docker compose up --build --wait`, run for real, checked as a user meets it.

One stack for the module: built cold (`build --no-cache`) and brought up, taken down and
brought up again warm; the tests then look at it through the ports it publishes on
127.0.0.1, and the last one takes it down. Where no registry serves Redpanda or mongo:7,
the stand-ins' override replaces them (docs/docker-tests.md).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import sync_playwright

from devstack.net import free_port
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.support.compose_checks import assert_no_tick_lost_or_counted_twice, candles
from tests.support.compose_project import (
    EXTERNAL_KAFKA,
    ROOT,
    ComposeProject,
    docker_environment,
)
from tests.support.waiting import wait_until

# The module fixture builds five images and brings the stack up twice.
pytestmark = [pytest.mark.docker, pytest.mark.timeout(1200)]
SERVICES = ("producer", "consumer", "alerter", "api", "dashboard")
SCREENSHOT = ROOT / ".artifacts" / "compose-dashboard.png"


@dataclass
class Stack:
    project: ComposeProject
    api: str
    dashboard: str
    seconds_to_healthy: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def stack(bench_line: Callable[[str], None]) -> Iterator[Stack]:
    api_port, dashboard_port = free_port(), free_port()
    env = docker_environment() | {
        "PRODUCER_SOURCES": "simulated",
        "DASHBOARD_DEFAULT_SOURCE": "simulated",
        "API_PORT": str(api_port),
        "DASHBOARD_PORT": str(dashboard_port),
    }
    project = ComposeProject(f"coinstream-test-{uuid.uuid4().hex[:8]}", env)
    stack = Stack(project, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{dashboard_port}")
    try:
        started = time.monotonic()
        project.run("build", "--no-cache", *SERVICES)
        stack.seconds_to_healthy["cold"] = time.monotonic() - started + project.timed_up()
        project.run("down", "--volumes")
        stack.seconds_to_healthy["warm"] = project.timed_up()
        yield stack
    finally:
        project.run("down", "--volumes", "--remove-orphans", check=False)
    sizes = {
        name: int(project.docker("image", "inspect", "--format", "{{.Size}}", image).strip())
        for name, image in ((s, f"coinstream/{s}:0.1.0") for s in SERVICES)
    }
    line = " ".join(
        [
            "BENCH compose",
            *(f"image_{name}_mb={size / 1e6:.0f}" for name, size in sizes.items()),
            *(f"{kind}_to_healthy_s={s:.1f}" for kind, s in stack.seconds_to_healthy.items()),
        ]
    )
    bench_line(line)


def test_every_service_is_healthy_and_the_topics_were_made(stack: Stack) -> None:
    states = {c["Service"]: c for c in stack.project.containers()}
    assert states["topics"]["State"] == "exited"
    assert states["topics"]["ExitCode"] == 0
    running = {name: c["Health"] for name, c in states.items() if name != "topics"}
    assert running == dict.fromkeys(("redpanda", "mongo", *SERVICES), "healthy"), running


def test_simulated_ticks_become_candles_that_grow(stack: Stack) -> None:
    def newest_count() -> int:
        page = candles(stack.api, start=(datetime.now(UTC) - timedelta(minutes=5)).isoformat())
        return page[-1]["count"] if page else 0

    first = newest_count()
    wait_until(
        newest_count,
        lambda count: count != first,
        timeout_s=30,
        what="the newest candle to grow",
    )
    history = candles(stack.api)
    assert len(history) > 60, "the simulated backfill gave less than an hour of candles"


def test_the_docs_and_the_dashboard_render_in_chromium(stack: Stack) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{stack.api}/docs")
            page.get_by_text("coinstream API").first.wait_for(state="visible", timeout=30_000)
            page.locator(".opblock").first.wait_for(state="visible", timeout=30_000)
            assert page.locator(".opblock").count() >= 6

            page.goto(stack.dashboard)
            chart = page.locator(".vega-embed canvas, .vega-embed svg.marks").first
            chart.wait_for(state="visible", timeout=60_000)
            box = chart.bounding_box()
            assert box is not None
            assert box["width"] > 300
            page.get_by_text("Last price").first.wait_for(state="visible", timeout=15_000)
            # The toolbar in viewer mode: no developer's Deploy button for whoever looks.
            assert page.get_by_text("Deploy", exact=True).count() == 0
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000


def test_every_container_runs_as_a_non_root_user(stack: Stack) -> None:
    for container in stack.project.containers():
        if container["State"] != "running":
            continue
        pid = stack.project.docker("inspect", "--format", "{{.State.Pid}}", container["ID"])
        rows = stack.project.docker("top", container["ID"], "-eo", "pid,uid").splitlines()[1:]
        uids = {row.split()[0]: int(row.split()[1]) for row in rows}
        assert uids[pid.strip()] != 0, f"{container['Service']} runs as root"


def test_a_killed_consumer_comes_back_and_counts_no_tick_twice(stack: Stack) -> None:
    killed_at = datetime.now(UTC)
    stack.project.run("kill", "consumer")
    stack.project.run("up", "--wait", "consumer")
    assert_no_tick_lost_or_counted_twice(stack.api, EXTERNAL_KAFKA, killed_at)


def test_down_leaves_no_container_network_or_volume(stack: Stack) -> None:
    stack.project.run("down", "--volumes")
    assert stack.project.leftovers() == {"containers": [], "networks": [], "volumes": []}
