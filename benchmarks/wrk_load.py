"""HTTP load from wrk (Debian's `wrk` 4.1): a C client, so the latencies it reports are
the server's and the loopback's, not a Python client's own event-loop queueing.

Each of `connections` keeps one request in flight and sends the next as soon as the last
is answered, for a fixed duration. wrk_report.lua prints exact percentiles and every kind
of error on one line; any error, non-2xx answer or timeout fails the benchmark, since
wrk leaves timed-out requests out of its latencies.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from support import require  # type: ignore[import-not-found]

REPORT = Path(__file__).resolve().with_name("wrk_report.lua")
ERRORS = ("non2xx", "connect", "read", "write", "timeout")


@dataclass(frozen=True)
class WrkResult:
    requests: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def wrk(url: str, connections: int, seconds: int, headers: dict[str, str]) -> WrkResult:
    binary = shutil.which("wrk")
    require(binary, "wrk is not installed: run tools/install-system-deps.sh")
    command = [
        str(binary),
        "--threads=1",  # one C thread keeps up with 50 connections and leaves a core to the API
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=60s",
        f"--script={REPORT}",
        *(f"--header={name}: {value}" for name, value in headers.items()),
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("WRK ")]
    require(result.returncode == 0 and len(lines) == 1, f"wrk failed:\n{output}")
    fields = {key: int(value) for key, value in (f.split("=") for f in lines[0].split()[1:])}
    errors = {kind: fields[kind] for kind in ERRORS if fields[kind]}
    require(not errors, f"wrk saw errors {errors}:\n{output}")
    require(fields["requests"] > 0, f"wrk completed no request:\n{output}")
    return WrkResult(
        fields["requests"],
        fields["p50_us"] / 1000,
        fields["p99_us"] / 1000,
        fields["max_us"] / 1000,
    )
