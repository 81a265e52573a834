from __future__ import annotations

from pathlib import Path

import pytest

from alerter.rule_file import RuleFileError, load_rules, parse_rules
from alerter.rules import ConsumerLagRule, PriceCrossRule, PriceMoveRule, StaleFeedRule

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "alert-rules.example.yml"


def test_the_shipped_example_loads_one_rule_of_each_kind() -> None:
    rules = load_rules(EXAMPLE)

    assert [type(rule) for rule in rules] == [
        PriceMoveRule,
        PriceCrossRule,
        StaleFeedRule,
        ConsumerLagRule,
    ]
    move = rules[0]
    assert isinstance(move, PriceMoveRule)
    assert (move.window_s, move.raise_at, move.clear_below, move.cooldown_ms) == (
        600,
        3,
        2,
        600_000,
    )


def test_defaults_give_hysteresis_on_every_kind() -> None:
    move, up, down, lag = parse_rules(
        """
rules:
  - {name: m, kind: price_move, change_pct: 5, window_minutes: 1}
  - {name: u, kind: price_cross, level: 100, direction: up}
  - {name: d, kind: price_cross, level: 100, direction: down}
  - {name: l, kind: consumer_lag, max_watermark_delay_s: 60}
"""
    )

    assert (move.raise_at, move.clear_below) == (5, 4)
    assert (up.raise_at, up.clear_below) == pytest.approx((100, 99.8))
    # Going down the measure is the negated price: raise at 100 or below, clear above 100.2.
    assert (down.raise_at, down.clear_below) == pytest.approx((-100, -100.2))
    assert isinstance(lag, ConsumerLagRule)
    assert (lag.metric, lag.raise_at, lag.clear_below) == ("watermark_delay_s", 60, 48)


def test_wildcards_match_every_series_and_names_match_one() -> None:
    every, one = parse_rules(
        """
rules:
  - {name: every, kind: stale_feed, max_age_s: 5}
  - {name: one, kind: stale_feed, max_age_s: 5, source: kraken, symbol: ETH-USD}
"""
    )

    assert isinstance(every, StaleFeedRule)
    assert isinstance(one, StaleFeedRule)
    assert every.matches("coinbase", "BTC-USD")
    assert one.matches("kraken", "ETH-USD")
    assert not one.matches("kraken", "BTC-USD")
    assert not one.matches("coinbase", "ETH-USD")


@pytest.mark.parametrize("text", ["", "rules:", "rules: []"])
def test_a_file_without_rules_gives_none(text: str) -> None:
    assert parse_rules(text) == ()


MOVE = "name: a, kind: price_move, change_pct: 3"
LAG = "name: a, kind: consumer_lag"


@pytest.mark.parametrize(
    ("entry", "rule", "field", "reason"),
    [
        ("{name: a, kind: price_jump, change_pct: 3}", "a", "kind", "does not match"),
        ("{name: a, change_pct: 3}", "a", "kind", "discriminator"),
        ("{name: a, kind: price_move, window_minutes: 5}", "a", "change_pct", "required"),
        (f"{{{MOVE}, window_minutes: -1}}", "a", "window_minutes", "greater than 0"),
        (f"{{{MOVE}, window_minutes: 5, clear_pct: 4}}", "a", "clear_pct", "not exceed change_pct"),
        (f"{{{MOVE}, window_minutes: 5, symbol: btc}}", "a", "symbol", "pattern"),
        (f"{{{MOVE}, window_minutes: 5, colour: red}}", "a", "colour", "not permitted"),
        ("{name: a, kind: price_cross, level: 1, direction: sideways}", "a", "direction", "'up'"),
        ("{name: a, kind: stale_feed, max_age_s: 0}", "a", "max_age_s", "greater than 0"),
        ("{name: a, kind: consumer_lag}", "a", "(rule)", "exactly one"),
        (f"{{{LAG}, max_messages: 5, max_watermark_delay_s: 5}}", "a", "(rule)", "exactly one"),
        ("{name: Bad Name, kind: stale_feed, max_age_s: 5}", "Bad Name", "name", "pattern"),
        ("{kind: stale_feed, max_age_s: 5}", "#2", "name", "required"),
        ("just a string", "#2", "kind", "dictionary"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_named_with_its_field(entry: str, rule: str, field: str, reason: str) -> None:
    text = f"rules:\n  - {{name: fine, kind: stale_feed, max_age_s: 5}}\n  - {entry}\n"

    with pytest.raises(RuleFileError) as raised:
        parse_rules(text)

    assert (raised.value.rule, raised.value.field) == (rule, field)
    assert reason in raised.value.reason
    assert str(raised.value).startswith(f"rule {rule}, field {field}: ")


def test_two_rules_of_one_name_are_refused() -> None:
    text = """
rules:
  - {name: twice, kind: stale_feed, max_age_s: 5}
  - {name: twice, kind: stale_feed, max_age_s: 9}
"""
    with pytest.raises(RuleFileError, match="rule twice, field name: is used by more than one"):
        parse_rules(text)


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ("rules: [", "file", "not valid YAML"),
        ("- {name: a}", "file", "one key, rules"),
        ("rules: []\nextra: 1", "file", "one key, rules"),
        ("rules: {name: a}", "rules", "a list of rules"),
    ],
)
def test_a_bad_file_says_what_is_wrong_with_it(text: str, field: str, reason: str) -> None:
    with pytest.raises(RuleFileError) as raised:
        parse_rules(text)

    assert raised.value.field == field
    assert reason in raised.value.reason


def test_an_unreadable_file_is_a_rule_file_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read"):
        load_rules(tmp_path / "missing.yml")
