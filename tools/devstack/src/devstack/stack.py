"""Run the application services of docker-compose.yml as local processes, on loopback.

Each service gets the command, environment and healthcheck that the compose file gives
it, with these rewrites, and no others, because containers and loopback differ:
  - KAFKA_BOOTSTRAP_SERVERS and MONGO_URI point at the local servers (FerretDB has no
    users, so the URI carries no credentials);
  - a bind address of 0.0.0.0 becomes 127.0.0.1;
  - a URL naming another compose service (http://api:8000) names 127.0.0.1 instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

from devstack.compose import ServiceSpec, load_compose
from devstack.net import LOOPBACK, wait_until
from devstack.processes import ManagedProcess
from devstack.topics import ensure_topics, topic_plan

APP_SERVICES = ("producer", "consumer", "alerter", "api", "dashboard")


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    mongo_uri: str


def local_environment(
    spec: ServiceSpec, endpoints: Endpoints, service_names: Iterable[str]
) -> dict[str, str]:
    service_url = re.compile(rf"//({'|'.join(map(re.escape, service_names))}):")
    env: dict[str, str] = {}
    for key, value in spec.environment.items():
        if key == "KAFKA_BOOTSTRAP_SERVERS":
            env[key] = endpoints.kafka_bootstrap
        elif key == "MONGO_URI":
            env[key] = endpoints.mongo_uri
        elif value == "0.0.0.0":  # noqa: S104 - this is the address being replaced
            env[key] = LOOPBACK
        else:
            env[key] = service_url.sub(f"//{LOOPBACK}:", value)
    return env


def base_environment() -> dict[str, str]:
    """What a container would have anyway: a PATH whose python is this environment's."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {"PATH": path, "HOME": str(Path.home()), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}


class LocalStack:
    def __init__(
        self,
        root: Path,
        endpoints: Endpoints,
        variables: Mapping[str, str],
        log_dir: Path,
        *,
        echo: bool = False,
    ) -> None:
        self.root = root
        self.endpoints = endpoints
        self.services = load_compose(root / "docker-compose.yml", variables)
        self.log_dir = log_dir
        self._echo = echo
        self.processes: dict[str, ManagedProcess] = {}
        self._restarts: dict[str, int] = {}

    def environment(self, name: str) -> dict[str, str]:
        spec = self.services[name]
        return base_environment() | local_environment(spec, self.endpoints, self.services)

    def start(self, names: Iterable[str] = APP_SERVICES, timeout_s: float = 60.0) -> None:
        """Create the topics, then start services in dependency order, each once healthy."""
        ensure_topics(self.endpoints.kafka_bootstrap, topic_plan(self.services))
        wanted = set(names)
        graph = {n: [d for d in self.services[n].depends_on if d in wanted] for n in wanted}
        for name in TopologicalSorter(graph).static_order():
            self._start_one(name, timeout_s)

    def restart(self, name: str, timeout_s: float = 60.0) -> int:
        """Stop one service (SIGTERM, so it shuts down gracefully), then start it again
        and wait until it is healthy, like `docker compose restart`. Returns the stopped
        process's exit status. The new process logs to `<name>.<n>.log`, so the log of
        the one before it is kept."""
        code = self.processes[name].stop()
        self._restarts[name] = self._restarts.get(name, 0) + 1
        self._start_one(name, timeout_s)
        return code

    def _start_one(self, name: str, timeout_s: float) -> None:
        spec = self.services[name]
        restarts = self._restarts.get(name, 0)
        process = ManagedProcess(
            name,
            spec.command,
            env=self.environment(name),
            cwd=self.root,
            log_path=self.log_dir / (f"{name}.{restarts}.log" if restarts else f"{name}.log"),
            echo=self._echo,
        )
        self.processes[name] = process
        if spec.healthcheck is None:
            return

        def healthy() -> bool:
            if not process.alive():
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{process.tail()}")
            check = subprocess.run(
                spec.healthcheck or [],
                env=self.environment(name),
                cwd=self.root,
                capture_output=True,
                timeout=10,
                check=False,
            )
            return check.returncode == 0

        started = time.monotonic()
        wait_until(healthy, timeout_s, f"{name} to become healthy", interval_s=0.5)
        print(f"[devstack] {name} healthy after {time.monotonic() - started:.1f}s", flush=True)

    def stop(self) -> dict[str, int]:
        codes = {}
        for name in reversed(list(self.processes)):
            codes[name] = self.processes[name].stop()
        self.processes.clear()
        return codes
