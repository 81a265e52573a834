"""/v1/stream over a real socket: uvicorn on a loopback port, httpx reading the events."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
from pymongo.database import Database

from coinstream_common.alerts import AlertRecord, alert_document
from coinstream_common.candle_store import CandleRepository
from coinstream_common.candles import Candle
from coinstream_common.mongo import Document

pytestmark = pytest.mark.integration
ETH = {"source": "simulated", "symbol": "ETH-USD", "interval": "1m"}


@dataclass
class Event:
    kind: str | None
    id: str | None
    data: dict[str, Any] | None
    comment: str | None


def events(lines: Iterator[str]) -> Iterator[Event]:
    """Parse the text/event-stream wire format, one event per blank line."""
    fields: dict[str, str] = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            fields[name or "comment"] = value.removeprefix(" ")
            continue
        if fields:
            data = fields.get("data")
            yield Event(
                fields.get("event"),
                fields.get("id"),
                orjson.loads(data) if data else None,
                fields.get("comment"),
            )
        fields = {}


def start_ms(candle: Candle) -> int:
    return int(candle.start.timestamp() * 1000)


def take(stream: Iterator[Event], wanted: int, *, kind: str | None = None) -> list[Event]:
    got: list[Event] = []
    deadline = time.monotonic() + 15
    for event in stream:
        if kind is None or event.kind == kind:
            got.append(event)
        if len(got) == wanted or time.monotonic() > deadline:
            break
    return got


def until(stream: Iterator[Event], wanted: Callable[[Event], bool]) -> list[Event]:
    """Events up to and including the first one that is `wanted` (snapshots may repeat)."""
    seen = []
    deadline = time.monotonic() + 15
    for event in stream:
        seen.append(event)
        if wanted(event) or time.monotonic() > deadline:
            return seen
    return seen


def test_a_client_gets_the_current_state_then_live_updates(
    live_url: str, seeded: Database[Document], recent_eth: list[Candle]
) -> None:
    with httpx.stream("GET", f"{live_url}/v1/stream", params=ETH, timeout=20) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = events(response.iter_lines())
        first = take(stream, 3)
        assert [e.kind for e in first] == ["candle", "candle", "price"]
        assert [e.data["close"] for e in first[:2] if e.data] == [3088.0, 3089.0]
        assert first[2].data is not None
        assert first[2].data["price"] == 3089.0
        newest = recent_eth[-1]
        CandleRepository(seeded).upsert_many(
            [newest.model_copy(update={"close": 4000.0, "high": 4000.0, "count": 3})]
        )
        updates = until(
            stream, lambda e: e.kind == "price" and (e.data or {}).get("price") == 4000.0
        )
    changed = [e for e in updates if e.kind == "candle" and e.data and e.data["count"] == 3]
    assert changed
    assert changed[0].data is not None
    assert (changed[0].data["close"], changed[0].id) == (4000.0, f"{start_ms(newest)}-3")
    assert updates[-1].data == {
        "source": "simulated",
        "symbol": "ETH-USD",
        "price": 4000.0,
        "time": newest.last_event_time.isoformat(timespec="microseconds").replace("+00:00", "Z"),
    }


def test_candle_events_carry_ids_and_hide_internal_fields(live_url: str) -> None:
    with httpx.stream("GET", f"{live_url}/v1/stream", params=ETH, timeout=20) as response:
        candle = take(events(response.iter_lines()), 1, kind="candle")[0]
    assert candle.id is not None
    start_ms, count = candle.id.split("-")
    assert count == "2"
    assert candle.data is not None
    assert not {"notional", "sum_price", "open_event_id", "close_event_id"} & set(candle.data)
    assert (candle.data["source"], candle.data["symbol"], candle.data["interval"]) == (
        "simulated",
        "ETH-USD",
        "1m",
    )
    assert int(start_ms) % 60_000 == 0


def test_a_reconnecting_client_resumes_from_last_event_id(
    live_url: str, recent_eth: list[Candle]
) -> None:
    last_id = f"{start_ms(recent_eth[-5])}-2"
    headers = {"Last-Event-ID": last_id}
    with httpx.stream(
        "GET", f"{live_url}/v1/stream", params=ETH, headers=headers, timeout=20
    ) as response:
        replay = take(events(response.iter_lines()), 6, kind="candle")
    # The window before the last one seen is replayed too: a late tick may have changed it.
    assert [e.data["start"] for e in replay if e.data] == [
        c.start.isoformat().replace("+00:00", "Z") for c in recent_eth[-6:]
    ]


def test_heartbeats_keep_an_idle_stream_open(live_url: str) -> None:
    with httpx.stream("GET", f"{live_url}/v1/stream", params=ETH, timeout=20) as response:
        stream = events(response.iter_lines())
        take(stream, 3)
        idle = until(stream, lambda e: e.comment is not None)
    assert idle[-1].comment == "heartbeat"
    # Before it, at most the poller's first look at the data (a repeat of the snapshot).
    assert len(idle) <= 4


def test_clients_share_one_poller(live_url: str) -> None:
    def polls() -> float:
        text = httpx.get(f"{live_url}/metrics").text
        line = next(
            (x for x in text.splitlines() if x.startswith('api_stream_polls_total{outcome="ok"}')),
            "x 0",
        )
        return float(line.split()[-1])

    with (
        httpx.stream("GET", f"{live_url}/v1/stream", params=ETH, timeout=20) as one,
        httpx.stream("GET", f"{live_url}/v1/stream", params=ETH, timeout=20) as two,
    ):
        # Keep both readers referenced: a collected one would close its connection.
        readers = [events(one.iter_lines()), events(two.iter_lines())]
        for reader in readers:
            take(reader, 3)
        clients = next(
            x
            for x in httpx.get(f"{live_url}/metrics").text.splitlines()
            if x.startswith("api_stream_clients ")
        )
        before = polls()
        time.sleep(1.0)  # the second whose polls are counted
        during = polls() - before
    assert float(clients.split()[-1]) >= 2
    # poll_s is 0.1: one poller makes about ten polls a second, not ten per client.
    assert 1 <= during <= 15


def test_alerts_on_the_series_come_in_the_snapshot_and_live(
    live_url: str, seeded: Database[Document]
) -> None:
    now_ms = int(time.time() * 1000)
    active = pipeline_alert("lag", "consumer", now_ms - 60_000)
    other_series = pipeline_alert("move", "simulated/BTC-USD", now_ms - 60_000)
    seeded["alerts"].insert_many([alert_document(active), alert_document(other_series)])

    with httpx.stream("GET", f"{live_url}/v1/stream", params=ETH, timeout=20) as response:
        stream = events(response.iter_lines())
        # On the whole pipeline: shown beside every series.
        snapshot = until(stream, lambda e: e.kind == "alert")
        raised = pipeline_alert("move", "simulated/ETH-USD", now_ms)
        seeded["alerts"].insert_one(alert_document(raised))
        live = until(stream, lambda e: e.kind == "alert" and (e.data or {})["id"] == raised.id)
        seeded["alerts"].update_one(
            {"_id": raised.id},
            {"$set": {"state": "resolved", "resolved_at": datetime.now(UTC), "resolve_value": 1.0}},
        )
        resolved = until(
            stream, lambda e: e.kind == "alert" and (e.data or {})["state"] == "resolved"
        )

    assert [e.data["id"] for e in snapshot if e.kind == "alert" and e.data] == [active.id]
    assert live[-1].data is not None
    assert (live[-1].data["symbol"], live[-1].data["state"]) == ("ETH-USD", "active")
    assert resolved[-1].data is not None
    assert resolved[-1].data["id"] == raised.id
    seen = [e.data["id"] for e in [*snapshot, *live, *resolved] if e.kind == "alert" and e.data]
    assert other_series.id not in seen


def pipeline_alert(rule: str, subject: str, raised_ms: int) -> AlertRecord:
    source, _, symbol = subject.partition("/")
    return AlertRecord(
        id=f"{rule}/{subject}/{raised_ms}",
        rule=rule,
        kind="price_move" if symbol else "consumer_lag",
        subject=subject,
        source=source if symbol else None,
        symbol=symbol or None,
        state="active",
        raised_at=raised_ms,
        threshold=3.0,
        raise_value=4.0,
    )
