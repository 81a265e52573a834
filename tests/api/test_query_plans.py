"""Every read the API sends costs what it returns: an `_id` lookup, on every server.

All of the API's reads go through CandleReader. Each of its methods is called with a
client that records the commands it sends. A find must look one document up by `_id`
(the only filter FerretDB pushes down to its storage; an index lookup on MongoDB), except
for the two that list series, which read the series collection: a document per (source,
symbol, interval), however long the history. Where the server reports a MongoDB plan,
an `_id` lookup is an IDHACK or an index scan, never a collection scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from api.repository import CandleReader
from coinstream_common.candle_buckets import BUCKETS_COLLECTION, SERIES_COLLECTION
from coinstream_common.intervals import Interval
from coinstream_common.mongo import Document

pytestmark = pytest.mark.integration
READS = {"find", "distinct"}


class Recorder(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in READS:
            self.commands.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def recorded(mongo_uri: str, seeded: Database[Document]) -> Iterator[list[dict[str, Any]]]:
    recorder = Recorder()
    client: MongoClient[Document] = MongoClient(
        mongo_uri, tz_aware=True, event_listeners=[recorder]
    )
    reader = CandleReader(client[seeded.name])
    now = datetime.now(UTC)
    calls: list[Callable[[], object]] = [
        lambda: reader.page(
            "simulated",
            "ETH-USD",
            Interval.M1,
            start=now - timedelta(hours=1),
            end=now,
            after=None,
            limit=5,
        ),
        lambda: reader.page(
            "simulated",
            "ETH-USD",
            Interval.M1,
            start=now - timedelta(hours=1),
            end=now,
            after=now - timedelta(minutes=5),
            limit=5,
        ),
        lambda: reader.newest("simulated", "ETH-USD", Interval.M1, 2),
        lambda: reader.since("simulated", "ETH-USD", Interval.M1, now - timedelta(minutes=10), 50),
        lambda: reader.stats_rows("simulated", "ETH-USD", Interval.M1, now - timedelta(hours=24)),
        lambda: reader.newest_finest("coingecko", "BTC-USD"),
        lambda: reader.oldest_start("simulated", "ETH-USD", Interval.M1),
        lambda: reader.pairs(("simulated", "coingecko")),
        reader.newest_update,
    ]
    for call in calls:
        call()
    yield recorder.commands
    client.close()


def plan_stages(plan: dict[str, Any]) -> Iterator[str]:
    yield plan["stage"]
    for child in [plan.get("inputStage"), *plan.get("inputStages", [])]:
        if child:
            yield from plan_stages(child)


def test_every_read_is_a_lookup_by_id_or_a_list_of_series(
    recorded: list[dict[str, Any]],
    seeded: Database[Document],
    record_property: Callable[[str, object], None],
) -> None:
    assert {c["find"] for c in recorded} == {BUCKETS_COLLECTION, SERIES_COLLECTION}
    assert len(recorded) >= 12
    listings = [c for c in recorded if set(c.get("filter", {})) != {"_id"}]
    # pairs() and newest_update() list the series: a document per series, nothing more.
    assert [(c["find"], c.get("filter", {})) for c in listings] == [(SERIES_COLLECTION, {})] * 2
    for command in recorded:
        if command in listings:
            continue
        assert isinstance(command["filter"]["_id"], str), command
        explain_of = {
            k: v
            for k, v in command.items()
            if k not in {"lsid", "$db", "$clusterTime", "$readPreference"}
        }
        explained = seeded.command("explain", explain_of, verbosity="queryPlanner")
        planner = explained["queryPlanner"]
        if "winningPlan" in planner:
            stages = set(
                plan_stages(planner["winningPlan"].get("queryPlan", planner["winningPlan"]))
            )
            assert stages & {"IDHACK", "IXSCAN", "EXPRESS_IXSCAN"}, (command, stages)
            assert "COLLSCAN" not in stages, (command, stages)
        else:
            assert "ferretdbVersion" in explained["serverInfo"], explained
            plan = planner.get("Plan")
            record_property(f"ferretdb plan of {command['find']}", plan)
            assert not any("detail=SCAN" in step for step in plan), plan
