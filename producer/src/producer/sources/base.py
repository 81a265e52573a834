"""What every price source gives the producer: ticks, validated, with what was rejected."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from coinstream_common.ticks import InvalidTick, Tick, make_tick


@dataclass(slots=True)
class PollResult:
    ticks: list[Tick] = field(default_factory=list)
    rejected: list[InvalidTick] = field(default_factory=list)
    # Stream (symbol) -> the source's cursor once these ticks are out; checkpointed after delivery.
    cursors: dict[str, str] = field(default_factory=dict)
    # The ticks' JSON as a source already holds it (a recording's lines), one per tick, each
    # the bytes that decoded to it; published as it is instead of encoded again.
    encoded: list[bytes] | None = None


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
    """A request or poll failed; `reason` is a short, bounded label for metrics and logs.

    Retryable by default; `retry_after_s` is how long the provider asked us to wait.
    """

    retryable = True

    def __init__(self, reason: str, detail: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.retry_after_s = retry_after_s


class SourceConfigError(SourceError):
    """The configuration cannot work (unknown coin or symbol, bad key, restricted location).

    Retrying does not help: at startup the producer stops with this message.
    """

    retryable = False


class Source(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def poll_interval_s(self) -> float: ...

    @property
    def streams(self) -> Sequence[str]:
        """The symbols this source follows; each has its own cursor and backfill marker."""
        ...

    @property
    def supports_history(self) -> bool: ...

    async def start(self, cursors: Mapping[str, str]) -> None:
        """Check the configuration against the source (raise SourceConfigError) and resume
        from the saved cursors; a stream without one starts at the source's newest trade."""
        ...

    async def poll(self) -> PollResult:
        """Fetch what is new since the last poll; raise SourceError when the fetch fails."""
        ...

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:
        """Backfill ticks (marked as such) for one stream between two times."""
        ...
