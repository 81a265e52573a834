"""Epoch milliseconds, the pipeline's own time, and the aware UTC datetimes of Mongo,
pydantic and the API: the one place that converts between them.

Exact both ways, in integer arithmetic: float seconds (`fromtimestamp(ms / 1000)`,
`timestamp() * 1000`) round. Below the millisecond, a datetime's time is dropped (the
floor, as window starts are). A naive datetime is refused: its zone would be a guess.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND: Final = timedelta(milliseconds=1)


def to_datetime(epoch_ms: int) -> datetime:
    """The UTC datetime `epoch_ms` milliseconds after the epoch (before it, if negative)."""
    # Exact, and cheaper than timedelta(milliseconds=...), which parses keywords: the
    # consumer converts four times for every candle it writes.
    return EPOCH + _MILLISECOND * epoch_ms


def to_epoch_ms(moment: datetime) -> int:
    """The whole milliseconds from the epoch to `moment`, which must be aware (else
    TypeError)."""
    return (moment - EPOCH) // _MILLISECOND
