"""The alerter as a process (`python -m alerter`) of a test's own, stopped and its
database dropped afterwards."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient

from coinstream_common.mongo import Document
from devstack.net import free_port
from devstack.processes import ManagedProcess
from tests.consumer.conftest import run_consumers
from tests.support.servers import ServerAddresses

ROOT = Path(__file__).resolve().parents[2]
__all__ = ["run_alerter", "run_consumers"]


@pytest.fixture
def run_alerter(
    servers: ServerAddresses, mongo_client: MongoClient[Document], tmp_path: Path
) -> Iterator[Callable[..., ManagedProcess]]:
    started: list[ManagedProcess] = []
    databases: set[str] = set()

    def start(
        *,
        topic: str,
        group: str,
        database: str,
        alerts_topic: str,
        rules: str,
        index: bool = False,
        **settings: str,
    ) -> ManagedProcess:
        rules_file = tmp_path / f"rules-{len(started)}.yml"
        rules_file.write_text(rules)
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(Path.home()),
            "KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap,
            "KAFKA_TICKS_TOPIC": topic,
            "MONGO_URI": servers.mongo_uri,
            "MONGO_DATABASE": database,
            "ALERT_RULES_FILE": str(rules_file),
            "ALERT_GROUP_ID": group,
            "ALERT_TOPIC": alerts_topic,
            "ALERT_FLUSH_INTERVAL_MS": "100",
            "METRICS_PORT": str(free_port()),
            "LOG_LEVEL": "INFO",
            # The index publishes ticks into the topic: only the tests of it want that.
            "INDEX_ENABLED": str(index).lower(),
            **{f"ALERT_{k.upper()}": v for k, v in settings.items()},
        }
        process = ManagedProcess(
            f"alerter-{len(started)}",
            [sys.executable, "-m", "alerter"],
            env=env,
            cwd=ROOT,
            log_path=tmp_path / f"alerter-{len(started)}.log",
        )
        started.append(process)
        databases.add(database)
        return process

    yield start
    for process in started:
        process.stop()
    for name in databases:
        mongo_client.drop_database(name)
