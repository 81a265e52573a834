"""Property tests: no input makes a parser raise anything but its own clear error.

Payloads are arbitrary JSON, and real-shaped JSON whose fields hold arbitrary values
(to reach past the first shape check). Whatever a parser returns must then validate
without raising: a bad value becomes a rejected tick, never an exception.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.backoff import retry_after_seconds
from coinstream_common.ticks import InvalidTick, Tick, decode_tick, encode_tick
from producer.checkpoints import BadCheckpoint, decode_checkpoint, parse_record_key
from producer.responses import interpret
from producer.sources import (
    binance_payloads as binance,
)
from producer.sources import (
    coinbase_payloads as coinbase,
)
from producer.sources import (
    coingecko_payloads as coingecko,
)
from producer.sources import (
    kraken_payloads as kraken,
)
from producer.sources.bars import bar_trades
from producer.sources.base import SourceError, validate_all
from producer.sources.parsing import decimal, integer, iso_to_ms, seconds_to_ms
from producer.sources.replay import decode_lines, recorded_lines
from tests.support.ticks import T0, trade

NOW = 1_711_356_310_000
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["6268.48", "1e308", "NaN", "-1", "2024-03-25T08:00:00.016274911Z"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=25,
)


def shaped(*keys: str) -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, JSON))


def rows(width: int) -> st.SearchStrategy[list[object]]:
    return st.lists(JSON, min_size=width, max_size=width)


def only_source_errors(parse: Callable[[], object]) -> None:
    with contextlib.suppress(SourceError):
        parse()


@given(
    st.one_of(
        JSON,
        st.dictionaries(
            st.sampled_from(["bitcoin", "ethereum"]),
            shaped("usd", "usd_24h_vol", "usd_24h_change", "last_updated_at"),
        ),
    )
)
def test_coingecko_simple_price(payload: object) -> None:
    def parse() -> object:
        candidates = coingecko.parse_simple_price(
            payload, {"bitcoin": "BTC-USD", "ethereum": "ETH-USD"}, "usd", NOW
        )
        return validate_all(candidates)

    only_source_errors(parse)


@given(
    st.one_of(
        JSON,
        st.fixed_dictionaries({"prices": st.lists(rows(2)), "total_volumes": st.lists(rows(2))}),
    )
)
def test_coingecko_market_chart(payload: object) -> None:
    only_source_errors(
        lambda: validate_all(coingecko.parse_market_chart(payload, "BTC-USD", 0, NOW))
    )


@given(st.one_of(JSON, st.lists(shaped("trade_id", "price", "size", "time", "side"))))
def test_coinbase_trades(payload: object) -> None:
    def parse() -> object:
        rows_ = coinbase.parse_trades(payload, "BTC-USD", NOW)
        assert all(isinstance(trade_id, int) for trade_id, _ in rows_)
        return validate_all(candidate for _, candidate in rows_)

    only_source_errors(parse)


@given(st.one_of(JSON, shaped("trade_id", "price"), st.lists(rows(6))))
def test_coinbase_ticker_and_candles(payload: object) -> None:
    only_source_errors(lambda: coinbase.parse_ticker_trade_id(payload))
    only_source_errors(
        lambda: [bar_trades("coinbase", "BTC-USD", b, NOW) for b in coinbase.parse_candles(payload)]
    )


KRAKEN_TRADES = st.fixed_dictionaries(
    {
        "error": st.one_of(st.just([]), JSON),
        "result": st.fixed_dictionaries({"XXBTZUSD": st.lists(rows(7)), "last": JSON}),
    }
)


@given(st.one_of(JSON, KRAKEN_TRADES))
def test_kraken_payloads(payload: object) -> None:
    only_source_errors(lambda: kraken.check_errors(payload))
    only_source_errors(
        lambda: validate_all(c for _, c in kraken.parse_trades(payload, "BTC-USD", NOW)[0])
    )
    only_source_errors(
        lambda: [bar_trades("kraken", "BTC-USD", b, NOW) for b in kraken.parse_ohlc(payload)]
    )


@given(st.one_of(JSON, st.lists(shaped("a", "p", "q", "T", "m")), st.lists(rows(12))))
def test_binance_payloads(payload: object) -> None:
    only_source_errors(
        lambda: validate_all(c for _, c in binance.parse_agg_trades(payload, "BTC-USDT", NOW))
    )
    only_source_errors(lambda: binance.parse_klines(payload))
    only_source_errors(lambda: binance.check_price_ticker(payload, "BTCUSDT"))


@given(JSON)
def test_value_readers_never_raise(value: object) -> None:
    for read in (decimal, integer, iso_to_ms, seconds_to_ms):
        result = read(value)
        assert result is None or isinstance(result, int | float)


@given(st.text(max_size=40))
def test_kraken_cursor_and_times_from_any_text(text: str) -> None:
    decoded = kraken.decode_cursor(text)
    assert decoded is None or kraken.encode_cursor(decoded).startswith(decoded[0])
    assert iso_to_ms(text) is None or isinstance(iso_to_ms(text), int)


@given(
    st.integers(100, 599),
    st.dictionaries(st.sampled_from(["retry-after", "x"]), st.text(max_size=40)),
    st.text(max_size=200),
)
def test_any_http_answer_is_a_payload_or_a_source_error(
    status: int, headers: dict[str, str], body: str
) -> None:
    only_source_errors(lambda: interpret(status, headers, body, datetime.now(UTC)))


@given(st.one_of(st.none(), st.text(max_size=60)))
def test_retry_after_is_a_bounded_number_or_none(value: str | None) -> None:
    seconds = retry_after_seconds(value, datetime.now(UTC))
    assert seconds is None or 0 <= seconds <= 3 * 24 * 3600


@given(st.binary(max_size=80))
def test_checkpoint_records_decode_or_raise_bad_checkpoint(raw: bytes) -> None:
    with contextlib.suppress(BadCheckpoint):
        decode_checkpoint(raw)
    key = parse_record_key(raw, "ticks")
    assert key is None or len(key) == 2


def one_by_one(line: bytes) -> Tick | str:
    """What a line is on its own: a tick, or the field its rejection names."""
    try:
        return decode_tick(line)
    except InvalidTick as invalid:
        return invalid.field


VALID_LINES = st.integers(0, 10**6).map(lambda i: encode_tick(trade(100.0 + i, T0 + i)) + b"\n")
LINES = st.one_of(VALID_LINES, st.binary(max_size=120), st.sampled_from([b"\n", b"  \r\n"]))


@given(st.lists(LINES, max_size=12))
def test_replay_decodes_a_batch_as_it_would_each_line(lines: list[bytes]) -> None:
    # Whether the batch decodes at once or falls back line by line, each non-blank line is
    # one entry: the tick it holds, or its own rejection.
    entries = decode_lines(recorded_lines(lines))
    expected = [one_by_one(line) for line in lines if line.strip()]
    assert [e.field if isinstance(e, InvalidTick) else e for e in entries] == expected
