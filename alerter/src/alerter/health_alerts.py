"""Rules on the pipeline's health, evaluated on readings taken by the wall clock.

- `stale_feed`: seconds since a series' newest tick, on each series the rule matches;
- `consumer_lag`: the candle consumer's lag in messages, or its watermark's delay.

A reading that lacks a measure (the consumer's metrics did not answer) leaves its
triggers as they are: nothing raises or resolves on what is not known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from alerter.price_alerts import series_subject
from alerter.rules import ConsumerLagRule, StaleFeedRule
from alerter.trigger import AlertEvent, Trigger

HealthRule = StaleFeedRule | ConsumerLagRule
CONSUMER = "consumer"


@dataclass(frozen=True)
class HealthReading:
    """What was measured at `at_ms` (wall clock)."""

    at_ms: int
    # Newest event time (ms) of each (source, symbol) the consumer has written.
    last_tick_ms: Mapping[tuple[str, str], int] = field(default_factory=dict)
    lag_messages: int | None = None
    watermark_delay_s: float | None = None


class HealthAlerts:
    def __init__(self, rules: Sequence[HealthRule]) -> None:
        self._rules = tuple(rules)
        self._triggers: dict[tuple[str, str], Trigger] = {}
        self._restored: dict[tuple[str, str], AlertEvent] = {}
        self._now = 0

    def restore(self, last_events: Iterable[AlertEvent]) -> None:
        names = {rule.name for rule in self._rules}
        for event in last_events:
            if event.rule in names:
                self._restored[event.rule, event.subject] = event

    def observe(self, reading: HealthReading) -> list[AlertEvent]:
        # A clock set back does not take raise and resolve times back with it.
        self._now = now = max(self._now, reading.at_ms)
        events = []
        for rule, subject, value in self._measures(reading):
            event = self._trigger(rule, subject).observe(value, now)
            if event is not None:
                events.append(event)
        return events

    def _measures(self, reading: HealthReading) -> Iterable[tuple[HealthRule, str, float]]:
        for rule in self._rules:
            if isinstance(rule, StaleFeedRule):
                for (source, symbol), last_ms in reading.last_tick_ms.items():
                    if rule.matches(source, symbol):
                        age_s = (reading.at_ms - last_ms) / 1000
                        yield rule, series_subject(source, symbol), age_s
            else:
                value = (
                    reading.lag_messages if rule.metric == "messages" else reading.watermark_delay_s
                )
                if value is not None:
                    yield rule, CONSUMER, float(value)

    def _trigger(self, rule: HealthRule, subject: str) -> Trigger:
        trigger = self._triggers.get((rule.name, subject))
        if trigger is None:
            trigger = Trigger(
                rule.name, subject, (rule.raise_at, rule.clear_below), rule.cooldown_ms
            )
            restored = self._restored.pop((rule.name, subject), None)
            if restored is not None:
                trigger.restore(restored)
            self._triggers[rule.name, subject] = trigger
        return trigger
