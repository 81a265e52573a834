"""The dashboard's only way to data: the coinstream API."""

from __future__ import annotations

from typing import Any

import httpx


class ApiUnavailable(Exception):
    """The API could not be reached or answered with an error."""


class ApiClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout_s)

    def candles(self, source: str, symbol: str, interval: str) -> list[dict[str, Any]]:
        body = self._get("/v1/candles", {"source": source, "symbol": symbol, "interval": interval})
        candles: list[dict[str, Any]] = body["candles"]
        return candles

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            response = self._client.get(path, params=params)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except httpx.HTTPStatusError as error:
            raise ApiUnavailable(f"API answered {error.response.status_code} for {path}") from error
        except (httpx.HTTPError, ValueError) as error:
            raise ApiUnavailable(f"API unreachable: {error}") from error
        return body
