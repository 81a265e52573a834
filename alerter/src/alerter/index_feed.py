"""Publishes the composite index (index_price.py) as ticks of source `index` on the ticks
topic, where the candle consumer folds them like any source's: index candles at every
interval, beside the others, served by every endpoint that takes a source.

An index tick's event id names the tick that made it (`index-<partition>-<offset>`), and
its ingest time is that tick's. So reading the same ticks again, after a crash, makes the
same index ticks, which the consumer drops as duplicates; and the alerter commits an
offset only after the index ticks before it were acknowledged.
"""

from __future__ import annotations

import logging

from confluent_kafka import KafkaError, Message, Producer

from alerter import metrics
from alerter.index_price import INDEX_SOURCE, IndexPrices
from coinstream_common.ticks import Tick, encode_tick, make_tick

log = logging.getLogger(__name__)


class IndexFeed:
    def __init__(
        self, producer: Producer, topic: str, max_age_ms: int, max_deviation_pct: float
    ) -> None:
        self._producer, self._topic = producer, topic
        self._max_age_ms, self._max_deviation_pct = max_age_ms, max_deviation_pct
        self._prices = IndexPrices(max_age_ms, max_deviation_pct)
        self._failed = 0

    @property
    def max_age_ms(self) -> int:
        return self._max_age_ms

    def reset(self) -> None:
        """Forget every price: the partitions are read again from before their commits."""
        self._prices = IndexPrices(self._max_age_ms, self._max_deviation_pct)

    def take(self, tick: Tick, partition: int, offset: int, *, warm: bool) -> None:
        quote = self._prices.observe(tick.source, tick.symbol, tick.event_time, tick.price)
        if quote is None or warm:
            return
        index = make_tick(
            event_id=f"{INDEX_SOURCE}-{partition}-{offset}",
            source=INDEX_SOURCE,
            symbol=quote.symbol,
            kind="quote",
            price=quote.price,
            event_time=quote.event_time,
            ingest_time=tick.ingest_time,
        )
        self._producer.produce(
            self._topic, encode_tick(index), quote.symbol, on_delivery=self._delivered
        )
        metrics.INDEX_QUOTES.inc()
        for source in quote.excluded:
            metrics.INDEX_EXCLUDED.labels(source).inc()

    def delivered(self, timeout_s: float) -> bool:
        """Whether every index tick produced so far was acknowledged (waiting at most
        `timeout_s`): only then may the offsets of the ticks behind them be committed."""
        self._producer.flush(timeout_s)
        failed, self._failed = self._failed, 0
        return failed == 0 and len(self._producer) == 0

    def _delivered(self, error: KafkaError | None, _: Message) -> None:
        if error is not None:
            self._failed += 1
            log.warning("index tick not published; read again", extra={"error": str(error)})
