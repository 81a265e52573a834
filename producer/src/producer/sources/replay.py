"""Replay: ticks recorded in a JSONL file (one encoded tick a line), published again.

At `speed` 1 the gaps between event times are kept, at 10 they are ten times shorter,
and at 0 the file goes out as fast as the producer takes it. Ticks keep their recorded
source, ids and times, so a replayed tick is recognisable downstream. Lines that are not
valid ticks are rejected with the reason, like any source's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from coinstream_common.ticks import InvalidTick, Tick, decode_tick
from producer.clock import Clock
from producer.sources.base import PollResult, SourceConfigError

SOURCE_NAME = "replay"
PACED_POLL_S = 0.05
IDLE_POLL_S = 1.0
log = logging.getLogger(__name__)


def read_ticks(lines: Iterator[bytes]) -> Iterator[Tick | InvalidTick]:
    """Each non-blank line decoded: a tick, or why it is not one."""
    for line in lines:
        if not line.strip():
            continue
        try:
            yield decode_tick(line)
        except InvalidTick as invalid:
            yield invalid


class ReplaySource:
    name = SOURCE_NAME
    supports_history = False
    streams: Sequence[str] = ()

    def __init__(self, path: Path, *, speed: float, batch_size: int, clock: Clock) -> None:
        self._path = path
        self._speed = speed
        self._batch_size = batch_size
        self._clock = clock
        self._handle: BinaryIO | None = None
        self._entries: Iterator[Tick | InvalidTick] = iter(())
        self._waiting: Tick | InvalidTick | None = None
        self._origin: tuple[float, int] | None = None  # (monotonic start, first event time)
        self.exhausted = False

    @property
    def poll_interval_s(self) -> float:
        # Flat out at speed 0; once the file is done, only an idle look now and then.
        if self.exhausted:
            return IDLE_POLL_S
        return 0.0 if self._speed == 0 else PACED_POLL_S

    async def start(self, cursors: Mapping[str, str]) -> None:  # noqa: ARG002 - no cursor
        try:
            self._handle = self._path.open("rb")
        except OSError as error:
            raise SourceConfigError("missing_file", f"cannot read {self._path}: {error}") from None
        self._entries = read_ticks(iter(self._handle))

    async def poll(self) -> PollResult:
        result = PollResult()
        for entry in islice(self._due(), self._batch_size):
            if isinstance(entry, InvalidTick):
                result.rejected.append(entry)
            else:
                result.ticks.append(entry)
        return result

    def _due(self) -> Iterator[Tick | InvalidTick]:
        """Entries whose time has come, stopping at the first that must still wait."""
        while True:
            entry = self._waiting if self._waiting is not None else next(self._entries, None)
            self._waiting = None
            if entry is None:
                if not self.exhausted:
                    log.info("replay finished", extra={"path": str(self._path)})
                    if self._handle is not None:
                        self._handle.close()
                self.exhausted = True
                return
            if isinstance(entry, Tick) and not self._is_due(entry):
                self._waiting = entry
                return
            yield entry

    def _is_due(self, tick: Tick) -> bool:
        if self._speed == 0:
            return True
        now = self._clock.monotonic()
        if self._origin is None:
            self._origin = (now, tick.event_time)
        started, first_time = self._origin
        return (tick.event_time - first_time) / 1000 / self._speed <= now - started

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:  # noqa: ARG002
        """A recording has no history endpoint (`supports_history` is False)."""
        return PollResult()
