"""Run the producer: `python -m producer`."""

from __future__ import annotations

import asyncio
import logging
import signal

import httpx
from confluent_kafka import Producer

from coinstream_common.logs import configure_logging
from coinstream_common.metrics import serve_metrics
from coinstream_common.settings import KafkaSettings, LogSettings, MetricsSettings
from producer.app import run
from producer.publisher import TickPublisher, producer_config
from producer.settings import CoinGeckoSettings, ProducerSettings, SimulatedSettings
from producer.sources.base import Source
from producer.sources.coingecko import CoinGeckoSource
from producer.sources.simulated import SimulatedSource

log = logging.getLogger("producer")
FLUSH_TIMEOUT_S = 10.0


def build_sources(settings: ProducerSettings, client: httpx.AsyncClient) -> list[Source]:
    sources: list[Source] = []
    if "simulated" in settings.source_names:
        sim = SimulatedSettings()
        sources.append(
            SimulatedSource(
                sim.symbol_list,
                seed=sim.seed,
                trades_per_second=sim.trades_per_second,
                poll_interval_s=sim.poll_interval_s,
            )
        )
    if "coingecko" in settings.source_names:
        gecko = CoinGeckoSettings()
        sources.append(
            CoinGeckoSource(
                client,
                base_url=str(gecko.base_url),
                coin_symbols=gecko.coin_symbols,
                vs_currency=gecko.vs_currency,
                poll_interval_s=gecko.poll_interval_s,
            )
        )
    return sources


async def main() -> None:
    configure_logging(LogSettings().level)
    settings, kafka = ProducerSettings(), KafkaSettings()
    serve_metrics(MetricsSettings())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    publisher = TickPublisher(Producer(producer_config(kafka)), kafka.ticks_topic)
    headers = {"User-Agent": settings.user_agent, "Accept": "application/json"}
    async with httpx.AsyncClient(headers=headers, timeout=settings.http_timeout_s) as client:
        sources = build_sources(settings, client)
        log.info(
            "producer starting",
            extra={"sources": [s.name for s in sources], "topic": kafka.ticks_topic},
        )
        await run(sources, publisher, stop)
    remaining = publisher.flush(FLUSH_TIMEOUT_S)
    log.info("producer stopped", extra={"undelivered": remaining})


if __name__ == "__main__":
    asyncio.run(main())
