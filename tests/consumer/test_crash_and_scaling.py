"""The consumer as processes: killed with SIGKILL at random moments, and scaled out.

Both compare every candle document, and the late topic, with those of one consumer that
read the same topic once it was all published. The stream (tests/support/live_market.py)
ends live, on the wall clock, with a sparse series among busy ones: idle close is on, at
its default timeout, and must decide alike however the topic was read.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable

import pytest
from pymongo import MongoClient

from coinstream_common.mongo import Document
from devstack.processes import ManagedProcess
from tests.support.candle_docs import assert_same_candles, candles, late_records, raw_offsets
from tests.support.consumer_process import settle
from tests.support.live_market import MarketPlan, MarketPublisher
from tests.support.servers import ServerAddresses
from tests.support.topics import create_side_topics

pytestmark = pytest.mark.integration
SYMBOLS = [f"C{i}-USD" for i in range(10)]
HOUR = 3_600_000
Stored = tuple[dict[str, Document], dict[tuple[str, str], str]]  # candles, late records


def steady_run(
    run_consumers: Callable[..., ManagedProcess],
    bootstrap: str,
    topic: str,
    mongo_client: MongoClient[Document],
) -> Stored:
    """One consumer, never stopped, reading the whole topic; side outputs of its own."""
    suffix = topic.rsplit("-", 1)[-1]
    group, database, prefix = f"steady-{suffix}", f"steady_{suffix}", f"{topic}.steady"
    create_side_topics(bootstrap, prefix)
    process = run_consumers(
        "steady",
        topic=topic,
        group=group,
        database=database,
        late_topic=f"{prefix}.late",
        dead_letter_topic=f"{prefix}.dlq",
    )
    started = time.monotonic()
    settle(bootstrap, group, topic, [process])
    print(f"steady run caught up and settled in {time.monotonic() - started:.1f}s")
    assert process.stop() == 0
    return candles(mongo_client[database]), late_records(bootstrap, prefix)


def assert_same_as_steady(got: Stored, expected: Stored) -> None:
    assert_same_candles(got[0], expected[0])
    assert got[1] == expected[1]
    # Real comparisons: the history has late ticks, and the sparse series its candles.
    assert expected[1], "no late record: the late topic was not compared"
    assert any(doc["source"] == "kraken" for doc in expected[0].values())


def test_sigkill_at_random_moments_changes_no_candle(
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    run_consumers: Callable[..., ManagedProcess],
    mongo_client: MongoClient[Document],
) -> None:
    bootstrap = servers.kafka_bootstrap
    topic = new_topic(partitions=3)
    suffix = topic.rsplit("-", 1)[-1]
    plan = MarketPlan(
        SYMBOLS,
        history_ticks=80_000,
        history_span_ms=2 * HOUR,
        history_seconds=20,
        live_seconds=70,
    )
    market = MarketPublisher(plan, bootstrap, topic)
    market.start()

    group, database = f"crashy-{suffix}", f"crashy_{suffix}"
    rng = random.Random(20261122)
    kills: list[int | None] = []
    while market.is_alive() or len(kills) < 5:
        process = run_consumers(f"crashy-{len(kills)}", topic=topic, group=group, database=database)
        time.sleep(rng.uniform(2.0, 5.0))  # a random moment of its run to be killed at
        process.signal(signal.SIGKILL)
        kills.append(process.stop())
    market.finish()
    last = run_consumers("crashy-last", topic=topic, group=group, database=database)
    started = time.monotonic()
    settle(bootstrap, group, topic, [last])
    print(f"{len(kills)} kills; the last consumer settled in {time.monotonic() - started:.1f}s")
    assert last.stop() == 0
    assert len(kills) >= 5
    assert set(kills) == {-signal.SIGKILL}

    crashy = mongo_client[database]
    expected = steady_run(run_consumers, bootstrap, topic, mongo_client)
    assert len(expected[0]) > 1_000
    assert_same_as_steady((candles(crashy), late_records(bootstrap, topic)), expected)
    # Raw ticks too: every offset stored once, duplicates (re-sent copies) not at all.
    offsets = raw_offsets(crashy)
    assert offsets == raw_offsets(mongo_client[f"steady_{suffix}"])
    assert len(offsets) == len(set(offsets)) > plan.history_ticks


@pytest.mark.parametrize("consumers", [2, 3])
def test_more_consumers_in_a_group_give_identical_candles(
    consumers: int,
    servers: ServerAddresses,
    new_topic: Callable[..., str],
    run_consumers: Callable[..., ManagedProcess],
    mongo_client: MongoClient[Document],
) -> None:
    bootstrap = servers.kafka_bootstrap
    topic = new_topic(partitions=3)
    suffix = topic.rsplit("-", 1)[-1]
    plan = MarketPlan(
        SYMBOLS, history_ticks=30_000, history_span_ms=HOUR, history_seconds=8, live_seconds=45
    )
    market = MarketPublisher(plan, bootstrap, topic)
    market.start()
    group, database = f"scaled-{suffix}", f"scaled_{suffix}"
    processes = []
    for n in range(consumers):
        # Staggered starts: each join rebalances the group while ticks flow.
        processes.append(run_consumers(f"scaled-{n}", topic=topic, group=group, database=database))
        time.sleep(2.0)
    market.finish()
    settle(bootstrap, group, topic, processes)
    assert all(p.stop() == 0 for p in processes)
    expected = steady_run(run_consumers, bootstrap, topic, mongo_client)
    got = candles(mongo_client[database]), late_records(bootstrap, topic)
    assert_same_as_steady(got, expected)
