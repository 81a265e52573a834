"""A response body encoded once, when its query is loaded, for every client that gets it.

A day of 1-minute candles is about 400 KB of JSON, and gzip makes it several times
smaller. Compressing per response (Starlette's GZipMiddleware) would cost milliseconds of
CPU for every request; compressing when the query cache loads a body costs that once per
load, and each request only picks the copy its `Accept-Encoding` allows. Each copy's ETag
is computed with it (http_caching.py).
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from fastapi import Response
from starlette.types import Scope

from api.http_caching import entity_tag, none_match

# Level 5 compresses within a few percent of the default (6) in about two thirds the time.
GZIP_LEVEL = 5
# Below this, gzip's header and the client's inflate cost more than the bytes they save
# (Starlette's GZipMiddleware draws the line at the same size).
GZIP_MIN_BYTES = 500
MEDIA_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Reply:
    """One copy of a JSON body, with the headers that describe it: its ETag, and its
    content coding and Vary when it is one of the body's two copies."""

    body: bytes
    headers: Mapping[str, str]

    @classmethod
    def json(cls, body: bytes, etag: str, *, gzipped: bool = False, vary: bool = False) -> Reply:
        headers = {"ETag": etag}
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        if vary:
            # A shared cache must not give the gzipped copy to a client that did not ask.
            headers["Vary"] = "Accept-Encoding"
        return cls(body, headers)

    @property
    def etag(self) -> str:
        return self.headers["ETag"]

    def response(self, cache_control: str, if_none_match: list[str]) -> Response:
        """The 200, or a 304 when the client holds this copy already. A new Response per
        request: middleware edits a response's headers in place (CORSMiddleware adds
        `Vary: Origin`), so one must not be shared."""
        if none_match(if_none_match, self.etag):
            # No body, and of the 200's headers the ones a cache refreshes its copy by
            # (RFC 9110 15.4.5).
            kept = {k: v for k, v in self.headers.items() if k in {"ETag", "Vary"}}
            return Response(status_code=304, headers=kept | {"Cache-Control": cache_control})
        headers = {**self.headers, "Cache-Control": cache_control}
        return Response(self.body, media_type=MEDIA_TYPE, headers=headers)


@dataclass(frozen=True, slots=True)
class Encoded:
    """A body as loaded: the identity copy, and a gzipped one when it is large enough."""

    identity: Reply
    gzipped: Reply | None

    @classmethod
    def of(cls, body: bytes) -> Encoded:
        identity = Reply.json(body, entity_tag(body), vary=True)
        if len(body) < GZIP_MIN_BYTES:
            return cls(identity, None)
        compressed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        gzipped = Reply.json(compressed, entity_tag(body, "gzip"), gzipped=True, vary=True)
        return cls(identity, gzipped)

    def reply(self, gzip_accepted: bool) -> Reply:
        if gzip_accepted and self.gzipped is not None:
            return self.gzipped
        return self.identity


def request_accepts_gzip(scope: Scope) -> bool:
    """Whether the request's (first) Accept-Encoding header accepts gzip."""
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            return accepts_gzip(value)
    return False


@lru_cache(maxsize=64)  # clients send a handful of distinct values; parsed once each
def accepts_gzip(accept_encoding: bytes | None) -> bool:
    """Whether the header lists gzip with a non-zero weight (RFC 9110, section 12.5.3)."""
    for item in (accept_encoding or b"").decode("latin-1").split(","):
        coding, *params = (part.strip().lower() for part in item.split(";"))
        if coding == "gzip":
            weights = [p.removeprefix("q=") for p in params if p.startswith("q=")]
            return not weights or _weight(weights[0]) > 0
    return False


def _weight(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0
