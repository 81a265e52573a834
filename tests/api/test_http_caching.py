"""ETags, If-None-Match and Cache-Control, as RFC 9110 and 9111 have them."""

from __future__ import annotations

import re

import pytest

from api.http_caching import cache_control, entity_tag, none_match

BODY = b'{"symbols": []}'


def test_an_etag_is_strong_quoted_and_follows_the_bytes() -> None:
    tag = entity_tag(BODY)
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag), "strong: no W/ prefix"
    assert entity_tag(BODY) == tag
    assert entity_tag(BODY + b" ") != tag


def test_a_coded_copy_has_a_tag_of_its_own() -> None:
    assert entity_tag(BODY, "gzip") == entity_tag(BODY)[:-1] + '-gzip"'


@pytest.mark.parametrize(
    ("if_none_match", "expected"),
    [
        ([], False),
        (["*"], True),
        ([" * "], True),
        (['"a"'], True),
        (['W/"a"'], True),  # weak comparison
        (['"b", "a"'], True),
        (['"b"', '"a"'], True),  # two header lines are one list
        (['"b"'], False),
        (['"a-gzip"'], False),
        (["a"], False),  # not a quoted tag
    ],
)
def test_if_none_match_lists_the_tag_or_everything(
    if_none_match: list[str], expected: bool
) -> None:
    assert none_match(if_none_match, '"a"') is expected


@pytest.mark.parametrize(
    ("ttl_s", "expected"),
    [(0, "no-cache"), (0.5, "no-cache"), (1, "max-age=1"), (2.9, "max-age=2"), (60, "max-age=60")],
)
def test_freshness_is_the_query_caches_in_whole_seconds(ttl_s: float, expected: str) -> None:
    assert cache_control(ttl_s) == expected
