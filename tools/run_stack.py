"""`make run`: the whole coinstream stack on 127.0.0.1, without Docker. Ctrl-C stops it.

`make run CLUSTER=3` (LOCAL_KAFKA_BROKERS=3) runs it on three Kafka brokers instead of
one, on ports LOCAL_KAFKA_PORT and up, with topics of three replicas, two in sync; the
shell's KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS still win.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from dotenv import dotenv_values

from devstack.servers import (
    LocalServers,
    Stoppable,
    start_local_cluster_servers,
    start_local_servers,
)
from devstack.stack import LocalStack

ROOT = Path(__file__).resolve().parents[1]
RUN_DIR = ROOT / ".run"
KAFKA_PORT = int(os.environ.get("LOCAL_KAFKA_PORT", "19092"))
MONGO_PORT = int(os.environ.get("LOCAL_MONGO_PORT", "27017"))
BROKERS = int(os.environ.get("LOCAL_KAFKA_BROKERS") or "1")
# Over .env, which .env.example makes 1 and 1, so that CLUSTER=3 alone replicates.
CLUSTER_TOPIC_SETTINGS = {"KAFKA_REPLICATION_FACTOR": "3", "KAFKA_MIN_INSYNC_REPLICAS": "2"}


def start_servers() -> LocalServers[Stoppable]:
    if BROKERS == 1:
        return start_local_servers(RUN_DIR, kafka_port=KAFKA_PORT, mongo_port=MONGO_PORT)
    ports = [KAFKA_PORT + n for n in range(BROKERS)]
    return start_local_cluster_servers(
        RUN_DIR, brokers=BROKERS, kafka_ports=ports, mongo_port=MONGO_PORT
    )


def main() -> int:
    # Like Docker Compose: .env first, the shell's environment wins.
    variables = {k: v for k, v in dotenv_values(ROOT / ".env").items() if v is not None}
    if BROKERS > 1:
        variables |= CLUSTER_TOPIC_SETTINGS
    variables |= os.environ
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    started = time.monotonic()
    servers = stack = None
    try:
        servers = start_servers()
        stack = LocalStack(ROOT, servers.endpoints, variables, RUN_DIR / "logs", echo=True)
        stack.start()
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        api, dash = stack.environment("api"), stack.environment("dashboard")
        print(
            f"[devstack] up in {time.monotonic() - started:.1f}s: "
            f"dashboard http://127.0.0.1:{dash['STREAMLIT_SERVER_PORT']}  "
            f"API http://127.0.0.1:{api['API_PORT']}/docs  "
            f"Kafka {servers.endpoints.kafka_bootstrap}  Mongo {servers.endpoints.mongo_uri}  "
            "(Ctrl-C stops everything)",
            flush=True,
        )
        while not stopping:
            dead = [n for n, p in stack.processes.items() if not p.alive()]
            if dead:
                print(f"[devstack] {', '.join(dead)} exited; stopping", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        print("[devstack] stopping", flush=True)
        if stack is not None:
            stack.stop()
        if servers is not None:
            servers.stop()


if __name__ == "__main__":
    sys.exit(main())
