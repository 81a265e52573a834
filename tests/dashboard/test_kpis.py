from __future__ import annotations

from dashboard.kpis import MISSING, build_kpis, format_age

LATEST = {"price": 64123.456, "age_s": 12.0}
STATS = {"change_pct": -1.234, "high": 65000.0, "low": 63000.5, "volume": 12.5}


def test_kpis_from_the_api_answers() -> None:
    kpis = build_kpis(LATEST, STATS, {"status": "ready"}, fresh_s=90, stale_s=300)
    assert (kpis.last_price, kpis.change_24h) == ("64,123.46", "-1.23%")
    assert (kpis.high_24h, kpis.low_24h, kpis.volume_24h) == ("65,000.00", "63,000.50", "12.5000")
    assert (kpis.updated, kpis.staleness, kpis.pipeline) == ("12 s ago", "fresh", "ready")


def test_missing_stats_and_readiness_are_shown_as_such() -> None:
    kpis = build_kpis(LATEST | {"age_s": 400}, None, None, fresh_s=90, stale_s=300)
    assert (kpis.change_24h, kpis.high_24h, kpis.pipeline) == (None, MISSING, "unknown")
    assert kpis.staleness == "stale"
    not_ready = {"status": "not ready", "reason": "no candles yet"}
    assert build_kpis(LATEST, None, not_ready, fresh_s=90, stale_s=300).pipeline == (
        "not ready: no candles yet"
    )


def test_ages_read_naturally() -> None:
    assert [format_age(s) for s in (5, 119, 600, 7200, 3 * 86400)] == [
        "5 s ago",
        "119 s ago",
        "10 min ago",
        "2 h ago",
        "3 days ago",
    ]
