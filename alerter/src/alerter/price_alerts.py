"""Price rules over the ticks of every series, in the order they are read from a partition.

A series' clock is the newest event time it has seen, so raise and clear times never go
back, and a replay of the same ticks gives the same events with the same ids.
- `price_move` measures, at every tick, the largest |price / p - 1| in % over the prices p
  of its window (price_window.py): the move from the window's low or from its high.
- `price_cross` measures the newest price by event time; an out-of-order tick is history,
  not the price now, so it moves no cross.

`observe(..., warm=True)` only feeds the windows and clocks: a restart replays ticks that
the stored events already account for, to rebuild the windows they need.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from alerter.price_window import PriceWindow
from alerter.rules import PriceCrossRule, PriceMoveRule, PriceRule
from alerter.trigger import AlertEvent, Trigger

# Returned when a tick raises or resolves nothing, which is nearly always: never mutated.
NO_EVENTS: list[AlertEvent] = []


def quiet(trigger: Trigger, value: float) -> bool:
    """True if `value` cannot change the trigger's state (below its raise threshold while
    clear, at or above its clear threshold while active)."""
    if trigger.active_since is None:
        return value < trigger.raise_at
    return value >= trigger.clear_below


def _append(events: list[AlertEvent], event: AlertEvent | None) -> list[AlertEvent]:
    if event is None:
        return events
    return [*events, event]


def series_subject(source: str, symbol: str) -> str:
    return f"{source}/{symbol}"


class _Series:
    __slots__ = ("crosses", "moves", "newest_ms")

    def __init__(self) -> None:
        self.newest_ms = -1
        # Move triggers grouped by the window they measure on, so rules share windows.
        self.moves: list[tuple[PriceWindow, list[Trigger]]] = []
        self.crosses: list[tuple[float, Trigger]] = []


class PriceAlerts:
    def __init__(self, rules: Sequence[PriceRule]) -> None:
        self._rules = tuple(rules)
        self._series: dict[tuple[str, str], _Series] = {}
        self._restored: dict[tuple[str, str], AlertEvent] = {}

    def restore(self, last_events: Iterable[AlertEvent]) -> None:
        """Resume from the last stored event of each trigger (before any tick is read)."""
        for event in last_events:
            self._restored[event.rule, event.subject] = event

    def observe(
        self,
        source: str,
        symbol: str,
        event_time_ms: int,
        price: float,
        offset: int | None = None,
        *,
        warm: bool = False,
    ) -> list[AlertEvent]:
        series = self._series.get((source, symbol))
        if series is None:
            series = self._series[source, symbol] = self._new_series(source, symbol)
        is_newest = event_time_ms >= series.newest_ms
        if is_newest:
            series.newest_ms = event_time_ms
        now = series.newest_ms
        second = event_time_ms // 1000
        events: list[AlertEvent] = NO_EVENTS
        # The loops run per tick: a trigger is called only when the measure may change
        # its state (`quiet`), which is rare.
        for window, triggers in series.moves:
            span = window.add(second, price)
            if warm or span is None:
                continue
            low, high = span
            move = max(price / low - 1, 1 - price / high) * 100
            for trigger in triggers:
                if not quiet(trigger, move):
                    events = _append(events, trigger.observe(move, now, offset))
        if is_newest and not warm:
            for sign, trigger in series.crosses:
                if not quiet(trigger, sign * price):
                    events = _append(events, trigger.observe(sign * price, now, offset))
        return events

    def _new_series(self, source: str, symbol: str) -> _Series:
        series = _Series()
        subject = series_subject(source, symbol)
        windows: dict[int, tuple[PriceWindow, list[Trigger]]] = {}
        for rule in self._rules:
            if not rule.matches(source, symbol):
                continue
            trigger = Trigger(
                rule.name, subject, (rule.raise_at, rule.clear_below), rule.cooldown_ms
            )
            restored = self._restored.pop((rule.name, subject), None)
            if restored is not None:
                trigger.restore(restored)
            if isinstance(rule, PriceMoveRule):
                span = rule.window_s
                if span not in windows:
                    windows[span] = (PriceWindow(span), [])
                windows[span][1].append(trigger)
            elif isinstance(rule, PriceCrossRule):
                series.crosses.append((rule.sign, trigger))
        series.moves = list(windows.values())
        return series
