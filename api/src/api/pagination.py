"""Keyset pagination: a cursor names the last candle start a page returned (or, for
alerts, the last raise time and id).

The next page asks for starts after it, so rows written meanwhile can neither shift a page
(as with offsets) nor be skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from coinstream_common.epoch import to_datetime, to_epoch_ms

_PREFIX = "v1:"


class InvalidCursor(ValueError):
    """The cursor was not made by this API."""


def encode_cursor(last_start: datetime, key: str | None = None) -> str:
    """A cursor after `last_start`, and after `key` among rows of that time if given."""
    text = f"{_PREFIX}{to_epoch_ms(last_start)}"
    if key is not None:
        text += f"/{key}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> datetime:
    """The start after which the next page begins; InvalidCursor if it is not ours."""
    moment, key = decode_keyed_cursor(cursor)
    if key is not None:
        raise InvalidCursor("cursor is not one this API returned")
    return moment


def decode_keyed_cursor(cursor: str) -> tuple[datetime, str | None]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor("cursor is not one this API returned") from None
    digits, slash, key = text.removeprefix(_PREFIX).partition("/")
    if not text.startswith(_PREFIX) or not digits.isdigit() or len(digits) > 15:
        raise InvalidCursor("cursor is not one this API returned")
    if slash and not key:
        raise InvalidCursor("cursor is not one this API returned")
    return to_datetime(int(digits)), key if slash else None
