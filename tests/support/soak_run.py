"""Everything that runs beside the stack during a soak, started and stopped together."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path

from tests.support.soak_browser import DashboardWatch
from tests.support.soak_growth import GrowthWatch
from tests.support.soak_load import StreamWatch, follow_stream, poll_api
from tests.support.soak_processes import MachineCpu, ProcessWatch
from tests.support.soak_requests import RequestLog


class Workers:
    """Daemon threads whose crashes are kept, to be reported rather than lost."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.crashes: list[str] = []

    def start(self, name: str, target: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                target()
            except Exception as error:  # noqa: BLE001 - reported by the soak
                self.crashes.append(f"{name}: {error!r}")

        thread = threading.Thread(target=guarded, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self, timeout_s: float) -> list[str]:
        """Wait for all, `timeout_s` in all; the names of those still running."""
        deadline = time.monotonic() + timeout_s
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [thread.name for thread in self.threads if thread.is_alive()]


class SoakLoad:
    def __init__(
        self,
        *,
        api_url: str,
        dashboard_url: str,
        growth_symbol: str,
        since: datetime,
        stream_symbols: Sequence[str],
        pids: Mapping[str, Callable[[], int]],
    ) -> None:
        self.api_url = api_url
        self.stopping = threading.Event()
        self.log = RequestLog()
        self.growth = GrowthWatch(api_url, growth_symbol, since)
        self.streams = [StreamWatch(symbol) for symbol in stream_symbols]
        self.processes = ProcessWatch(pids)
        self.dashboard = DashboardWatch(dashboard_url)
        self.cpu = MachineCpu()
        self.workers = Workers()

    def start(self, api_clients: int, symbols: Sequence[str]) -> None:
        self.cpu = MachineCpu()  # counted from here
        stop, log = self.stopping, self.log
        self.workers.start("growth", lambda: self.growth.run(log, stop))
        self.workers.start("processes", lambda: self.processes.run(stop))
        self.workers.start("dashboard", lambda: self.dashboard.run(stop))
        for watch in self.streams:
            follow = partial(follow_stream, self.api_url, watch, log, stop)
            self.workers.start(f"stream-{watch.symbol}", follow)
        for seed in range(api_clients):
            self.workers.start(
                f"client-{seed}", partial(poll_api, self.api_url, symbols, log, stop, seed)
            )

    def stop(self, timeout_s: float) -> list[str]:
        """Stop every worker; the names of those that did not stop in `timeout_s`."""
        self.stopping.set()
        return self.workers.join(timeout_s)

    def save(self, path: Path, start_s: float) -> None:
        """Every measurement, times in seconds from `start_s`, to look into after a run."""

        def since(moment_s: float) -> float:
            return round(moment_s - start_s, 3)

        measured = {
            "growth": [[since(at_s), total] for at_s, total in self.growth.samples],
            "requests": [
                [r.what, since(r.at_s), round(r.latency_s, 4), r.status]
                for r in self.log.requests()
            ],
            "processes": {
                name: [[since(s.at_s), s.pid, s.rss_kb, s.cpu_s] for s in samples]
                for name, samples in self.processes.samples.items()
            },
            "streams": {
                w.symbol: {"events": [since(t) for t in w.event_times], "drops": w.drops}
                for w in self.streams
            },
            "dashboard": {"render_s": self.dashboard.render_s, "problems": self.dashboard.problems},
        }
        path.write_text(json.dumps(measured))
