"""The shared HTTP layer against a local server: retries, waits, breaker, and what is logged."""

from __future__ import annotations

import logging
import time

import httpx
import pytest
from pytest_httpserver import HTTPServer

from producer.sources.base import SourceConfigError, SourceError
from tests.support.fake_clock import FakeClock
from tests.support.http_sources import USER_AGENT, backoff_delays, source_http
from tests.support.resetting_server import resetting_server
from tests.support.slow_answer import LateAnswers

CLOUDFLARE_502 = "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"
RATE_LIMITED = '{"status":{"error_code":429,"error_message":"You\'ve exceeded the Rate Limit."}}'


def failures(caplog: pytest.LogCaptureFixture) -> list[tuple[str, object, object]]:
    return [
        (r.levelname, getattr(r, "reason", None), getattr(r, "retry_in_s", None))
        for r in caplog.records
        if r.getMessage() == "request failed" and getattr(r, "source", None) == "test"
    ]


async def test_every_request_carries_the_user_agent(
    client: httpx.AsyncClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/ok", headers={"User-Agent": USER_AGENT}).respond_with_json({"a": 1})
    clock = FakeClock()
    response = await source_http(client, httpserver.url_for(""), clock).get_json("/ok")
    assert response.payload == {"a": 1}
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "reason"), [(429, "rate_limited"), (418, "ip_banned"), (503, "unavailable")]
)
async def test_retry_after_is_honoured(
    client: httpx.AsyncClient,
    httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture,
    status: int,
    reason: str,
) -> None:
    httpserver.expect_oneshot_request("/p").respond_with_data(
        RATE_LIMITED, status=status, headers={"Retry-After": "7"}, content_type="application/json"
    )
    httpserver.expect_oneshot_request("/p").respond_with_json({"ok": True})
    clock = FakeClock()
    response = await source_http(client, httpserver.url_for(""), clock).get_json("/p")
    assert response.payload == {"ok": True}
    # max(Retry-After, backoff): the first backoff draw is below 1 s, so 7 s it is.
    assert clock.sleeps == [7.0]
    assert failures(caplog) == [("WARNING", reason, 7.0)]


async def test_a_retry_after_date_is_read_too(
    client: httpx.AsyncClient, httpserver: HTTPServer
) -> None:
    in_30s = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    httpserver.expect_oneshot_request("/p").respond_with_data(
        "", status=429, headers={"Retry-After": in_30s}
    )
    httpserver.expect_oneshot_request("/p").respond_with_json([])
    clock = FakeClock()
    await source_http(client, httpserver.url_for(""), clock).get_json("/p")
    assert len(clock.sleeps) == 1
    assert 25 < clock.sleeps[0] <= 30


