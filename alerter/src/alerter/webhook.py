"""The optional webhook (ALERT_WEBHOOK_URL): every transition stored while it is set is
POSTed, once.

It runs on its own thread from the `notified` outbox (repository.py), so a slow or failing
receiver blocks neither the ticks nor the other alerts: a failed POST (a 5xx, a 429, a
timeout, a refused connection, any other status) is retried after a backoff, and nothing
is marked sent before the receiver answered 2xx. A crash between that answer and the
mark sends it again: the `Idempotency-Key` header (`<id>/<state>`) lets a receiver drop
the repeat.
"""

from __future__ import annotations

import logging
import threading
import time

import httpx

from alerter import metrics
from alerter.repository import NOTIFIED, AlertRepository
from coinstream_common.alerts import AlertRecord, encode_alert
from coinstream_common.backoff import Backoff

log = logging.getLogger(__name__)

BATCH = 100


def delivery_key(record: AlertRecord) -> str:
    return f"{record.id}/{record.state}"


class WebhookNotifier:
    def __init__(
        self,
        url: str,
        repository: AlertRepository,
        client: httpx.Client,
        backoff: Backoff,
    ) -> None:
        self._url = url
        self._repository = repository
        self._client = client
        self._backoff = backoff
        self._due = threading.Event()
        # Per delivery key: failed attempts so far, and when the next may go.
        self._attempts: dict[str, int] = {}
        self._next_try: dict[str, float] = {}
        self._due.set()  # what an earlier run left in the outbox

    def wake(self) -> None:
        """New transitions were stored."""
        self._due.set()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            wait = min(self._next_try.values(), default=time.monotonic() + 60) - time.monotonic()
            self._due.wait(timeout=max(0.0, wait))
            self._due.clear()
            if not stop.is_set():
                self.send_due()

    def send_due(self) -> None:
        """POST every transition whose turn has come; mark those the receiver took."""
        now = time.monotonic()
        sent = []
        for record in self._repository.outbox(NOTIFIED, BATCH):
            key = delivery_key(record)
            if self._next_try.get(key, 0.0) <= now and self._post(record, key):
                sent.append(record)
        self._repository.sent(NOTIFIED, sent)
        if len(sent) == BATCH:
            self._due.set()

    def _post(self, record: AlertRecord, key: str) -> bool:
        try:
            response = self._client.post(
                self._url,
                content=encode_alert(record),
                headers={"Content-Type": "application/json", "Idempotency-Key": key},
            )
        except httpx.HTTPError as error:
            outcome = type(error).__name__
        else:
            if response.is_success:
                self._attempts.pop(key, None)
                self._next_try.pop(key, None)
                metrics.WEBHOOK_POSTS.labels("sent").inc()
                return True
            outcome = f"status {response.status_code}"
        attempt = self._attempts.get(key, 0)
        self._attempts[key] = attempt + 1
        delay = self._backoff.delay(attempt)
        self._next_try[key] = time.monotonic() + delay
        metrics.WEBHOOK_POSTS.labels("failed").inc()
        log.warning(
            "webhook failed; retried",
            extra={
                "key": key,
                "outcome": outcome,
                "attempt": attempt + 1,
                "retry_in_s": round(delay, 3),
            },
        )
        return False
