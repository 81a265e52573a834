"""Exponential backoff with full jitter, and reading a Retry-After header."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

# Binance bans for up to three days; anything longer is a garbled header.
MAX_RETRY_AFTER_S = 3 * 24 * 3600.0


@dataclass(frozen=True)
class Backoff:
    base_s: float
    cap_s: float
    rng: random.Random

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)], so clients spread out."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(attempt, 32))
        return self.rng.uniform(0.0, ceiling)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After value (delta-seconds or an HTTP date); None if unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            return None
        seconds = (moment - now).total_seconds()
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
