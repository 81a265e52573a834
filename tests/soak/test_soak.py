"""Issue 12, "the pipeline never freezes": the whole stack under a user's load for a while.

`make soak` runs it (SOAK_MINUTES, default 15); `make test` deselects it. The services run
as processes (devstack's LocalStack) on a local Apache Kafka and FerretDB started for it:
the simulated source at 200 trades/s (20 a second for each of 10 symbols) after its 24 h
backfill, 20 API clients polling /v1/candles and /v1/stats (tests/support/soak_load.py),
5 SSE clients on /v1/stream, the dashboard open in headless Chromium, and the consumer
restarted gracefully (SIGTERM, then started again) half way through.

It fails on any of:
- a request slower than 2 s (one that got no answer counts as slow), or a 5xx;
- a stall: the measure of progress not growing for more than 5 s;
- RSS growth of more than 20 % in an application service, from the end of the warm-up to
  the end of the run;
- an SSE client going more than 5 s without a candle or price event, or losing its stream;
- the dashboard not showing its chart after a (re)load, or showing an error;
- a worker of the soak crashing or hanging, a service exiting, or the consumer's graceful
  stop not exiting 0.

The measure of progress: the sum of `count` (ticks folded) over BTC-USD's 1m candles whose
window starts at or after the minute the soak started, read through the API every second,
past its cache (tests/support/soak_growth.py says why). While the pipeline works it grows
with each of the consumer's flushes (every 500 ms): at 20 trades/s on BTC-USD, 5 s without
a trade has a chance of e^-100.

Warm-up: the first fifth of the run, and at least a minute (3 of 15 minutes). By then the
24 h backfill has been folded, the clients have polled a few hundred views (the API's
and Streamlit's caches hold their working set), the dashboard has rendered and reloaded,
and the consumer holds an open window of every interval for every symbol: memory that
still grows after that is what a soak looks for. Kafka's and FerretDB's RSS
is reported, not judged: the JVM's heap grows towards its -Xmx by design, and SQLite's
page cache grows with the data.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devstack.net import free_port
from devstack.processes import ManagedProcess
from devstack.servers import LocalServers, start_local_servers
from devstack.stack import Endpoints, LocalStack
from tests.support.soak_growth import Stall, growth_times, longest_stall_around, stalls
from tests.support.soak_processes import ProcessFigures
from tests.support.soak_requests import Request, RequestSummary
from tests.support.soak_run import SoakLoad

pytestmark = pytest.mark.soak
ROOT = Path(__file__).resolve().parents[2]
MINUTES = float(os.environ.get("SOAK_MINUTES", "15"))
DURATION_S = MINUTES * 60
WARM_UP_S = max(60.0, DURATION_S / 5)
SYMBOLS = [
    f"{base}-USD"
    for base in ("BTC", "ETH", "SOL", "DOGE", "XRP", "ADA", "AVAX", "DOT", "LINK", "LTC")
]
TRADES_PER_SECOND = 200
API_CLIENTS = 20
STREAM_CLIENTS = 5
SLOW_S = 2.0
STALL_LIMIT_S = 5.0
# From the stack's start to the first growth: the 24 h backfill is folded in seconds.
FIRST_GROWTH_LIMIT_S = 60.0
# The consumer's restart is reported with the stalls from its SIGTERM to this long after
# it is healthy again (its partitions are restored, and it catches up, after that).
RESTART_SETTLE_S = 30.0
RSS_GROWTH_LIMIT_PCT = 20.0
APP_SERVICES = ("producer", "consumer", "alerter", "api", "dashboard")
SERVERS = ("kafka", "ferretdb")
# Workers notice the stop within: a stream read (20 s), or a dashboard reload (30 s)
# and render (45 s + 15 s).
STOP_TIMEOUT_S = 120.0


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[LocalServers[ManagedProcess]]:
    """Our own Kafka and FerretDB, whatever the session uses: their RSS is watched too."""
    local = start_local_servers(tmp_path / "servers")
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
def stack(servers: LocalServers[ManagedProcess], tmp_path: Path) -> Iterator[LocalStack]:
    variables = {
        "PRODUCER_SOURCES": "simulated",
        "SIMULATED_SYMBOLS": ",".join(SYMBOLS),
        # The rate is per symbol.
        "SIMULATED_TRADES_PER_SECOND": str(TRADES_PER_SECOND / len(SYMBOLS)),
        "SIMULATED_BACKFILL": "true",
        "PRODUCER_BACKFILL_HOURS": "24",
        "DASHBOARD_DEFAULT_SOURCE": "simulated",
        "API_PORT": str(free_port()),
        "DASHBOARD_PORT": str(free_port()),
        "PRODUCER_METRICS_PORT": str(free_port()),
        "CONSUMER_METRICS_PORT": str(free_port()),
        "ALERTER_METRICS_PORT": str(free_port()),
    }
    endpoints = Endpoints(servers.endpoints.kafka_bootstrap, servers.endpoints.mongo_uri)
    local = LocalStack(ROOT, endpoints, variables, tmp_path / "logs")
    try:
        local.start()
        yield local
    finally:
        codes = local.stop()
        print(
            f"\nsoak stopped the stack: {codes}; in {tmp_path}: soak.json (every "
            "measurement), logs/ (the services), servers/logs/ (Kafka, FerretDB)"
        )


@dataclass(frozen=True)
class Restart:
    began_s: float
    healthy_s: float | None  # None: it did not come back
    exit_code: int | None  # the stopped process's; None when the restart failed
    error: str = ""


def restart_consumer(stack: LocalStack) -> Restart:
    began_s = time.monotonic()
    try:
        code = stack.restart("consumer", timeout_s=120)
    except (RuntimeError, TimeoutError) as error:
        return Restart(began_s, None, None, str(error))
    return Restart(began_s, time.monotonic(), code)


def pid_of(stack: LocalStack, name: str) -> Callable[[], int]:
    return lambda: stack.processes[name].pid


def sleep_until(moment_s: float) -> None:
    time.sleep(max(0.0, moment_s - time.monotonic()))


@pytest.mark.timeout(DURATION_S + 900)
def test_the_pipeline_never_freezes(
    stack: LocalStack, servers: LocalServers[ManagedProcess], tmp_path: Path
) -> None:
    api_url = f"http://127.0.0.1:{stack.environment('api')['API_PORT']}"
    dashboard_url = f"http://127.0.0.1:{stack.environment('dashboard')['STREAMLIT_SERVER_PORT']}"
    pids = {name: pid_of(stack, name) for name in APP_SERVICES}
    pids |= {"kafka": lambda: servers.kafka.pid, "ferretdb": lambda: servers.ferretdb.pid}
    load = SoakLoad(
        api_url=api_url,
        dashboard_url=dashboard_url,
        growth_symbol=SYMBOLS[0],
        since=datetime.now(UTC).replace(second=0, microsecond=0),
        stream_symbols=SYMBOLS[:STREAM_CLIENTS],
        pids=pids,
    )
    start_s = time.monotonic()
    restart: Restart | None = None
    load.start(API_CLIENTS, SYMBOLS)
    try:
        sleep_until(start_s + DURATION_S / 2)
        restart = restart_consumer(stack)
        sleep_until(start_s + DURATION_S)
    finally:
        end_s = time.monotonic()
        hung = load.stop(STOP_TIMEOUT_S)
        exited = [name for name, process in stack.processes.items() if not process.alive()]
        failures = report(load, restart, start_s, end_s)
        failures += [f"soak workers still running after the stop: {name}" for name in hung]
        failures += [f"service exited during the soak: {name}" for name in exited]
        load.save(tmp_path / "soak.json", start_s)
    assert not failures, "the soak failed:\n- " + "\n- ".join(failures)


def report(load: SoakLoad, restart: Restart | None, start_s: float, end_s: float) -> list[str]:
    """Print what the soak measured; return what broke, in words."""
    requests = load.log.summary(SLOW_S)
    found = stalls(load.growth.samples, STALL_LIMIT_S, start_s, end_s)
    processes = load.processes.figures(start_s + WARM_UP_S)
    app_growth = [processes[name].growth_pct for name in APP_SERVICES if name in processes]
    print(
        f"\nBENCH soak minutes={MINUTES:g} requests={requests.count} "
        f"p99_ms={requests.p99_ms:.0f} max_ms={requests.max_ms:.0f} stalls={len(found)} "
        f"errors_5xx={len(requests.errors_5xx)} rss_growth_pct={max(app_growth, default=0):.1f}"
    )
    print(
        f"soak machine cpu_busy_pct={load.cpu.busy_pct():.0f} "
        f"cores={os.cpu_count()} harness_cpu_s={load.cpu.own_s():.0f}"
    )
    grown = growth_times(load.growth.samples)
    # Until the first growth there is no stream to keep up either.
    judged_from = grown[0] if grown else start_s
    return [
        *growth_failures(grown, found, start_s),
        *request_failures(requests, start_s),
        *process_failures(processes, load.processes.samples.keys()),
        *restart_failures(load, restart, end_s),
        *stream_failures(load, judged_from, end_s),
        *(
            f"dashboard ({n} times): {problem}"
            for problem, n in Counter(load.dashboard.problems).items()
        ),
        *(f"soak worker crashed: {crash}" for crash in load.workers.crashes),
    ]


def growth_failures(grown: list[float], found: list[Stall], start_s: float) -> list[str]:
    first_s = grown[0] - start_s if grown else None
    print(f"soak growth first_after_s={'never' if first_s is None else f'{first_s:.1f}'}")
    failures = [f"no growth for {s.seconds:.1f}s from +{s.start_s - start_s:.0f}s" for s in found]
    if first_s is None or first_s > FIRST_GROWTH_LIMIT_S:
        failures.append(f"no candle grew in the first {FIRST_GROWTH_LIMIT_S:g}s")
    return failures


def request_failures(requests: RequestSummary, start_s: float) -> list[str]:
    def listed(what: str, found: list[Request]) -> list[str]:
        if not found:
            return []
        shown = ", ".join(
            f"{r.what} {r.status} {r.latency_s:.1f}s at +{r.at_s - start_s:.0f}s"
            for r in found[:10]
        )
        more = f" and {len(found) - 10} more" if len(found) > 10 else ""
        return [f"{len(found)} {what}: {shown}{more}"]

    return [
        *listed(f"requests slower than {SLOW_S:g}s", requests.slow),
        *listed("5xx answers", requests.errors_5xx),
        *listed("requests unanswered", requests.unanswered),
    ]


def process_failures(found: dict[str, ProcessFigures], watched: Iterable[str]) -> list[str]:
    failures = [
        f"{name} was never sampled after the warm-up" for name in watched if name not in found
    ]
    for name, f in found.items():
        judged = name in APP_SERVICES
        print(
            f"soak rss {name} warm_mb={f.warm_kb / 1024:.0f} last_mb={f.last_kb / 1024:.0f} "
            f"peak_mb={f.peak_kb / 1024:.0f} growth_pct={f.growth_pct:.1f} cpu_s={f.cpu_s:.0f}"
            + ("" if judged else " (not judged)")
        )
        if judged and f.growth_pct > RSS_GROWTH_LIMIT_PCT:
            failures.append(f"{name} RSS grew {f.growth_pct:.1f}% after warm-up")
    return failures


def restart_failures(load: SoakLoad, restart: Restart | None, end_s: float) -> list[str]:
    """Printed: how long the restart took, and the longest stall from its SIGTERM to
    RESTART_SETTLE_S after it was healthy again (the stalls themselves are judged above)."""
    if restart is None:
        return ["the soak ended before the consumer's restart"]
    settled_s = min(end_s, (restart.healthy_s or end_s) + RESTART_SETTLE_S)
    stall = longest_stall_around(load.growth.samples, restart.began_s, settled_s)
    healthy = "never" if restart.healthy_s is None else f"{restart.healthy_s - restart.began_s:.1f}"
    print(
        f"soak restart consumer exit={restart.exit_code} healthy_after_s={healthy} "
        f"longest_stall_s={'none seen' if stall is None else f'{stall:.1f}'}"
    )
    if restart.error:
        return [f"the consumer did not come back after its restart: {restart.error}"]
    if restart.exit_code != 0:
        return [f"the consumer's graceful stop exited {restart.exit_code}"]
    return []


def stream_failures(load: SoakLoad, start_s: float, end_s: float) -> list[str]:
    failures = []
    for watch in load.streams:
        gap = watch.longest_gap_s(start_s, end_s)
        print(f"soak stream {watch.symbol} events={len(watch.event_times)} longest_gap_s={gap:.1f}")
        if gap > STALL_LIMIT_S:
            failures.append(f"stream {watch.symbol}: {gap:.1f}s without an event")
        if watch.drops:
            shown = "; ".join(watch.drops[:3])
            failures.append(f"stream {watch.symbol} dropped {len(watch.drops)} times: {shown}")
    return failures
