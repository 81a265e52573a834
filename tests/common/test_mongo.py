"""Shared Mongo access against the real server: bulk replacements go out in small commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from coinstream_common.candle_store import CandleRepository
from coinstream_common.mongo import MAX_UPDATES_PER_COMMAND, Document
from tests.support.candles import candle_series
from tests.support.ticks import T0

pytestmark = pytest.mark.integration


class UpdateCommands(monitoring.CommandListener):
    """How many statements each `update` command sent carried."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update":
            self.sizes.append(len(event.command["updates"]))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        del event

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        del event


@pytest.fixture
def watched(
    mongo_uri: str, new_database: Callable[[], Database[Document]]
) -> Iterator[tuple[Database[Document], UpdateCommands]]:
    listener = UpdateCommands()
    client: MongoClient[Document] = MongoClient(
        mongo_uri, tz_aware=True, socketTimeoutMS=20_000, event_listeners=[listener]
    )
    yield client[new_database().name], listener
    client.close()


def test_updating_many_existing_documents_goes_out_in_commands_of_bounded_size(
    watched: tuple[Database[Document], UpdateCommands],
) -> None:
    db, listener = watched
    # Two candles of each of 250 symbols: 250 buckets and 250 series documents, twice.
    candles = [c for n in range(250) for c in candle_series(T0, 2, symbol=f"S{n}-USD")]
    repository = CandleRepository(db)
    repository.upsert_many(candles)  # inserted: 250 buckets and 250 series
    repository.upsert_many([c.model_copy(update={"final": True}) for c in candles])  # updated
    assert all(c.final for c in repository.all_candles())
    assert max(listener.sizes) <= MAX_UPDATES_PER_COMMAND
    assert sum(listener.sizes) == 1000
