"""Checkpoints advance only over batches whose every tick is settled, in order per source."""

from __future__ import annotations

import pytest

from producer.checkpoints import (
    BadCheckpoint,
    Checkpoint,
    decode_checkpoint,
    encode_checkpoint,
    parse_record_key,
    record_key,
)
from producer.progress import CursorTracker


def test_a_cursor_waits_for_every_tick_of_its_batch() -> None:
    tracker = CursorTracker({})
    batch = tracker.open("coinbase", 2, {"BTC-USD": "12"})
    assert tracker.settled() == []
    batch.unsettled -= 1
    assert tracker.settled() == []
    batch.unsettled -= 1
    assert tracker.settled() == [(("coinbase", "BTC-USD"), Checkpoint("12"))]
    assert tracker.settled() == []  # reported once


def test_a_later_batch_cannot_overtake_an_earlier_one() -> None:
    tracker = CursorTracker({("kraken", "BTC-USD"): Checkpoint("5/5", backfilled=True)})
    first = tracker.open("kraken", 1, {"BTC-USD": "6/6"})
    second = tracker.open("kraken", 1, {"BTC-USD": "7/7"})
    second.unsettled = 0  # its delivery came first (the first one is being resent)
    assert tracker.settled() == []
    assert tracker.checkpoint(("kraken", "BTC-USD")).cursor == "5/5"
    first.unsettled = 0
    assert tracker.settled() == [(("kraken", "BTC-USD"), Checkpoint("7/7", backfilled=True))]


def test_sources_do_not_wait_for_each_other_and_empty_batches_settle_at_once() -> None:
    tracker = CursorTracker({})
    tracker.open("coinbase", 3, {"BTC-USD": "9"})
    tracker.open("binance", 0, {"BTC-USDT": "100"})
    assert tracker.settled() == [(("binance", "BTC-USDT"), Checkpoint("100"))]
    assert tracker.unsettled == 1


def test_a_backfill_marks_its_symbol_and_keeps_the_cursor() -> None:
    tracker = CursorTracker({("coinbase", "ETH-USD"): Checkpoint("41")})
    tracker.open("coinbase", 0, backfilled=["ETH-USD"])
    assert tracker.settled() == [(("coinbase", "ETH-USD"), Checkpoint("41", backfilled=True))]
    tracker.open("coinbase", 0, {"ETH-USD": "41"})
    assert tracker.settled() == []  # nothing changed, nothing to save


def test_checkpoint_records_round_trip() -> None:
    checkpoint = Checkpoint("1688671969993150842/61044956", backfilled=True)
    assert decode_checkpoint(encode_checkpoint(checkpoint)) == checkpoint
    key = record_key("ticks", ("kraken", "BTC-USD"))
    assert key == b"ticks/kraken/BTC-USD"
    assert parse_record_key(key, "ticks") == ("kraken", "BTC-USD")
    assert parse_record_key(key, "other-ticks") is None


@pytest.mark.parametrize("raw", [b"", b"[]", b'{"cursor": 5}', b'{"backfilled": "yes"}'])
def test_bad_checkpoint_records_are_recognised(raw: bytes) -> None:
    with pytest.raises(BadCheckpoint):
        decode_checkpoint(raw)
