"""Mongo stopped mid-run and started again: the consumer waits, then loses nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from pymongo import MongoClient

from coinstream_common.mongo import Document
from devstack.ferretdb import FerretDB, install_ferretdb
from devstack.net import free_port
from devstack.processes import ManagedProcess
from tests.support.candle_docs import counting, stored_one
from tests.support.pipeline import publish, running_consumer
from tests.support.ticks import T0, trade
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
SECOND = 1_000


class RestartableFerretDB:
    """A MongoDB-wire server of this test's own: same port and data across restarts."""

    def __init__(self, workdir: Path) -> None:
        self.server = FerretDB(install_ferretdb(), workdir, free_port())
        self._process: ManagedProcess | None = None
        self._starts = 0

    def start(self) -> None:
        self._starts += 1
        self._process = self.server.start(self.server.data_dir / f"ferretdb-{self._starts}.log")

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None


def write_failures() -> float:
    return REGISTRY.get_sample_value("consumer_write_failures_total") or 0.0


@pytest.fixture
def mongo(tmp_path: Path) -> Iterator[RestartableFerretDB]:
    own = RestartableFerretDB(tmp_path / "ferretdb")
    own.start()
    yield own
    own.stop()


def test_a_mongo_outage_pauses_the_consumer_and_loses_nothing(
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    mongo: RestartableFerretDB,
) -> None:
    topic, group = new_topic(partitions=1), new_group()
    client: MongoClient[Document] = MongoClient(mongo.server.uri, serverSelectionTimeoutMS=2000)
    db = client.outage

    def minute() -> Document | None:
        try:
            return stored_one(db, interval="1m")
        except Exception:  # noqa: BLE001 - the server may be down right now
            return None

    failures_before = write_failures()
    publish(kafka_bootstrap, topic, [trade(100.0 + i, T0 + i * SECOND) for i in range(10)])
    with running_consumer(kafka_bootstrap, topic, group, db, intervals="1m") as consumer:
        wait_until(minute, counting(10), what="the first ticks")
        mongo.stop()
        publish(
            kafka_bootstrap, topic, [trade(200.0 + i, T0 + (10 + i) * SECOND) for i in range(10)]
        )
        noticed = wait_until(
            write_failures,
            lambda failures: failures > failures_before,
            timeout_s=60,
            what="the consumer to notice the outage",
        )
        wait_until(
            write_failures,
            lambda failures: failures > noticed,
            timeout_s=60,
            what="a retry of the write to fail too",
        )
        assert consumer.is_alive()
        mongo.start()
        wait_until(
            minute,
            counting(20),
            timeout_s=60,
            what="the ticks published during the outage",
        )
    doc = minute()
    assert doc is not None
    assert (doc["open"], doc["close"], doc["high"], doc["count"]) == (100.0, 209.0, 209.0, 20)
    client.close()
