"""Alert rules: what a user asks to be told about, as loaded from a YAML file.

Every rule maps its subject to one number, its measure, and says when that number raises
the alert and when it clears it: raise at `raise_at` or above, clear below `clear_below`.
The gap between the two is the hysteresis that keeps a value hovering at a threshold from
raising and clearing in turn; `cooldown_s` then spaces a cleared alert from the next one.
"""

from __future__ import annotations

import fnmatch
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from coinstream_common.ticks import SOURCE_PATTERN, SYMBOL_PATTERN

RULE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
ANY = "*"
MAX_WINDOW_MINUTES = 24 * 60


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=RULE_NAME_PATTERN)
    # Event-time seconds for price rules, wall-clock seconds for the others.
    cooldown_s: float = Field(default=300, ge=0, le=7 * 24 * 3600)

    @property
    def cooldown_ms(self) -> int:
        return round(self.cooldown_s * 1000)


class _SeriesRule(_Rule):
    """A rule on the series of one source and symbol; "*" stands for every one."""

    source: str = Field(default=ANY, pattern=rf"^(\*|{SOURCE_PATTERN[1:-1]})$")
    symbol: str = Field(default=ANY, pattern=rf"^(\*|{SYMBOL_PATTERN[1:-1]})$")

    def matches(self, source: str, symbol: str) -> bool:
        return fnmatch.fnmatchcase(source, self.source) and fnmatch.fnmatchcase(symbol, self.symbol)


class PriceMoveRule(_SeriesRule):
    """|change| of at least `change_pct` % within `window_minutes` of event time."""

    kind: Literal["price_move"]
    change_pct: float = Field(gt=0, le=1000)
    window_minutes: float = Field(gt=0, le=MAX_WINDOW_MINUTES)
    # Default: 80 % of change_pct.
    clear_pct: float | None = Field(default=None, ge=0)

    @field_validator("clear_pct")
    @classmethod
    def _clear_below_raise(cls, clear_pct: float | None, info: ValidationInfo) -> float | None:
        change_pct = info.data.get("change_pct")
        if clear_pct is not None and change_pct is not None and clear_pct > change_pct:
            raise ValueError("must not exceed change_pct")
        return clear_pct

    @property
    def window_s(self) -> int:
        return max(1, round(self.window_minutes * 60))

    @property
    def raise_at(self) -> float:
        return self.change_pct

    @property
    def clear_below(self) -> float:
        return 0.8 * self.change_pct if self.clear_pct is None else self.clear_pct


class PriceCrossRule(_SeriesRule):
    """The price at or beyond `level`, reached going `direction`.

    Its measure is the price going up, and the negated price going down, so that both
    raise at or above a number."""

    kind: Literal["price_cross"]
    level: float = Field(gt=0)
    direction: Literal["up", "down"]
    # How far back past the level the price must go to clear the alert.
    hysteresis_pct: float = Field(default=0.2, ge=0, lt=100)

    @property
    def sign(self) -> float:
        return 1.0 if self.direction == "up" else -1.0

    @property
    def raise_at(self) -> float:
        return self.sign * self.level

    @property
    def clear_below(self) -> float:
        return self.sign * self.level * (1 - self.sign * self.hysteresis_pct / 100)


class StaleFeedRule(_SeriesRule):
    """No tick of a series for at least `max_age_s` of wall clock; a fresh tick clears it."""

    kind: Literal["stale_feed"]
    max_age_s: float = Field(gt=0)

    @property
    def raise_at(self) -> float:
        return self.max_age_s

    @property
    def clear_below(self) -> float:
        return self.max_age_s


class ConsumerLagRule(_Rule):
    """The candle consumer behind by `max_messages` or by `max_watermark_delay_s`."""

    kind: Literal["consumer_lag"]
    max_messages: int | None = Field(default=None, gt=0)
    max_watermark_delay_s: float | None = Field(default=None, gt=0)
    # Default: 80 % of the threshold.
    clear_ratio: float = Field(default=0.8, gt=0, le=1)

    @model_validator(mode="after")
    def _one_threshold(self) -> ConsumerLagRule:
        if (self.max_messages is None) == (self.max_watermark_delay_s is None):
            raise ValueError("give exactly one of max_messages and max_watermark_delay_s")
        return self

    @property
    def metric(self) -> Literal["messages", "watermark_delay_s"]:
        return "messages" if self.max_messages is not None else "watermark_delay_s"

    @property
    def raise_at(self) -> float:
        return float(self.max_messages or self.max_watermark_delay_s or 0)

    @property
    def clear_below(self) -> float:
        return self.clear_ratio * self.raise_at


Rule = Annotated[
    PriceMoveRule | PriceCrossRule | StaleFeedRule | ConsumerLagRule,
    Field(discriminator="kind"),
]
PriceRule = PriceMoveRule | PriceCrossRule
