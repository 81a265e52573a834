"""A local stand-in for Coinbase Exchange's public trades API, with its cursor pagination.

As documented: trades come newest first; `before=<id>` gives the page of trades just
newer than that id, `after=<id>` the page just older; CB-BEFORE and CB-AFTER carry the
ids of the newest and oldest trade of the page.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0_ISO = "2024-03-25T08:00:00"


def trade_json(trade_id: int) -> dict[str, object]:
    """A deterministic, real-shaped trade: nanosecond timestamps, decimals as strings."""
    seconds, nanos = divmod(trade_id * 250_000_003, 1_000_000_000)
    minutes, secs = divmod(seconds, 60)
    return {
        "time": f"2024-03-25T08:{minutes % 60:02d}:{secs:02d}.{nanos:09d}Z",
        "trade_id": trade_id,
        "price": f"{67000 + trade_id % 500}.{trade_id % 100:02d}000000",
        "size": f"0.{trade_id % 997 + 1:08d}",
        "side": "buy" if trade_id % 2 else "sell",
    }


@dataclass
class FakeCoinbase:
    product: str = "BTC-USD"
    trade_ids: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_trades(self, first: int, last: int) -> None:
        with self._lock:
            self.trade_ids += range(first, last + 1)

    def install(self, server: HTTPServer) -> None:
        base = f"/products/{self.product}"
        server.expect_request(f"{base}/trades").respond_with_handler(self._trades)
        server.expect_request(f"{base}/ticker").respond_with_handler(self._ticker)
        server.expect_request(f"{base}/candles").respond_with_handler(self._candles)

    def _candles(self, request: Request) -> Response:
        """Three 5-minute candles ending at `end`: [time, low, high, open, close, volume]."""
        end_s = int(datetime.fromisoformat(request.args["end"]).timestamp()) // 300 * 300
        rows = [[end_s - i * 300, 66990.0, 67010.0, 67000.0, 67005.0, 1.5] for i in range(1, 4)]
        return Response(json.dumps(rows), content_type="application/json")

    def _ticker(self, _request: Request) -> Response:
        with self._lock:
            newest = trade_json(self.trade_ids[-1])
        ticker = {**newest, "bid": "67000.1", "ask": "67000.2", "volume": "12345.6"}
        return Response(json.dumps(ticker), content_type="application/json")

    def _trades(self, request: Request) -> Response:
        limit = min(int(request.args.get("limit", "1000")), 1000)
        with self._lock:
            ids = list(self.trade_ids)
        if "before" in request.args:
            page = [i for i in ids if i > int(request.args["before"])][:limit]
        elif "after" in request.args:
            page = [i for i in ids if i < int(request.args["after"])][-limit:]
        else:
            page = ids[-limit:]
        page.reverse()  # newest first
        headers = {"CB-BEFORE": str(page[0]), "CB-AFTER": str(page[-1])} if page else {}
        body = json.dumps([trade_json(i) for i in page])
        return Response(body, content_type="application/json", headers=headers)
