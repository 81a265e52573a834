"""A source's life in the producer, on a fake clock: start, backfill, polls and failures.

The publisher is real, on a Kafka client with no broker: these tests look at what is
handed over and when, not at deliveries (the integration tests do).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping, Sequence

import pytest
from confluent_kafka import Producer
from prometheus_client import REGISTRY

from coinstream_common.settings import KafkaSettings
from devstack.net import free_port
from producer.checkpoints import Checkpoint
from producer.feed import ROOM_CHECK_S, STARTUP_RETRY_S, Feed, Outlet
from producer.progress import CursorTracker
from producer.publisher import TickPublisher, producer_config
from producer.sources.base import PollResult, SourceConfigError, SourceError
from tests.support.fake_clock import FakeClock
from tests.support.ticks import T0, trade

DAY_MS = 24 * 3600 * 1000


class ScriptedSource:
    """A source that plays a script: each start/poll/history call takes the next outcome."""

    name = "scripted"
    poll_interval_s = 2.0
    supports_history = True
    streams: Sequence[str] = ("BTC-USD",)

    def __init__(self, *outcomes: PollResult | SourceError) -> None:
        self._outcomes = list(outcomes)
        self.calls: list[str] = []

    def _next(self, call: str) -> PollResult:
        self.calls.append(call)
        outcome = self._outcomes.pop(0) if self._outcomes else PollResult()
        if isinstance(outcome, SourceError):
            raise outcome
        return outcome

    async def start(self, cursors: Mapping[str, str]) -> None:
        self._next(f"start {dict(cursors)}")

    async def poll(self) -> PollResult:
        return self._next("poll")

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:
        return self._next(f"history {stream} {until_ms - since_ms}")


@pytest.fixture
def publisher() -> Iterator[TickPublisher]:
    nowhere = KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}")
    producer = Producer(producer_config(nowhere, capacity=100) | {"log_level": 0})
    yield TickPublisher(producer, "ticks", capacity=100)
    producer.purge()


def feed(
    source: ScriptedSource,
    publisher: TickPublisher,
    clock: FakeClock,
    saved: dict[tuple[str, str], Checkpoint] | None = None,
) -> tuple[Feed, CursorTracker]:
    tracker = CursorTracker(saved or {})
    outlet = Outlet(publisher, tracker)
    return Feed(source, outlet, backfill_ms=DAY_MS, clock=clock, now=lambda: T0), tracker


async def run_for(feed_: Feed, clock: FakeClock, seconds: float) -> None:
    """Run the feed until the fake clock has moved `seconds` on."""
    task = asyncio.create_task(feed_.run())
    end = clock.now + seconds
    while clock.now < end and not task.done():
        await asyncio.sleep(0)  # the feed's turn: its sleeps move the fake clock on
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_start_retries_what_may_pass_and_stops_at_a_configuration_error(
    publisher: TickPublisher, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    saved = {("scripted", "BTC-USD"): Checkpoint("41")}
    flaky = ScriptedSource(SourceError("timeout", "read timed out"), PollResult())
    flaky_feed, _ = feed(flaky, publisher, clock, saved)
    await flaky_feed.start()
    assert flaky.calls == ["start {'BTC-USD': '41'}"] * 2
    assert clock.sleeps == [STARTUP_RETRY_S]
    assert [getattr(r, "reason", None) for r in caplog.records] == ["timeout"]

    broken = ScriptedSource(SourceConfigError("restricted_location", "451"))
    broken_feed, _ = feed(broken, publisher, clock)
    with pytest.raises(SourceConfigError):
        await broken_feed.start()
    assert len(broken.calls) == 1


async def test_a_failed_poll_is_counted_logged_and_waited_for(
    publisher: TickPublisher, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    ticks = [trade(100.0, T0 - 10, source="scripted")]
    source = ScriptedSource(
        PollResult(),  # history: nothing to backfill
        SourceError("rate_limited", "429", retry_after_s=30.0),
        SourceError("circuit_open", "5 failures in a row", retry_after_s=0.5),
        PollResult(ticks=ticks, cursors={"BTC-USD": "7"}),
    )
    before = REGISTRY.get_sample_value(
        "producer_polls_total", {"source": "scripted", "outcome": "rate_limited"}
    )
    scripted_feed, tracker = feed(source, publisher, clock)
    await run_for(scripted_feed, clock, 34)
    assert source.calls[:4] == [f"history BTC-USD {DAY_MS}", "poll", "poll", "poll"]
    # After a Retry-After of 30 s, the next poll waits 30 s; otherwise the poll interval.
    assert clock.sleeps[:3] == [30.0, 2.0, 2.0]
    failed = [r for r in caplog.records if r.getMessage() == "poll failed"]
    assert [(r.levelname, getattr(r, "reason", None)) for r in failed] == [
        ("WARNING", "rate_limited"),
        ("WARNING", "circuit_open"),
    ]
    after = REGISTRY.get_sample_value(
        "producer_polls_total", {"source": "scripted", "outcome": "rate_limited"}
    )
    assert (after or 0) - (before or 0) == 1
    assert publisher.depth == 1
    # The (empty) backfill is done; cursor 7 waits for its tick to be acknowledged.
    assert tracker.settled() == [(("scripted", "BTC-USD"), Checkpoint(backfilled=True))]


async def test_a_failed_backfill_leaves_no_marker_and_a_done_one_is_not_repeated(
    publisher: TickPublisher, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    failing = ScriptedSource(SourceError("http_502", "bad gateway"))
    failing_feed, tracker = feed(failing, publisher, clock)
    await run_for(failing_feed, clock, 1)
    assert tracker.settled() == []  # no backfill marker: the next start tries again
    assert any(r.getMessage() == "backfill failed" for r in caplog.records)

    done = ScriptedSource()
    saved = {("scripted", "BTC-USD"): Checkpoint("9", backfilled=True)}
    done_feed, _ = feed(done, publisher, clock, saved)
    await run_for(done_feed, clock, 1)
    assert done.calls[0] == "poll"


async def test_polling_pauses_while_the_buffer_is_full(
    publisher: TickPublisher, clock: FakeClock
) -> None:
    publisher.publish_all([trade(100.0, T0 + i, source="filler") for i in range(60)])
    assert not publisher.has_room()
    source = ScriptedSource()
    saved = {("scripted", "BTC-USD"): Checkpoint(backfilled=True)}
    paused, _ = feed(source, publisher, clock, saved)
    await run_for(paused, clock, 5)
    assert source.calls == []
    assert set(clock.sleeps) == {ROOM_CHECK_S}


@pytest.fixture(autouse=True)
def _warnings_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="producer.feed")
