from __future__ import annotations

from alerter.health_alerts import CONSUMER, HealthAlerts, HealthReading
from alerter.rule_file import parse_rules
from alerter.rules import ConsumerLagRule, StaleFeedRule

NOW = 1_800_000_000_000
SECOND = 1000
RULES = parse_rules(
    """
rules:
  - {name: stale, kind: stale_feed, max_age_s: 30, cooldown_s: 0}
  - {name: stale-kraken, kind: stale_feed, source: kraken, max_age_s: 5, cooldown_s: 0}
  - {name: lag, kind: consumer_lag, max_messages: 1000, cooldown_s: 0}
  - {name: behind, kind: consumer_lag, max_watermark_delay_s: 60, cooldown_s: 120}
"""
)


def health_alerts() -> HealthAlerts:
    return HealthAlerts([r for r in RULES if isinstance(r, StaleFeedRule | ConsumerLagRule)])


def test_a_series_without_ticks_for_max_age_raises_and_a_fresh_tick_resolves() -> None:
    alerts = health_alerts()
    coinbase, kraken = ("coinbase", "BTC-USD"), ("kraken", "BTC-USD")

    quiet = alerts.observe(
        HealthReading(NOW, {coinbase: NOW - 10 * SECOND, kraken: NOW - 10 * SECOND})
    )
    stale = alerts.observe(
        HealthReading(NOW + 20 * SECOND, {coinbase: NOW - 10 * SECOND, kraken: NOW})
    )
    fresh = alerts.observe(
        HealthReading(NOW + 21 * SECOND, {coinbase: NOW + 20 * SECOND, kraken: NOW})
    )

    assert [(e.rule, e.subject, e.state, e.value) for e in quiet] == [
        ("stale-kraken", "kraken/BTC-USD", "active", 10.0)
    ]
    assert [(e.rule, e.subject, e.state, e.value) for e in stale] == [
        ("stale", "coinbase/BTC-USD", "active", 30.0),
    ]
    assert [(e.rule, e.subject, e.state) for e in fresh] == [
        ("stale", "coinbase/BTC-USD", "resolved")
    ]
    assert fresh[0].alert_id == f"stale/coinbase/BTC-USD/{NOW + 20 * SECOND}"


def test_consumer_lag_raises_on_either_measure_and_an_unknown_one_changes_nothing() -> None:
    alerts = health_alerts()

    raised = alerts.observe(HealthReading(NOW, lag_messages=5000, watermark_delay_s=90))
    unknown = alerts.observe(HealthReading(NOW + SECOND))
    lag_down = alerts.observe(
        HealthReading(NOW + 2 * SECOND, lag_messages=900, watermark_delay_s=55)
    )
    cleared = alerts.observe(
        HealthReading(NOW + 3 * SECOND, lag_messages=799, watermark_delay_s=47)
    )

    assert [(e.rule, e.subject, e.state) for e in raised] == [
        ("lag", CONSUMER, "active"),
        ("behind", CONSUMER, "active"),
    ]
    assert unknown == []
    # Below the raise threshold is not below the clear threshold (80 %).
    assert lag_down == []
    assert [(e.rule, e.state) for e in cleared] == [("lag", "resolved"), ("behind", "resolved")]


def test_a_clock_set_back_does_not_take_times_back() -> None:
    alerts = health_alerts()
    alerts.observe(HealthReading(NOW, lag_messages=5000))

    events = alerts.observe(HealthReading(NOW - 60 * SECOND, lag_messages=0))

    assert [(e.state, e.at_ms) for e in events] == [("resolved", NOW)]


def test_a_restart_resumes_active_alerts_and_cooldowns() -> None:
    before = health_alerts()
    stored = [
        *before.observe(HealthReading(NOW, lag_messages=5000, watermark_delay_s=90)),
        *before.observe(HealthReading(NOW + SECOND, watermark_delay_s=10)),
    ]

    after = health_alerts()
    after.restore(stored)
    # Still lagging: no second raise; `behind` is in its 120 s cooldown.
    events = after.observe(HealthReading(NOW + 2 * SECOND, lag_messages=5000, watermark_delay_s=90))
    later = after.observe(
        HealthReading(NOW + 200 * SECOND, lag_messages=5000, watermark_delay_s=90)
    )

    assert events == []
    assert [(e.rule, e.state) for e in later] == [("behind", "active")]
