"""Fixtures of the producer's tests: a real HTTP client and a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.support.fake_clock import FakeClock
from tests.support.http_sources import http_client
from tests.support.slow_answer import CLIENT_TIMEOUT_S, LateAnswers


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(timeout_s=CLIENT_TIMEOUT_S) as c:
        yield c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def late_answers() -> Iterator[LateAnswers]:
    answers = LateAnswers()
    yield answers
    answers.release()
