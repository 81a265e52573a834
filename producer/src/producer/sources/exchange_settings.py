"""The exchanges' settings, one class per exchange, from its own environment variables
(COINBASE_*, KRAKEN_*, BINANCE_*)."""

from __future__ import annotations

from pydantic import Field, HttpUrl
from pydantic_settings import SettingsConfigDict

from producer.settings import SymbolSettings


class ExchangeSettings(SymbolSettings):
    """What each exchange adapter needs; the subclasses set the prefix and the defaults."""

    base_url: HttpUrl
    symbols: str = "BTC-USD,ETH-USD"
    poll_interval_s: float = Field(default=1.0, gt=0)
    # Requests a second, kept under the exchange's documented public limit.
    requests_per_second: float = Field(default=5.0, gt=0)


class CoinbaseSettings(ExchangeSettings):
    """Coinbase Exchange: public limit about 10 requests/s per IP."""

    model_config = SettingsConfigDict(env_prefix="COINBASE_")

    base_url: HttpUrl = HttpUrl("https://api.exchange.coinbase.com")


class KrakenSettings(ExchangeSettings):
    """Kraken: public limit about 1 request/s."""

    model_config = SettingsConfigDict(env_prefix="KRAKEN_")

    base_url: HttpUrl = HttpUrl("https://api.kraken.com/0")
    poll_interval_s: float = Field(default=5.0, gt=0)
    requests_per_second: float = Field(default=0.5, gt=0)


class BinanceSettings(ExchangeSettings):
    """Binance: 6000 request weight a minute per IP; the calls used weigh 2 to 4."""

    model_config = SettingsConfigDict(env_prefix="BINANCE_")

    base_url: HttpUrl = HttpUrl("https://api.binance.com")
    symbols: str = "BTC-USDT,ETH-USDT"
