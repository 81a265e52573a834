"""Keyset pagination: a cursor names the last candle start a page returned.

The next page asks for starts after it, so rows written meanwhile can neither shift a page
(as with offsets) nor be skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

_PREFIX = "v1:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InvalidCursor(ValueError):
    """The cursor was not made by this API."""


def encode_cursor(last_start: datetime) -> str:
    millis = (last_start - _EPOCH) // timedelta(milliseconds=1)
    return base64.urlsafe_b64encode(f"{_PREFIX}{millis}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> datetime:
    """The start after which the next page begins; InvalidCursor if it is not ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor("cursor is not one this API returned") from None
    digits = text.removeprefix(_PREFIX)
    if not text.startswith(_PREFIX) or not digits.isdigit() or len(digits) > 15:
        raise InvalidCursor("cursor is not one this API returned")
    return _EPOCH + timedelta(milliseconds=int(digits))
