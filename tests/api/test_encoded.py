"""Pre-encoded bodies and the Accept-Encoding header."""

from __future__ import annotations

import gzip

import pytest

from api.encoded import Encoded, accepts_gzip


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
    assert accepts_gzip(header) is expected


def test_both_copies_hold_the_same_body() -> None:
    encoded = Encoded.of(b'{"candles": []}' * 100)
    assert gzip.decompress(encoded.gzipped) == encoded.identity
    assert len(encoded.gzipped) < len(encoded.identity)


def test_the_response_says_which_copy_it_carries() -> None:
    encoded = Encoded.of(b"{}")
    gzipped = encoded.response("gzip", "application/json")
    plain = encoded.response("identity", "application/json")
    assert (gzipped.body, gzipped.headers["content-encoding"]) == (encoded.gzipped, "gzip")
    assert (plain.body, plain.headers.get("content-encoding")) == (b"{}", None)
    assert gzipped.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
