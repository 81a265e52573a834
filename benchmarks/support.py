"""What benchmarks share: the servers to run against, and robust statistics."""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from devstack.servers import start_local_servers
from devstack.stack import Endpoints


@contextlib.contextmanager
def bench_servers() -> Iterator[Endpoints]:
    """Servers named by the environment, or a fresh local Kafka and FerretDB."""
    kafka, mongo = (
        os.environ.get("COINSTREAM_TEST_KAFKA"),
        os.environ.get("COINSTREAM_TEST_MONGO_URI"),
    )
    if kafka and mongo:
        yield Endpoints(kafka, mongo)
        return
    with tempfile.TemporaryDirectory(prefix="coinstream-bench-") as data_dir:
        servers = start_local_servers(Path(data_dir))
        try:
            yield servers.endpoints
        finally:
            servers.stop()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return (
        statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]
        if len(ordered) > 1
        else ordered[0]
    )


def require(condition: object, message: str) -> None:
    """A benchmark that measured something other than what it claims must fail loudly."""
    if not condition:
        raise RuntimeError(message)


def bench_line(name: str, **values: float | int | str) -> str:
    def show(value: float | int | str) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    return " ".join([f"BENCH {name}", *(f"{k}={show(v)}" for k, v in values.items())])
