"""Sources as the settings describe them, each with its own budget, retries and breaker."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

import httpx

from coinstream_common.backoff import Backoff
from producer.breaker import CircuitBreaker
from producer.budget import RequestBudget
from producer.clock import Clock
from producer.http import RetryPolicy, SourceHttp
from producer.recorder import RecordingSource, TickRecorder
from producer.settings import HttpRetrySettings, ProducerSettings
from producer.sources.base import Source
from producer.sources.binance import BinanceSource
from producer.sources.coinbase import CoinbaseSource
from producer.sources.coingecko import CoinGeckoSource
from producer.sources.coingecko_settings import CoinGeckoSettings
from producer.sources.exchange_settings import BinanceSettings, CoinbaseSettings, KrakenSettings
from producer.sources.kraken import KrakenSource
from producer.sources.replay import ReplaySource
from producer.sources.replay_settings import ReplaySettings
from producer.sources.simulated import SimulatedSource
from producer.sources.simulated_settings import SimulatedSettings


class SourceFactory:
    def __init__(self, client: httpx.AsyncClient, clock: Clock, retry: HttpRetrySettings) -> None:
        self._client = client
        self._clock = clock
        self._retry = retry

    def http(
        self, source: str, base_url: str, per_second: float, headers: Mapping[str, str] = {}
    ) -> SourceHttp:
        retry = self._retry
        return SourceHttp(
            self._client,
            source=source,
            base_url=base_url,
            # A burst of one: never more than the rate plus one request in any window.
            budget=RequestBudget(per_second, 1, self._clock),
            breaker=CircuitBreaker(
                source,
                threshold=retry.breaker_failures,
                cooldown_s=retry.breaker_cooldown_s,
                clock=self._clock,
            ),
            retry=RetryPolicy(
                retry.max_attempts,
                Backoff(retry.backoff_base_s, retry.backoff_cap_s, random.Random()),  # noqa: S311
            ),
            headers=headers,
        )

    def simulated(self) -> Source:
        sim = SimulatedSettings()
        return SimulatedSource(
            sim.symbol_list,
            seed=sim.seed,
            trades_per_second=sim.trades_per_second,
            poll_interval_s=sim.poll_interval_s,
            history=sim.backfill,
            jumps=sim.jump_list,
        )

    def coingecko(self) -> Source:
        gecko = CoinGeckoSettings()
        return CoinGeckoSource(
            self.http("coingecko", gecko.url, gecko.requests_per_s, gecko.key_header),
            coin_symbols=gecko.coin_symbols,
            vs_currency=gecko.vs_currency,
            poll_interval_s=gecko.poll_interval_s,
        )

    def coinbase(self) -> Source:
        cb = CoinbaseSettings()
        return CoinbaseSource(
            self.http("coinbase", str(cb.base_url), cb.requests_per_second),
            symbols=cb.symbol_list,
            poll_interval_s=cb.poll_interval_s,
        )

    def kraken(self) -> Source:
        kr = KrakenSettings()
        return KrakenSource(
            self.http("kraken", str(kr.base_url), kr.requests_per_second),
            symbols=kr.symbol_list,
            poll_interval_s=kr.poll_interval_s,
        )

    def binance(self) -> Source:
        bn = BinanceSettings()
        return BinanceSource(
            self.http("binance", str(bn.base_url), bn.requests_per_second),
            symbols=bn.symbol_list,
            poll_interval_s=bn.poll_interval_s,
        )

    def replay(self) -> Source:
        rp = ReplaySettings()
        return ReplaySource(rp.path, speed=rp.speed, batch_size=rp.batch_size, clock=self._clock)


def build_sources(
    settings: ProducerSettings, factory: SourceFactory, recorder: TickRecorder | None
) -> list[Source]:
    builders: dict[str, Callable[[], Source]] = {
        "simulated": factory.simulated,
        "coingecko": factory.coingecko,
        "coinbase": factory.coinbase,
        "kraken": factory.kraken,
        "binance": factory.binance,
        "replay": factory.replay,
    }
    sources = [builders[name]() for name in settings.source_names]
    if recorder is None:
        return sources
    # Record what live sources return; a replay is already a recording.
    return [s if s.name == "replay" else RecordingSource(s, recorder) for s in sources]
