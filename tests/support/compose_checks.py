"""What a running compose stack is checked for, through its published ports."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from coinstream_common.ticks import Tick
from tests.support.topics import read_ticks
from tests.support.waiting import wait_until

SERIES = {"source": "simulated", "symbol": "BTC-USD", "interval": "1m"}


def minute_start(moment: datetime) -> str:
    """The start of the minute of `moment`, as the API writes times."""
    return moment.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def candles(api: str, **params: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{api}/v1/candles", params=SERIES | params, timeout=10)
    answer.raise_for_status()
    page: list[dict[str, Any]] = answer.json()["candles"]
    return page


def assert_no_tick_lost_or_counted_twice(api: str, kafka: str, fault_at: datetime) -> None:
    """Every live simulated trade reached the topic; and once the minute of `fault_at` is
    final, each final 1m candle from three minutes before it holds exactly the ticks of its
    minute that the topic holds, each counted once."""
    since = (fault_at - timedelta(minutes=3)).isoformat()

    def final() -> dict[str, int]:
        return {c["start"]: c["count"] for c in candles(api, start=since) if c["final"]}

    wait_until(
        lambda: minute_start(fault_at) in final(),
        timeout_s=150,
        what="the minute of the fault to close",
    )
    served = final()
    ticks = read_ticks(kafka, "ticks", timeout_s=120)
    assert_every_live_trade_arrived(ticks)
    in_topic = {
        tick.event_id: tick
        for tick in ticks
        if (tick.source, tick.symbol) == (SERIES["source"], SERIES["symbol"])
    }
    per_minute = Counter(
        minute_start(datetime.fromtimestamp(tick.event_time / 1000, UTC))
        for tick in in_topic.values()
    )
    assert served == {start: per_minute[start] for start in served}


def assert_every_live_trade_arrived(ticks: list[Tick]) -> None:
    """The simulated source numbers its live trades across symbols (event id
    `simulated:SYMBOL:trade:TIME-NUMBER`); each symbol's partition holds them in order, so
    every number up to the lowest of the symbols' highest must be there."""
    numbers: dict[str, list[int]] = defaultdict(list)
    for tick in ticks:
        trade_id = tick.event_id.rsplit(":", 1)[1]
        if tick.source == "simulated" and not trade_id.startswith("history-"):
            numbers[tick.symbol].append(int(trade_id.rsplit("-", 1)[1]))
    assert numbers, "no live simulated trade in the topic"
    everything = sorted(n for each in numbers.values() for n in each)
    upto = min(max(each) for each in numbers.values())
    present = [n for n in everything if n <= upto]
    assert present == list(range(everything[0], upto + 1)), "a trade is missing or repeated"
