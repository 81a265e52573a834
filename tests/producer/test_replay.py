"""Replay of recorded ticks, and record mode writing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinstream_common.ticks import Tick, encode_tick
from producer.recorder import RecordingSource, TickRecorder
from producer.sources.base import SourceConfigError
from producer.sources.replay import ReplaySource
from producer.sources.simulated import SimulatedSource
from tests.support.fake_clock import FakeClock
from tests.support.ticks import T0, trade


def write(path: Path, ticks: list[Tick], junk: tuple[bytes, ...] = ()) -> None:
    path.write_bytes(b"".join(encode_tick(t) + b"\n" for t in ticks) + b"".join(junk))


async def test_speed_keeps_the_recorded_gaps_shortened(tmp_path: Path, clock: FakeClock) -> None:
    ticks = [trade(100.0 + i, T0 + i * 10_000) for i in range(4)]  # one every 10 s
    write(tmp_path / "ticks.jsonl", ticks)
    replay = ReplaySource(tmp_path / "ticks.jsonl", speed=10, batch_size=100, clock=clock)
    await replay.start({})
    assert (await replay.poll()).ticks == ticks[:1]
    clock.now += 0.5
    assert (await replay.poll()).ticks == []  # the next is due 1 s after the first
    clock.now += 0.5
    assert (await replay.poll()).ticks == ticks[1:2]
    clock.now += 10
    assert (await replay.poll()).ticks == ticks[2:]
    assert replay.exhausted


async def test_speed_zero_goes_in_batches_and_rejects_bad_lines(
    tmp_path: Path, clock: FakeClock
) -> None:
    ticks = [trade(100.0, T0 + i) for i in range(7)]
    write(tmp_path / "t.jsonl", ticks, (b"\n", b"not json\n", b'{"price": -1}\n'))
    replay = ReplaySource(tmp_path / "t.jsonl", speed=0, batch_size=5, clock=clock)
    await replay.start({})
    first, second = await replay.poll(), await replay.poll()
    assert first.ticks + second.ticks == ticks
    assert [r.field for r in second.rejected] == ["json", "price"]
    assert (await replay.poll()).ticks == []
    assert replay.exhausted
    assert replay.poll_interval_s == 1.0  # done: no busy polling


async def test_a_missing_file_is_a_configuration_error(tmp_path: Path, clock: FakeClock) -> None:
    replay = ReplaySource(tmp_path / "nope.jsonl", speed=1, batch_size=5, clock=clock)
    with pytest.raises(SourceConfigError) as raised:
        await replay.start({})
    assert raised.value.reason == "missing_file"


async def test_what_is_recorded_replays_the_same(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "recorded" / "sim.jsonl"
    now = [T0]
    sim = SimulatedSource(
        ["BTC-USD"], seed=3, trades_per_second=50, poll_interval_s=1, clock=lambda: now[0]
    )
    recorder = TickRecorder(path)
    recording = RecordingSource(sim, recorder)
    await recording.start({})
    polled = []
    for _ in range(2):
        now[0] += 1_000
        polled += (await recording.poll()).ticks
    recorder.close()
    replay = ReplaySource(path, speed=0, batch_size=10_000, clock=clock)
    await replay.start({})
    assert len(polled) > 50
    assert (await replay.poll()).ticks == polled


async def test_the_recorded_lines_go_out_as_they_are_beside_their_ticks(
    tmp_path: Path, clock: FakeClock
) -> None:
    ticks = [trade(100.0 + i, T0 + i) for i in range(4)]
    lines = [encode_tick(t) for t in ticks]
    # Bad lines between good ones, and line ends of either kind: each line stays with its tick.
    recording = lines[0] + b"\r\n" + b'{"price": -1}\n' + lines[1] + b"\n\n"
    recording += b"not json\n" + lines[2] + b"  \n" + lines[3]
    (tmp_path / "t.jsonl").write_bytes(recording)
    replay = ReplaySource(tmp_path / "t.jsonl", speed=0, batch_size=100, clock=clock)
    await replay.start({})
    polled = await replay.poll()
    assert polled.ticks == ticks
    assert polled.encoded == lines
    assert len(polled.rejected) == 2