async def test_without_retry_after_the_wait_is_exponential_with_jitter(
    client: httpx.AsyncClient, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(3):
        httpserver.expect_oneshot_request("/p").respond_with_json(
            {"message": "Public rate limit exceeded"}, status=429
        )
    httpserver.expect_oneshot_request("/p").respond_with_json([1])
    clock = FakeClock()
    assert (await source_http(client, httpserver.url_for(""), clock).get_json("/p")).payload == [1]
    expected = backoff_delays(3)
    assert clock.sleeps == pytest.approx(expected)
    assert all(0 <= d <= 2**i for i, d in enumerate(expected))
    assert [reason for _, reason, _ in failures(caplog)] == ["rate_limited"] * 3


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        (CLOUDFLARE_502, "text/html", 502, "http_502"),
        ("<html><body>Maintenance</body></html>", "text/html", 200, "html_page"),
        ('{"bitcoin": {"usd": 1', "application/json", 200, "bad_json"),
    ],
)
async def test_broken_answers_are_retried_then_reported(
    client: httpx.AsyncClient,
    httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
    status: int,
    reason: str,
) -> None:
    httpserver.expect_request("/p").respond_with_data(
        body, status=status, content_type=content_type
    )
    clock = FakeClock()
    http = source_http(client, httpserver.url_for(""), clock, max_attempts=3)
    with pytest.raises(SourceError) as raised:
        await http.get_json("/p")
    assert (raised.value.reason, raised.value.retryable) == (reason, True)
    assert len(httpserver.log) == 3
    assert clock.sleeps == pytest.approx(backoff_delays(2))
    logged = failures(caplog)
    assert [r for _, r, _ in logged] == [reason] * 3
    assert logged[-1][2] is None  # the last failure is not retried
    if content_type == "text/html":
        assert "<" not in raised.value.detail  # tags stripped from HTML pages


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (
            451,
            '{"code":0,"msg":"Service unavailable from a restricted location"}',
            "restricted_location",
        ),
        (401, '{"status":{"error_code":10002,"error_message":"API Key Missing"}}', "unauthorized"),
        (
            403,
            '{"status":{"error_code":403,"error_message":"Please add a User-Agent"}}',
            "forbidden",
        ),
        (400, '{"code":-1121,"msg":"Invalid symbol."}', "bad_request"),
        (404, '{"message":"NotFound"}', "not_found"),
    ],
)
async def test_configuration_errors_are_not_retried(
    client: httpx.AsyncClient,
    httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture,
    status: int,
    body: str,
    reason: str,
) -> None:
    httpserver.expect_request("/p").respond_with_data(body, status=status)
    clock = FakeClock()
    with pytest.raises(SourceConfigError) as raised:
        await source_http(client, httpserver.url_for(""), clock).get_json("/p")
    assert raised.value.reason == reason
    assert body[:40] in raised.value.detail
    assert len(httpserver.log) == 1
    assert clock.sleeps == []
    assert failures(caplog) == [("ERROR", reason, None)]


async def test_a_slow_answer_times_out_and_is_retried(
    client: httpx.AsyncClient, httpserver: HTTPServer, late_answers: LateAnswers
) -> None:
    httpserver.expect_oneshot_request("/p").respond_with_handler(late_answers.handler("{}"))
    httpserver.expect_oneshot_request("/p").respond_with_json({"late": False})
    clock = FakeClock()
    response = await source_http(client, httpserver.url_for(""), clock).get_json("/p")
    assert response.payload == {"late": False}
    assert clock.sleeps == pytest.approx(backoff_delays(1))


async def test_connection_resets_and_refusals_are_retryable(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    with resetting_server() as url, pytest.raises(SourceError) as reset:
        await source_http(client, url, clock, max_attempts=2).get_json("/p")
    with pytest.raises(SourceError) as refused:
        await source_http(client, "http://127.0.0.1:9", clock, max_attempts=1).get_json("/p")
    assert (reset.value.reason, refused.value.reason) == ("connection", "connection")
    assert [r for _, r, _ in failures(caplog)] == ["connection"] * 3


async def test_the_breaker_opens_after_repeated_failures_and_recovers(
    client: httpx.AsyncClient, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    httpserver.expect_request("/p").respond_with_data(CLOUDFLARE_502, status=502)
    clock = FakeClock()
    http = source_http(
        client, httpserver.url_for(""), clock, max_attempts=1, breaker_failures=3, cooldown_s=30
    )
    for _ in range(3):
        with pytest.raises(SourceError):
            await http.get_json("/p")
    with pytest.raises(SourceError) as refused:
        await http.get_json("/p")
    assert refused.value.reason == "circuit_open"
    assert refused.value.retry_after_s == pytest.approx(30)
    assert len(httpserver.log) == 3  # the open circuit sent nothing
    assert any(r.getMessage() == "circuit open" for r in caplog.records)

    httpserver.clear()
    httpserver.expect_request("/p").respond_with_json({"back": True})
    clock.now += 31
    assert (await http.get_json("/p")).payload == {"back": True}
    assert any(r.getMessage() == "circuit closed" for r in caplog.records)


async def test_the_budget_spaces_requests(
    client: httpx.AsyncClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/p").respond_with_json({})
    clock = FakeClock()
    http = source_http(client, httpserver.url_for(""), clock, per_second=0.5)
    for _ in range(4):
        await http.get_json("/p")
    # A burst of one, then one request every 2 s.
    assert clock.sleeps == pytest.approx([2.0, 2.0, 2.0])
