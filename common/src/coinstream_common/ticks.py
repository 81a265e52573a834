"""The tick: one price observation (a trade or a quote) as it travels on the Kafka topic.

Schema version 1 is JSON. Every tick is validated here, by the producer before it is
published and by the consumer after it is read, so both sides reject the same things.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

SCHEMA_VERSION: Literal[1] = 1
# Nothing traded before the first Bitcoin block (2009-01-03); older times are corrupt data.
EARLIEST_EVENT_TIME_MS = 1_230_940_800_000
# A source clock may run a little ahead of ours; beyond this a time is absurd.
MAX_CLOCK_SKEW_MS = 5 * 60 * 1000

SYMBOL_PATTERN = r"^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$"
SOURCE_PATTERN = r"^[a-z][a-z0-9_]{1,31}$"
Symbol = Annotated[str, StringConstraints(pattern=SYMBOL_PATTERN)]
SourceName = Annotated[str, StringConstraints(pattern=SOURCE_PATTERN)]
PositiveFinite = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFinite = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
EpochMillis = Annotated[int, Field(ge=EARLIEST_EVENT_TIME_MS)]


TickKind = Literal["trade", "quote"]


class Tick(BaseModel):
    """A validated tick. Times are UTC epoch milliseconds."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    source: SourceName
    symbol: Symbol
    kind: TickKind
    price: PositiveFinite
    size: PositiveFinite | None = None
    event_time: EpochMillis
    ingest_time: EpochMillis
    backfill: bool = False
    # Rolling 24-hour figures some quote sources report; informative, never summed into candles.
    volume_24h: NonNegativeFinite | None = None
    change_24h_pct: Finite | None = None

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        if self.event_time > self.ingest_time + MAX_CLOCK_SKEW_MS:
            raise ValueError("event_time is in the future of ingest_time by more than 5 minutes")
        if self.kind == "trade" and self.size is None:
            raise ValueError("a trade needs a size")
        return self


class InvalidTick(ValueError):
    """A tick that failed validation; `field` is a short, bounded label for metrics."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _invalid_from(error: ValidationError) -> InvalidTick:
    first = error.errors(include_url=False)[0]
    location = ".".join(str(part) for part in first["loc"]) or "tick"
    if first["type"] in {"json_invalid", "json_type"}:
        location = "json"
    elif location not in Tick.model_fields:
        # Unknown fields, nested junk and the like: keep the metric label set bounded.
        location = "tick"
    return InvalidTick(location, first["msg"])


def decode_tick(raw: bytes | str) -> Tick:
    """Parse and validate one JSON tick; raise InvalidTick with the reason otherwise."""
    try:
        return Tick.model_validate_json(raw)
    except ValidationError as error:
        raise _invalid_from(error) from None


def make_tick(**fields: object) -> Tick:
    """Validate a tick built in Python (the producer's side); raise InvalidTick otherwise."""
    try:
        return Tick.model_validate(fields)
    except ValidationError as error:
        raise _invalid_from(error) from None


def encode_tick(tick: Tick) -> bytes:
    return tick.model_dump_json(exclude_none=True).encode()


def trade_event_id(source: str, symbol: str, trade_id: str | int) -> str:
    """A trade is identified by the id its exchange gave it."""
    return f"{source}:{symbol}:trade:{trade_id}"


def quote_event_id(source: str, symbol: str, source_time_ms: object) -> str:
    """A quote is identified by the time its source says it was updated."""
    return f"{source}:{symbol}:quote:{source_time_ms}"


def now_ms() -> int:
    return time.time_ns() // 1_000_000
