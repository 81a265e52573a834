"""Scripted jumps of the simulated market (SIMULATED_JUMPS), so a demo or a test can make
an alert fire when it wants: `BTC-USD:+10%@60s` moves BTC-USD up 10 % at its first trade
60 s or more after the market started. Several are comma-separated."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coinstream_common.settings import comma_separated

_JUMP = re.compile(
    r"^(?P<symbol>[A-Z0-9]{2,12}-[A-Z0-9]{2,12}):(?P<pct>[+-]\d+(\.\d+)?)%@(?P<after>\d+(\.\d+)?)s$"
)


@dataclass(frozen=True)
class Jump:
    symbol: str
    change_pct: float
    after_s: float

    @property
    def factor(self) -> float:
        return 1 + self.change_pct / 100


def parse_jumps(text: str) -> tuple[Jump, ...]:
    """Jumps in the order they happen; ValueError naming the one that is malformed."""
    jumps = []
    for spec in comma_separated(text):
        found = _JUMP.match(spec)
        if found is None:
            raise ValueError(f"{spec!r} is not SYMBOL:+N%@Ts (for example BTC-USD:+10%@60s)")
        jump = Jump(found["symbol"], float(found["pct"]), float(found["after"]))
        if jump.factor <= 0:
            raise ValueError(f"{spec!r} would take the price to zero or below")
        jumps.append(jump)
    return tuple(sorted(jumps, key=lambda j: j.after_s))
