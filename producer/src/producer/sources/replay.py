"""Replay: ticks recorded in a JSONL file (one encoded tick a line), published again.

At `speed` 1 the gaps between event times are kept, at 10 they are ten times shorter,
and at 0 the file goes out as fast as the producer takes it. Ticks keep their recorded
source, ids and times, so a replayed tick is recognisable downstream. Lines that are not
valid ticks are rejected with the reason, like any source's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from coinstream_common.ticks import (
    DECODE_ERRORS,
    TICK_DECODER,
    InvalidTick,
    Tick,
    as_invalid_tick,
)
from producer.clock import Clock
from producer.sources.base import PollResult, SourceConfigError

SOURCE_NAME = "replay"
PACED_POLL_S = 0.05
IDLE_POLL_S = 1.0
log = logging.getLogger(__name__)


def recorded_lines(lines: Iterable[bytes]) -> list[bytes]:
    """The non-blank lines, without their line ends: each is a tick's JSON as published."""
    return [line.rstrip() for line in lines if line and not line.isspace()]


def decode_lines(lines: Sequence[bytes]) -> list[Tick | InvalidTick]:
    """Each line decoded: a tick, or why it is not one. Replay at speed 0 is the
    producer's fastest path, so a batch is decoded in one comprehension while every line
    is valid, as a recording nearly always is; only a batch with a bad line goes line by
    line, to give each its reason."""
    try:
        return [TICK_DECODER.decode(line) for line in lines]
    except DECODE_ERRORS:
        return [_decoded(line) for line in lines]


def _decoded(line: bytes) -> Tick | InvalidTick:
    try:
        return TICK_DECODER.decode(line)
    except DECODE_ERRORS as error:
        return as_invalid_tick(error)


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
        # Lines read but not yet polled (the file is read a batch at a time), and each decoded.
        self._lines: list[bytes] = []
        self._decoded: list[Tick | InvalidTick] = []
        self._next = 0
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

    async def poll(self) -> PollResult:
        """Up to `batch_size` entries whose time has come, stopping at the first tick that
        must still wait."""
        taken: list[Tick | InvalidTick] = []
        lines: list[bytes] = []
        while len(taken) < self._batch_size and self._read_more():
            wanted = self._decoded[self._next : self._next + self._batch_size - len(taken)]
            due = wanted if self._speed == 0 else self._due(wanted)
            taken += due
            lines += self._lines[self._next : self._next + len(due)]
            self._next += len(due)
            if len(due) < len(wanted):
                break
        ticks = [entry for entry in taken if isinstance(entry, Tick)]
        if len(ticks) == len(taken):
            return PollResult(ticks=ticks, encoded=lines)
        return PollResult(
            ticks=ticks,
            rejected=[entry for entry in taken if isinstance(entry, InvalidTick)],
            encoded=[
                line for entry, line in zip(taken, lines, strict=True) if isinstance(entry, Tick)
            ],
        )

    def _read_more(self) -> bool:
        """Whether entries are left to poll, decoding the next lines when all were polled."""
        while self._next == len(self._decoded):
            handle = self._handle
            lines = list(islice(handle, self._batch_size)) if handle is not None else []
            if not lines:
                if handle is not None:
                    log.info("replay finished", extra={"path": str(self._path)})
                    handle.close()
                    self._handle = None
                self.exhausted = True
                return False
            self._lines = recorded_lines(lines)
            self._decoded, self._next = decode_lines(self._lines), 0
        return True

    def _due(self, entries: list[Tick | InvalidTick]) -> list[Tick | InvalidTick]:
        """The entries up to the first tick that is not due yet."""
        for index, entry in enumerate(entries):
            if isinstance(entry, Tick) and not self._is_due(entry):
                return entries[:index]
        return entries

    def _is_due(self, tick: Tick) -> bool:
        now = self._clock.monotonic()
        if self._origin is None:
            self._origin = (now, tick.event_time)
        started, first_time = self._origin
        return (tick.event_time - first_time) / 1000 / self._speed <= now - started

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:  # noqa: ARG002
        """A recording has no history endpoint (`supports_history` is False)."""
        return PollResult()
