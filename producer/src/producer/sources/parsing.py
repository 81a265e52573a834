"""Small pure helpers the adapters' parsers share: shapes, decimals, times.

Shape problems of a whole payload raise SourceError("bad_payload"); a bad value inside one
item becomes None, so that tick is rejected by validation with the field at fault.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, datetime

from producer.sources.base import SourceError

_ISO_UTC = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})"
)


def expect_list(payload: object, what: str) -> list[object]:
    if not isinstance(payload, list):
        raise SourceError("bad_payload", f"{what}: expected a list, got {type(payload).__name__}")
    return payload


def expect_dict(payload: object, what: str) -> dict[str, object]:
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        raise SourceError("bad_payload", f"{what}: expected an object, got {kind}")
    return payload


def decimal(value: object) -> float | None:
    """A number sent as a string ("6268.48") or as a JSON number; None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and len(value) <= 64:
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def integer(value: object) -> int | None:
    """An id or a time in whole units: an int, or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        return int(value)
    return None


def seconds_to_ms(value: object) -> int | None:
    """Unix seconds, possibly fractional (Kraken: 1688669597.8277369), as whole milliseconds."""
    number = decimal(value)
    if number is None or abs(number) > 1e11:
        return None
    return round(number * 1000)


def iso_to_ms(value: object) -> int | None:
    """An ISO-8601 time with up to nanoseconds (Coinbase), as epoch milliseconds.

    datetime.fromisoformat cannot take nine fractional digits, so this reads it by hand.
    """
    if not isinstance(value, str):
        return None
    match = _ISO_UTC.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # month 13, February 30th and the like
        return None
    seconds = calendar.timegm(moment.utctimetuple())
    offset = match[8]
    if offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        seconds -= sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    millis = int((match[7] or "0").ljust(3, "0")[:3])
    return seconds * 1000 + millis
