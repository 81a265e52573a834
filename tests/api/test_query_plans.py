"""Every query the API sends is served by an index.

All of the API's reads go through CandleReader. Each of its methods is called with a
client that records the commands it sends, and each recorded command is then checked:
  - everywhere: its equality fields, then its range or sort field, are a prefix of one
    of the collection's indexes (what a query needs to be served by that index);
  - where the server reports a MongoDB plan: the winning plan scans that index
    (IXSCAN or DISTINCT_SCAN), with no COLLSCAN and no in-memory SORT.
FerretDB's SQLite backend answers explain with SQLite's own plan ("SCAN <table>") and
filterPushdown false for these filters: it filters in its own process whatever indexes
exist, so there only the first check can hold; its plan is recorded in the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from api.repository import CandleReader
from coinstream_common.intervals import Interval
from coinstream_common.mongo import CANDLES_COLLECTION, Document

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
    reader = CandleReader(client[seeded.name][CANDLES_COLLECTION])
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


def needed_prefix(command: dict[str, Any]) -> tuple[set[str], list[str]]:
    """Fields any order first (equalities), then fields in this order (range, then sort)."""
    query = command.get("filter", command.get("query")) or {}
    equal = {k for k, v in query.items() if not isinstance(v, dict)}
    ordered = [k for k, v in query.items() if isinstance(v, dict)]
    ordered += [k for k in command.get("sort", {}) if k not in ordered]
    if command.get("distinct"):
        ordered.append(command["key"])
    return equal, ordered


def covered_by(index: list[str], equal: set[str], ordered: list[str]) -> bool:
    width = len(equal)
    return set(index[:width]) == equal and index[width : width + len(ordered)] == ordered


def plan_stages(plan: dict[str, Any]) -> Iterator[str]:
    yield plan["stage"]
    for child in [plan.get("inputStage"), *plan.get("inputStages", [])]:
        if child:
            yield from plan_stages(child)


def test_every_read_is_served_by_an_index(
    recorded: list[dict[str, Any]],
    seeded: Database[Document],
    record_property: Callable[[str, object], None],
) -> None:
    assert {c.get("find") or c.get("distinct") for c in recorded} == {CANDLES_COLLECTION}
    assert len(recorded) >= 12
    indexes = [
        [k for k, _ in spec["key"]]
        for spec in seeded[CANDLES_COLLECTION].index_information().values()
    ]
    for command in recorded:
        equal, ordered = needed_prefix(command)
        assert any(covered_by(index, equal, ordered) for index in indexes), (command, indexes)
        explain_of = {
            k: v
            for k, v in command.items()
            if k not in {"lsid", "$db", "$clusterTime", "$readPreference"}
        }
        explained = seeded.command("explain", explain_of, verbosity="queryPlanner")
        planner = explained["queryPlanner"]
        if "winningPlan" in planner:
            stages = list(
                plan_stages(planner["winningPlan"].get("queryPlan", planner["winningPlan"]))
            )
            assert {"IXSCAN", "DISTINCT_SCAN"} & set(stages), (command, stages)
            assert not {"COLLSCAN", "SORT"} & set(stages), (command, stages)
        else:
            assert "ferretdbVersion" in explained["serverInfo"], explained
            record_property(f"ferretdb plan of {sorted(equal)}{ordered}", planner.get("Plan"))
