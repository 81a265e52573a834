"""/v1/alerts against the real Mongo server, with alerts stored as the alerter stores them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pymongo.database import Database

from api.pagination import encode_cursor
from coinstream_common.alerts import AlertRecord, alert_document
from coinstream_common.epoch import to_datetime as as_datetime
from coinstream_common.mongo import Document
from tests.support.ticks import T0

pytestmark = pytest.mark.integration
MINUTE = 60_000


def alert(rule: str, subject: str, raised: int, resolved: int | None = None) -> AlertRecord:
    source, _, symbol = subject.partition("/")
    return AlertRecord(
        id=f"{rule}/{subject}/{raised}",
        rule=rule,
        kind="price_move",
        subject=subject,
        source=source if symbol else None,
        symbol=symbol or None,
        state="active" if resolved is None else "resolved",
        raised_at=raised,
        resolved_at=resolved,
        threshold=3.0,
        raise_value=3.5,
        resolve_value=None if resolved is None else 0.5,
    )


# Newest raised first; two share a raise time (ties go by id, descending).
ALERTS = [
    alert("move", "kraken/ETH-USD", T0 + 4 * MINUTE),
    alert("move", "coinbase/BTC-USD", T0 + 3 * MINUTE),
    alert("above", "coinbase/BTC-USD", T0 + 3 * MINUTE, T0 + 6 * MINUTE),
    alert("move", "coinbase/BTC-USD", T0 + 1 * MINUTE, T0 + 2 * MINUTE),
    alert("lag", "consumer", T0),
]


@pytest.fixture
def client(
    make_app: Callable[..., FastAPI], new_database: Callable[[], Database[Document]]
) -> Iterator[TestClient]:
    db = new_database()
    # As the alerter stores them: with its outbox flags, which the API does not show.
    documents = [
        alert_document(a) | {"published_active": True, "notified_active": False} for a in ALERTS
    ]
    # An active alert's document may lack the fields that are null until it resolves.
    del documents[0]["resolved_at"], documents[0]["resolve_value"]
    db["alerts"].insert_many(documents)
    with TestClient(make_app(db)) as test_client:
        yield test_client


def get(client: TestClient, **params: object) -> dict[str, Any]:
    response = client.get("/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [a["id"] for a in body["alerts"]]


def test_alerts_come_newest_raised_first_with_every_field(client: TestClient) -> None:
    body = get(client)

    assert ids(body) == [a.id for a in ALERTS]
    assert body["next_cursor"] is None
    resolved = body["alerts"][2]
    assert resolved == {
        "id": ALERTS[2].id,
        "rule": "above",
        "kind": "price_move",
        "subject": "coinbase/BTC-USD",
        "source": "coinbase",
        "symbol": "BTC-USD",
        "state": "resolved",
        "raised_at": "2024-03-25T08:03:00Z",
        "resolved_at": "2024-03-25T08:06:00Z",
        "threshold": 3.0,
        "raise_value": 3.5,
        "resolve_value": 0.5,
    }
    assert body["alerts"][-1]["source"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "active"}, [0, 1, 4]),
        ({"state": "resolved"}, [2, 3]),
        ({"symbol": "BTC-USD"}, [1, 2, 3]),
        ({"source": "kraken"}, [0]),
        ({"symbol": "BTC-USD", "state": "active"}, [1]),
        ({"since": as_datetime(T0 + 3 * MINUTE).isoformat()}, [0, 1, 2]),
    ],
)
def test_filters_pick_the_alerts_they_name(
    client: TestClient, params: dict[str, str], expected: list[int]
) -> None:
    assert ids(get(client, **params)) == [ALERTS[i].id for i in expected]


def test_pages_follow_each_other_without_gap_or_repeat(client: TestClient) -> None:
    seen: list[str] = []
    body = get(client, limit=2)
    while True:
        assert len(body["alerts"]) <= 2
        seen += ids(body)
        if body["next_cursor"] is None:
            break
        body = get(client, limit=2, cursor=body["next_cursor"])

    assert seen == [a.id for a in ALERTS]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"state": "open"}, "state"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        # A candle page's cursor names no alert.
        ({"cursor": encode_cursor(as_datetime(T0))}, "cursor"),
        ({"symbol": "btc"}, "symbol"),
        # Found by the OpenAPI fuzz test: a source outside the documented enum.
        ({"source": "true"}, "source"),
        ({"since": "1.08e-167"}, "since"),
        ({"limit": 21}, "limit"),
    ],
)
def test_a_bad_parameter_is_a_422_naming_it(
    client: TestClient, params: dict[str, object], name: str
) -> None:
    response = client.get("/v1/alerts", params=params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", name]
