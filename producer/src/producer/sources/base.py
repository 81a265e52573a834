"""What every price source gives the producer: ticks, validated, with what was rejected."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from coinstream_common.ticks import InvalidTick, Tick, make_tick


@dataclass(slots=True)
class PollResult:
    ticks: list[Tick] = field(default_factory=list)
    rejected: list[InvalidTick] = field(default_factory=list)


def validate_all(candidates: Iterable[Mapping[str, object]]) -> PollResult:
    """Validate every candidate tick; keep the good ones, keep the reasons for the bad ones."""
    result = PollResult()
    for candidate in candidates:
        try:
            result.ticks.append(make_tick(**candidate))
        except InvalidTick as invalid:
            result.rejected.append(invalid)
    return result


class SourceError(Exception):
    """A poll failed; `reason` is a short, bounded label for metrics and logs."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Source(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def poll_interval_s(self) -> float: ...

    async def poll(self) -> PollResult:
        """Fetch what is new since the last poll; raise SourceError when the fetch fails."""
        ...
