"""Fixtures of the producer's tests: a real HTTP client and a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.fake_clock import FakeClock
from tests.support.http_sources import http_client


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(timeout_s=0.5) as c:
        yield c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
