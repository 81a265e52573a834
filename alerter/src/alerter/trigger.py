"""One alert's life on one subject: raised once, resolved once, with hysteresis and cooldown.

A trigger watches one number (its rule's measure) on one subject (a series, or the
consumer). It raises when the number reaches `raise_at` and clears when it drops below
`clear_below`; after clearing, it raises again only once `cooldown_ms` has passed.

Its state changes only when it raises or clears, and each of those is an event that is
stored. So the stored events restore a trigger exactly: `settled_through` is the position
(in its partition) of the tick behind the last stored event, and a trigger ignores ticks at
or before it, which a restart reads again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AlertState = Literal["active", "resolved"]


def alert_id(rule: str, subject: str, raised_at_ms: int) -> str:
    """Deterministic: the same rule, subject and raise time always give the same id."""
    return f"{rule}/{subject}/{raised_at_ms}"


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """An alert raised or resolved. `at_ms` is when; `value` is the measure then."""

    alert_id: str
    rule: str
    subject: str
    state: AlertState
    raised_at_ms: int
    at_ms: int
    value: float
    # The tick behind the event, for price rules: where a restart resumes this trigger.
    offset: int | None = None


class Trigger:
    __slots__ = (
        "active_since",
        "clear_below",
        "cleared_at",
        "cooldown_ms",
        "raise_at",
        "rule",
        "settled_through",
        "subject",
    )

    def __init__(
        self,
        rule: str,
        subject: str,
        thresholds: tuple[float, float],
        cooldown_ms: int,
    ) -> None:
        self.rule, self.subject = rule, subject
        self.raise_at, self.clear_below = thresholds
        self.cooldown_ms = cooldown_ms
        self.active_since: int | None = None
        self.cleared_at: int | None = None
        self.settled_through = -1

    def observe(self, value: float, now_ms: int, offset: int | None = None) -> AlertEvent | None:
        """Take the measure at `now_ms` (never earlier than a previous call's)."""
        if offset is not None and offset <= self.settled_through:
            return None
        raised = self.active_since
        if raised is None:
            cleared = self.cleared_at
            if value < self.raise_at or (
                cleared is not None and now_ms <= cleared + self.cooldown_ms
            ):
                return None
            self.active_since = raised = now_ms
            return self._event("active", raised, now_ms, value, offset)
        if value >= self.clear_below:
            return None
        self.active_since, self.cleared_at = None, now_ms
        return self._event("resolved", raised, now_ms, value, offset)

    def restore(self, event: AlertEvent) -> None:
        """Take the state that `event`, the last one stored for this trigger, left."""
        if event.state == "active":
            self.active_since = event.raised_at_ms
        else:
            self.active_since, self.cleared_at = None, event.at_ms
        if event.offset is not None:
            self.settled_through = event.offset

    def _event(
        self, state: AlertState, raised: int, now_ms: int, value: float, offset: int | None
    ) -> AlertEvent:
        return AlertEvent(
            alert_id(self.rule, self.subject, raised),
            self.rule,
            self.subject,
            state,
            raised,
            now_ms,
            value,
            offset,
        )
