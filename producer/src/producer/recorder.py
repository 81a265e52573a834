"""Record mode: what a live source returns is also appended to a JSONL file, for `replay`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from coinstream_common.ticks import Tick, encode_tick
from producer.sources.base import PollResult, Source


class TickRecorder:
    """Appends encoded ticks, one a line; a line is written whole or not at all per flush."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab")

    def write(self, ticks: Iterable[Tick]) -> None:
        self._file.writelines(encode_tick(tick) + b"\n" for tick in ticks)
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class RecordingSource:
    """A source whose every valid tick, polled or backfilled, is recorded before it is published."""

    def __init__(self, source: Source, recorder: TickRecorder) -> None:
        self._source = source
        self._recorder = recorder

    @property
    def name(self) -> str:
        return self._source.name

    @property
    def poll_interval_s(self) -> float:
        return self._source.poll_interval_s

    @property
    def streams(self) -> Sequence[str]:
        return self._source.streams

    @property
    def supports_history(self) -> bool:
        return self._source.supports_history

    async def start(self, cursors: Mapping[str, str]) -> None:
        await self._source.start(cursors)

    async def poll(self) -> PollResult:
        return self._recorded(await self._source.poll())

    async def history(self, stream: str, since_ms: int, until_ms: int) -> PollResult:
        return self._recorded(await self._source.history(stream, since_ms, until_ms))

    def _recorded(self, result: PollResult) -> PollResult:
        self._recorder.write(result.ticks)
        return result
