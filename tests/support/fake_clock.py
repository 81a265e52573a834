"""A clock for tests: sleeping records the wait and moves time on at once."""

from __future__ import annotations

import asyncio


class FakeClock:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)  # still let other tasks run, as a real sleep would
