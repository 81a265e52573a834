"""Standard HTTP caching for the cached reads (RFC 9110, RFC 9111): a strong `ETag` per body,
`If-None-Match` answered with a 304, and a `Cache-Control` freshness that is the query
cache's own, so a polling client or a proxy can skip the body it already holds.
"""

from __future__ import annotations

import hashlib
import math
import re

# An entity tag inside an If-None-Match list, with its quotes; "W/" marks a weak one.
_LISTED_TAG = re.compile(r'(?:W/)?("[^"]*")')


def entity_tag(body: bytes, coding: str | None = None) -> str:
    """A strong ETag for `body` as sent in `coding` (None: as it is).

    A gzipped copy is another representation of the same body, and RFC 9110 (8.8.3.3)
    wants its strong tag distinct from the identity copy's: it gets the identity copy's
    tag with the coding appended ("<digest>-gzip"), as the RFC's example does. That costs
    one digest per load, and still names one byte sequence, since gzip here is a pure
    function of the body (a fixed level, no timestamp: encoded.Encoded)."""
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    return f'"{digest}-{coding}"' if coding else f'"{digest}"'


def none_match(if_none_match: list[str], etag: str) -> bool:
    """Whether the request's If-None-Match headers are "*" or list `etag`: the client holds
    this body already (RFC 9110 13.1.2, which compares weakly: "W/" is ignored)."""
    listed = ",".join(if_none_match)
    if listed.strip() == "*":
        return True
    return etag in _LISTED_TAG.findall(listed)


def cache_control(ttl_s: float) -> str:
    """How long a client may reuse an answer without asking again: as long as the query
    cache reuses it, in whole seconds rounded down (max-age takes an integer, and rounding
    up would promise more than the server keeps). Below one second that is nothing:
    "no-cache" has a client ask every time, and a conditional request makes that a 304."""
    seconds = math.floor(ttl_s)
    return f"max-age={seconds}" if seconds > 0 else "no-cache"
