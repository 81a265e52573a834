"""Pre-encoded bodies, their ETags, and the Accept-Encoding header."""

from __future__ import annotations

import gzip

import pytest

from api.encoded import Encoded, accepts_gzip, request_accepts_gzip
from api.http_caching import entity_tag


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, GZIP;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("gzip;q=oops", False),
        ("deflate, br", False),
        ("identity", False),
        ("", False),
        (None, False),
    ],
)
def test_gzip_is_chosen_only_when_the_client_accepts_it(header: str | None, expected: bool) -> None:
    raw = None if header is None else header.encode()
    assert accepts_gzip(raw) is expected
    headers = [] if raw is None else [(b"accept", b"*/*"), (b"accept-encoding", raw)]
    assert request_accepts_gzip({"headers": headers}) is expected


LARGE = b'{"candles": []}' * 100


def test_both_copies_hold_the_same_body() -> None:
    encoded = Encoded.of(LARGE)
    assert encoded.gzipped is not None
    assert gzip.decompress(encoded.gzipped.body) == encoded.identity.body == LARGE
    assert len(encoded.gzipped.body) < len(LARGE)


def test_the_response_says_which_copy_it_carries() -> None:
    encoded = Encoded.of(LARGE)
    assert encoded.gzipped is not None
    gzipped = encoded.reply(gzip_accepted=True).response("max-age=1", [])
    plain = encoded.reply(gzip_accepted=False).response("max-age=1", [])
    assert (gzipped.body, gzipped.headers["content-encoding"]) == (encoded.gzipped.body, "gzip")
    assert (plain.body, plain.headers.get("content-encoding")) == (LARGE, None)
    assert gzipped.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    assert gzipped.headers["content-type"] == plain.headers["content-type"] == "application/json"
    assert gzipped.headers["cache-control"] == plain.headers["cache-control"] == "max-age=1"
    assert int(gzipped.headers["content-length"]) == len(encoded.gzipped.body)
    assert int(plain.headers["content-length"]) == len(LARGE)


def test_each_copy_has_its_own_strong_etag() -> None:
    encoded = Encoded.of(LARGE)
    assert encoded.gzipped is not None
    assert encoded.identity.etag == entity_tag(LARGE)
    assert encoded.gzipped.etag == entity_tag(LARGE, "gzip") != encoded.identity.etag
    assert encoded.gzipped.headers["ETag"] == encoded.gzipped.etag
    assert Encoded.of(LARGE) == encoded, "the same body, the same tags and bytes"


def test_a_client_holding_the_copy_gets_a_304_without_a_body() -> None:
    reply = Encoded.of(LARGE).reply(gzip_accepted=True)
    response = reply.response("max-age=1", [reply.etag])
    assert (response.status_code, response.body) == (304, b"")
    assert dict(response.headers) == {
        "etag": reply.etag,
        "vary": "Accept-Encoding",
        "cache-control": "max-age=1",
    }


def test_a_response_is_new_each_time() -> None:
    # CORSMiddleware adds to a response's headers in place; a shared one would pile them up.
    reply = Encoded.of(LARGE).reply(gzip_accepted=False)
    first = reply.response("max-age=1", [])
    first.headers["vary"] += ", Origin"
    assert reply.response("max-age=1", []).headers["vary"] == "Accept-Encoding"


def test_a_small_body_goes_plain_even_to_a_client_that_accepts_gzip() -> None:
    encoded = Encoded.of(b'{"price": 1.0}')
    assert encoded.gzipped is None
    response = encoded.reply(gzip_accepted=True).response("no-cache", [])
    assert (response.body, response.headers.get("content-encoding")) == (b'{"price": 1.0}', None)
