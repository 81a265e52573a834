"""Each process's resident memory and CPU time, sampled from /proc through a soak."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_S = 5.0
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcessSample:
    at_s: float  # time.monotonic()
    pid: int
    rss_kb: int
    cpu_s: float  # user and system time since the process started


def read_process(pid: int, at_s: float) -> ProcessSample | None:
    """None once the process has gone (or is a zombie, which has no VmRSS)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rss = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
    if not rss:
        return None
    # The fields after the command, which is in parentheses and may hold spaces; utime
    # and stime are the 14th and 15th fields of the line.
    fields = stat.rpartition(")")[2].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / TICKS_PER_S
    return ProcessSample(at_s, pid, int(rss[0]), cpu_s)


@dataclass(frozen=True)
class ProcessFigures:
    warm_kb: int  # the first sample at or after the warm-up
    last_kb: int
    peak_kb: int  # after the warm-up
    cpu_s: float  # used while watched, by every process the name had

    @property
    def growth_pct(self) -> float:
        return (self.last_kb - self.warm_kb) / self.warm_kb * 100


def figures(samples: list[ProcessSample], warm_s: float) -> ProcessFigures | None:
    warm = [s.rss_kb for s in samples if s.at_s >= warm_s]
    if not warm:
        return None
    by_pid: dict[int, list[float]] = {}
    for sample in samples:
        by_pid.setdefault(sample.pid, []).append(sample.cpu_s)
    cpu_s = sum(cpu[-1] - cpu[0] for cpu in by_pid.values())
    return ProcessFigures(warm[0], warm[-1], max(warm), cpu_s)


@dataclass
class ProcessWatch:
    """Samples each named process every SAMPLE_S; `pids` are asked at each sample, so a
    restarted service is followed to its new process."""

    pids: Mapping[str, Callable[[], int]]
    samples: dict[str, list[ProcessSample]] = field(default_factory=dict)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.sample()
            stop.wait(SAMPLE_S)
        self.sample()

    def sample(self) -> None:
        now = time.monotonic()
        for name, pid_of in self.pids.items():
            sample = read_process(pid_of(), now)
            if sample is not None:
                self.samples.setdefault(name, []).append(sample)

    def figures(self, warm_s: float) -> dict[str, ProcessFigures]:
        found = {name: figures(samples, warm_s) for name, samples in self.samples.items()}
        return {name: f for name, f in found.items() if f is not None}


class MachineCpu:
    """How busy all cores were since this was made, and the CPU this process used."""

    def __init__(self) -> None:
        self._busy, self._total = self._read()
        self._own = time.process_time()

    @staticmethod
    def _read() -> tuple[int, int]:
        """Busy and total clock ticks since boot over all cores (/proc/stat's cpu line)."""
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        total = sum(ticks[:8])  # guest time is in user time already
        return total - ticks[3] - ticks[4], total  # idle and iowait are not busy

    def busy_pct(self) -> float:
        busy, total = self._read()
        return (busy - self._busy) / max(1, total - self._total) * 100

    def own_s(self) -> float:
        return time.process_time() - self._own
