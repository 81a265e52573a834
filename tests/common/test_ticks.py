from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.ticks import (
    FIELDS,
    InvalidTick,
    Tick,
    decode_tick,
    encode_tick,
    make_tick,
    quote_event_id,
    trade_event_id,
)
from tests.support.ticks import T0

GOOD = {
    "schema_version": 1,
    "event_id": "coinbase:BTC-USD:trade:74",
    "source": "coinbase",
    "symbol": "BTC-USD",
    "kind": "trade",
    "price": 67187.33,
    "size": 0.01,
    "event_time": T0,
    "ingest_time": T0 + 120,
}


def test_a_good_tick_survives_the_round_trip() -> None:
    tick = decode_tick(json.dumps(GOOD))
    assert tick.price == 67187.33
    assert tick.backfill is False
    assert decode_tick(encode_tick(tick)) == tick


def test_a_quote_needs_no_size() -> None:
    quote = {**GOOD, "kind": "quote", "event_id": "coingecko:BTC-USD:quote:1"}
    del quote["size"]
    assert decode_tick(json.dumps(quote)).size is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": 0}, "price"),
        ({"price": -1.5}, "price"),
        ({"price": "67187.33"}, "price"),
        ({"price": True}, "price"),
        ({"size": 0}, "size"),
        ({"size": -0.1}, "size"),
        ({"schema_version": 2}, "schema_version"),
        ({"symbol": "btc-usd"}, "symbol"),
        ({"symbol": "BTCUSD"}, "symbol"),
        ({"source": "Coin Base"}, "source"),
        ({"kind": "order"}, "kind"),
        ({"event_id": ""}, "event_id"),
        ({"event_time": 1_000_000}, "event_time"),  # 1970: absurd
        ({"event_time": 1_711_353_600.5}, "event_time"),  # float, not ms
        ({"event_time": T0 + 3_600_000}, "event_time"),  # an hour after it was ingested
        ({"size": None}, "size"),  # a trade without a size
        ({"unexpected": 1}, "tick"),
    ],
)
def test_bad_values_are_rejected_with_the_field_at_fault(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidTick) as raised:
        decode_tick(json.dumps({**GOOD, **change}))
    assert raised.value.field == field
    assert raised.value.reason


@pytest.mark.parametrize(
    ("text", "field"),
    # NaN and Infinity are not JSON at all; 1e999 is JSON but no finite price.
    [("NaN", "json"), ("Infinity", "json"), ("-Infinity", "json"), ("1e999", "price")],
)
def test_non_finite_prices_are_rejected(text: str, field: str) -> None:
    raw = json.dumps(GOOD).replace("67187.33", text)
    with pytest.raises(InvalidTick) as raised:
        decode_tick(raw)
    assert raised.value.field == field


def test_non_finite_prices_built_in_python_are_rejected() -> None:
    with pytest.raises(InvalidTick, match="finite"):
        make_tick(**{**GOOD, "price": math.inf})


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b"\xff\xfe", b'"tick"'])
def test_not_a_json_object_is_rejected(raw: bytes) -> None:
    with pytest.raises(InvalidTick) as raised:
        decode_tick(raw)
    assert raised.value.field in {"json", "tick"}


def test_missing_fields_are_named() -> None:
    without_price = {k: v for k, v in GOOD.items() if k != "price"}
    with pytest.raises(InvalidTick) as raised:
        decode_tick(json.dumps(without_price))
    assert raised.value.field == "price"
    assert "required" in raised.value.reason.lower()


def _decode_or_reason(raw: bytes | str) -> Tick | InvalidTick:
    """Anything but a Tick or InvalidTick escapes and fails the test."""
    try:
        return decode_tick(raw)
    except InvalidTick as invalid:
        return invalid


@given(st.binary(max_size=300))
def test_no_bytes_make_decoding_raise_anything_but_invalid_tick(raw: bytes) -> None:
    outcome = _decode_or_reason(raw)
    assert isinstance(outcome, Tick) or outcome.field in {*FIELDS, "tick", "json"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from(sorted(GOOD)), json_values, max_size=4))
def test_any_mangled_field_gives_a_clear_error_or_a_valid_tick(change: dict[str, object]) -> None:
    outcome = _decode_or_reason(json.dumps({**GOOD, **change}))
    if isinstance(outcome, Tick):
        assert outcome.price > 0
        assert math.isfinite(outcome.price)
    else:
        assert outcome.field in {*FIELDS, "tick", "json"}
        assert outcome.reason


def test_event_ids_are_deterministic() -> None:
    assert trade_event_id("coinbase", "BTC-USD", 74) == trade_event_id("coinbase", "BTC-USD", "74")
    assert quote_event_id("coingecko", "BTC-USD", T0) == quote_event_id("coingecko", "BTC-USD", T0)
    assert quote_event_id("coingecko", "BTC-USD", T0) != quote_event_id("coingecko", "ETH-USD", T0)
