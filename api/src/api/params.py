"""Query parameters shared by the routes, and the 422 raised when one is wrong.

FastAPI checks shapes (patterns, enums, ISO-8601 with a timezone); the checks here need
the settings (the configured sources, the page size) or more than one parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from api.settings import ApiSettings
from coinstream_common.ticks import SOURCE_PATTERN, SYMBOL_PATTERN

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def invalid(name: str, message: str, value: object, where: str = "query") -> RequestValidationError:
    """A 422 in the same shape as FastAPI's own: which parameter, and what is wrong with it."""
    return RequestValidationError(
        [{"type": "value_error", "loc": (where, name), "msg": message, "input": value}]
    )


def _not_a_number(value: object) -> object:
    # Pydantic would read "1711353600" (or "1e-167") as a Unix time; the API promises
    # ISO-8601 only. Anything Python reads as a number is one.
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError("must be an ISO-8601 date-time with a timezone, e.g. 2024-03-25T08:00:00Z")
    return value


def _supported(moment: datetime) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"must be from {EARLIEST:%Y-%m-%d} up to {LATEST:%Y-%m-%d}")
    return moment.astimezone(UTC)


Moment = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_supported)]
SymbolQuery = Annotated[
    str, Query(pattern=SYMBOL_PATTERN, description="BASE-QUOTE in capitals", examples=["BTC-USD"])
]


SourceQuery = Annotated[
    str, Query(pattern=SOURCE_PATTERN, description="One of the configured sources")
]
LimitQuery = Annotated[
    int | None, Query(ge=1, description="Page size; default and maximum set by the server")
]


def valid_source(settings: ApiSettings, source: str) -> str:
    if source not in settings.source_names:
        raise invalid(
            "source", f"source must be one of: {', '.join(settings.source_names)}", source
        )
    return source


def page_limit(settings: ApiSettings, limit: int | None) -> int:
    if limit is None:
        return settings.default_limit
    if limit > settings.max_limit:
        raise invalid("limit", f"limit must be at most {settings.max_limit}", limit)
    return limit
