"""What an HTTP answer means for a price source: a JSON payload, or a SourceError to act on.

Pure: status, headers and body in; no sockets. Rate limits (429, Binance's 418 ban, 503)
carry the provider's Retry-After; 5xx, HTML pages and malformed JSON are retryable;
client errors that retrying cannot fix (bad key, unknown symbol, restricted location)
are SourceConfigError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime

from coinstream_common.backoff import retry_after_seconds
from producer.sources.base import SourceConfigError, SourceError

DETAIL_CHARS = 200
_RATE_LIMITED = {429: "rate_limited", 418: "ip_banned", 503: "unavailable"}
_CONFIG = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    451: "restricted_location",
}
_RETRYABLE_CLIENT = {408, 425}
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def short_detail(body: str) -> str:
    """A body cut to a log-friendly line; HTML error pages lose their tags."""
    text = _TAGS.sub(" ", body) if body.lstrip().startswith("<") else body
    return _SPACES.sub(" ", text).strip()[:DETAIL_CHARS]


def interpret(status: int, headers: Mapping[str, str], body: str, now: datetime) -> object:
    """The JSON payload of a successful answer; raise SourceError otherwise."""
    detail = short_detail(body) or f"HTTP {status}"
    if status in _RATE_LIMITED:
        wait = retry_after_seconds(headers.get("retry-after"), now)
        raise SourceError(_RATE_LIMITED[status], detail, retry_after_s=wait)
    if status in _CONFIG:
        raise SourceConfigError(_CONFIG[status], detail)
    if 400 <= status < 500 and status not in _RETRYABLE_CLIENT:
        raise SourceConfigError(f"http_{status}", detail)
    if not 200 <= status < 300:
        raise SourceError(f"http_{status}", detail)
    try:
        return json.loads(body)
    except ValueError:
        reason = "html_page" if body.lstrip().startswith("<") else "bad_json"
        raise SourceError(reason, detail) from None
