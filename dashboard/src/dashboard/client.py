"""The dashboard's only way to data: the coinstream API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx


class ApiUnavailable(Exception):
    """The API could not be reached or answered with an error."""


class NoData(Exception):
    """The API answered, but has nothing for what was asked."""


class ApiClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout_s)

    def symbols(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._get("/v1/symbols")["symbols"]
        return rows

    def latest_price(self, source: str, symbol: str) -> dict[str, Any]:
        return self._get("/v1/prices/latest", {"source": source, "symbol": symbol})

    def stats(self, source: str, symbol: str, window: str = "24h") -> dict[str, Any]:
        return self._get("/v1/stats", {"source": source, "symbol": symbol, "window": window})

    def candles(
        self, source: str, symbol: str, interval: str, start: datetime, limit: int
    ) -> list[dict[str, Any]]:
        """One page of candles from `start` to now, oldest first."""
        params = {
            "source": source,
            "symbol": symbol,
            "interval": interval,
            "start": start.isoformat(),
            "limit": str(limit),
        }
        rows: list[dict[str, Any]] = self._get("/v1/candles", params)["candles"]
        return rows

    def alerts(
        self, source: str, symbol: str, since: datetime, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Alerts on the series raised since `since`, and every one active now (on any
        series or on the whole pipeline), newest raised first."""
        on_series = self._get(
            "/v1/alerts",
            {"source": source, "symbol": symbol, "since": since.isoformat(), "limit": str(limit)},
        )["alerts"]
        active = self._get("/v1/alerts", {"state": "active", "limit": str(limit)})["alerts"]
        seen = {alert["id"] for alert in on_series}
        rows: list[dict[str, Any]] = on_series + [a for a in active if a["id"] not in seen]
        return rows

    def readiness(self) -> dict[str, Any]:
        """/ready's body, which says why when the pipeline is not ready (a 503)."""
        return self._get("/ready", accept={503})

    def _get(
        self, path: str, params: dict[str, str] | None = None, accept: set[int] | None = None
    ) -> dict[str, Any]:
        try:
            response = self._client.get(path, params=params)
        except httpx.HTTPError as error:
            raise ApiUnavailable(f"the API at {self._client.base_url} is unreachable") from error
        if response.status_code == 404:
            raise NoData(_detail(response))
        if response.is_error and response.status_code not in (accept or set()):
            raise ApiUnavailable(f"the API answered {response.status_code}: {_detail(response)}")
        try:
            body: dict[str, Any] = response.json()
        except ValueError as error:
            raise ApiUnavailable(f"the API answered {path} with something not JSON") from error
        return body


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.reason_phrase))
    except ValueError:
        return response.reason_phrase
