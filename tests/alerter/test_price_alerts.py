from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alerter.price_alerts import PriceAlerts
from alerter.rules import PriceCrossRule, PriceMoveRule, PriceRule
from alerter.trigger import AlertEvent
from tests.alerter.reference import PriceTick, move_pct, price_ticks, trigger_events

SOURCE, SYMBOL = "coinbase", "BTC-USD"
SUBJECT = f"{SOURCE}/{SYMBOL}"


def move_rule(
    name: str, change: float, span_s: int, clear: float | None, cooldown_s: int
) -> PriceMoveRule:
    return PriceMoveRule(
        name=name,
        kind="price_move",
        change_pct=change,
        window_minutes=span_s / 60,
        clear_pct=clear,
        cooldown_s=cooldown_s,
    )


@st.composite
def move_rules(draw: st.DrawFn, name: str) -> PriceMoveRule:
    change = draw(st.sampled_from([1.0, 2.0, 5.0, 10.0]))
    clear = draw(st.none() | st.sampled_from([0.0, 0.5, 1.0]).map(lambda f: f * change))
    return move_rule(name, change, draw(st.integers(1, 20)), clear, draw(st.integers(0, 15)))


def run(alerts: PriceAlerts, ticks: list[PriceTick], start: int = 0) -> list[AlertEvent]:
    events = []
    for offset, (t, price) in enumerate(ticks[start:], start):
        events += alerts.observe(SOURCE, SYMBOL, t, price, offset)
    return events


def as_reference(events: list[AlertEvent], rule: str) -> list[tuple[str, int, int, int]]:
    return [(e.state, e.raised_at_ms, e.at_ms, e.offset or 0) for e in events if e.rule == rule]


def clocks(ticks: list[PriceTick]) -> list[int]:
    return [max(t for t, _ in ticks[: i + 1]) for i in range(len(ticks))]


@given(ticks=price_ticks(), first=move_rules("first"), second=move_rules("second"))
def test_a_price_move_fires_exactly_when_the_reference_says(
    ticks: list[PriceTick], first: PriceMoveRule, second: PriceMoveRule
) -> None:
    events = run(PriceAlerts([first, second]), ticks)

    for rule in (first, second):
        measures = [
            (clock, move_pct(ticks, i, rule.window_s)) for i, clock in enumerate(clocks(ticks))
        ]
        expected = trigger_events(measures, rule.raise_at, rule.clear_below, rule.cooldown_ms)
        assert as_reference(events, rule.name) == expected


@given(
    ticks=price_ticks(),
    level=st.sampled_from([97.0, 100.0, 104.0]),
    direction=st.sampled_from(["up", "down"]),
    hysteresis=st.sampled_from([0.0, 1.0, 3.0]),
)
def test_a_price_cross_follows_the_newest_price(
    ticks: list[PriceTick], level: float, direction: str, hysteresis: float
) -> None:
    rule = PriceCrossRule.model_validate(
        {"name": "cross", "kind": "price_cross", "level": level, "direction": direction,
         "hysteresis_pct": hysteresis, "cooldown_s": 2}
    )  # fmt: skip
    sign = 1 if direction == "up" else -1

    events = run(PriceAlerts([rule]), ticks)

    measures = [
        (clock, sign * price if t >= clock else None)
        for (t, price), clock in zip(ticks, clocks(ticks), strict=True)
    ]
    expected = trigger_events(measures, rule.raise_at, rule.clear_below, rule.cooldown_ms)
    assert as_reference(events, "cross") == expected


def test_a_price_hovering_at_the_threshold_raises_once() -> None:
    rule = move_rule("move", change=3, span_s=600, clear=2, cooldown_s=0)
    # 100 then 97 (-3 %), then between 2 % and 3 % below the high, back and forth.
    prices = [100.0, 97.0] + [97.5, 97.9, 97.1, 97.6] * 10
    ticks = [(1_700_000_000_000 + i * 1000, p) for i, p in enumerate(prices)]

    events = run(PriceAlerts([rule]), ticks)

    assert [(e.state, e.at_ms, round(e.value, 6)) for e in events] == [("active", ticks[1][0], 3.0)]
    assert events[0].alert_id == f"move/{SUBJECT}/{ticks[1][0]}"


def test_a_cleared_alert_waits_out_its_cooldown() -> None:
    rule = move_rule("move", change=3, span_s=5, clear=None, cooldown_s=10)
    t0 = 1_700_000_000_000
    # Raise at 1 s, clear at 7 s (the 97 has left the window), big moves again at 9 s
    # and 10 s (in the cooldown, ignored), and at 18 s (after it).
    path = [(0, 100.0), (1, 97.0), (7, 97.0), (9, 100.0), (10, 97.0), (17, 100.0), (18, 97.0)]
    ticks = [(t0 + s * 1000, p) for s, p in path]

    events = run(PriceAlerts([rule]), ticks)

    assert [(e.state, (e.at_ms - t0) // 1000) for e in events] == [
        ("active", 1),
        ("resolved", 7),
        ("active", 18),
    ]
    assert len({e.alert_id for e in events}) == 2


def test_rules_apply_to_the_series_they_name_each_on_its_own() -> None:
    everywhere = move_rule("any", change=1, span_s=60, clear=None, cooldown_s=0)
    kraken = PriceCrossRule(
        name="kraken-eth", kind="price_cross", source="kraken", symbol="ETH-USD",
        level=3000, direction="up",
    )  # fmt: skip
    alerts = PriceAlerts([everywhere, kraken])
    t0 = 1_700_000_000_000

    events = [
        *alerts.observe("coinbase", "ETH-USD", t0, 3000.0),
        *alerts.observe("kraken", "ETH-USD", t0, 2900.0),
        *alerts.observe("kraken", "ETH-USD", t0 + 1000, 3010.0),
        *alerts.observe("coinbase", "ETH-USD", t0 + 1000, 3010.0),
    ]

    assert [(e.rule, e.subject) for e in events] == [
        ("any", "kraken/ETH-USD"),
        ("kraken-eth", "kraken/ETH-USD"),
    ]


@given(
    ticks=price_ticks(),
    rule=move_rules("move"),
    cross_level=st.sampled_from([99.0, 101.0]),
    data=st.data(),
)
def test_a_restart_anywhere_raises_and_resolves_the_same_alerts(
    ticks: list[PriceTick], rule: PriceMoveRule, cross_level: float, data: st.DataObject
) -> None:
    """A crash after storing the events of ticks before `stored`, with offsets committed
    before `committed`: the restart restores each trigger from its last stored event,
    replays the committed ticks to rebuild the windows, and reads on from `committed`."""
    cross = PriceCrossRule(name="cross", kind="price_cross", level=cross_level, direction="up")
    rules: list[PriceRule] = [rule, cross]
    uninterrupted = run(PriceAlerts(rules), ticks)
    stored_until = data.draw(st.integers(0, len(ticks)))
    committed = data.draw(st.integers(0, stored_until))
    stored = [e for e in uninterrupted if (e.offset or 0) < stored_until]

    restarted = PriceAlerts(rules)
    last = {(e.rule, e.subject): e for e in stored}
    restarted.restore(last.values())
    for t, price in ticks[:committed]:
        restarted.observe(SOURCE, SYMBOL, t, price, warm=True)
    after_restart = run(restarted, ticks, committed)

    assert stored + after_restart == uninterrupted
