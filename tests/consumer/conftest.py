"""Consumer processes of a test's own, stopped and their databases dropped afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient

from coinstream_common.mongo import Document
from devstack.processes import ManagedProcess
from tests.support.consumer_process import consumer_process
from tests.support.servers import ServerAddresses


@pytest.fixture
def run_consumers(
    servers: ServerAddresses, mongo_client: MongoClient[Document], tmp_path: Path
) -> Iterator[Callable[..., ManagedProcess]]:
    """Start `python -m consumer` (on the session's broker unless `bootstrap` names other
    brokers); keyword settings become CONSUMER_<NAME> variables."""
    started: list[ManagedProcess] = []
    databases: list[str] = []

    def start(
        name: str,
        *,
        topic: str,
        group: str,
        database: str,
        bootstrap: str | None = None,
        **settings: str,
    ) -> ManagedProcess:
        process = consumer_process(
            name,
            bootstrap=bootstrap or servers.kafka_bootstrap,
            mongo_uri=servers.mongo_uri,
            database=database,
            topic=topic,
            group=group,
            log_dir=tmp_path,
            settings=settings,
        )
        started.append(process)
        databases.append(database)
        return process

    yield start
    for process in started:
        process.stop()
    for name in set(databases):
        mongo_client.drop_database(name)
