"""Reference computations for the alert tests: the definitions of docs/alerts.md, written
as plainly as possible (every window by brute force over every tick read so far)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

# (event time in ms, price), in the order read.
PriceTick = tuple[int, float]


def window_prices(ticks: Sequence[PriceTick], index: int, span_s: int) -> list[float] | None:
    """The prices in the window of ticks[index], or None when that tick is too late: those
    read up to it whose second is within `span_s` of the newest second so far."""
    newest = max(t // 1000 for t, _ in ticks[: index + 1])
    if ticks[index][0] // 1000 < newest - span_s:
        return None
    return [p for t, p in ticks[: index + 1] if newest - span_s <= t // 1000]


def window_span(ticks: Sequence[PriceTick], index: int, span_s: int) -> tuple[float, float] | None:
    """Low and high of the window of ticks[index], or None when that tick is too late."""
    prices = window_prices(ticks, index, span_s)
    return None if prices is None else (min(prices), max(prices))


def move_pct(ticks: Sequence[PriceTick], index: int, span_s: int) -> float | None:
    """The largest |price / p - 1| in % over the prices p of the tick's window."""
    prices = window_prices(ticks, index, span_s)
    price = ticks[index][1]
    return None if prices is None else max(abs(price / p - 1) * 100 for p in prices)


def trigger_events(
    measures: Sequence[tuple[int, float | None]],
    raise_at: float,
    clear_below: float,
    cooldown_ms: int,
) -> list[tuple[str, int, int, int]]:
    """(state, raised at, at, index) for a measure series of (clock, value or None)."""
    events = []
    active: int | None = None
    cleared: int | None = None
    for index, (clock, value) in enumerate(measures):
        if value is None:
            continue
        if active is None:
            if value >= raise_at and (cleared is None or clock > cleared + cooldown_ms):
                active = clock
                events.append(("active", clock, clock, index))
        elif value < clear_below:
            events.append(("resolved", active, clock, index))
            active, cleared = None, clock
    return events


@st.composite
def price_ticks(draw: st.DrawFn, max_size: int = 60) -> list[PriceTick]:
    """Ticks of one series: mostly in event-time order, some late, some far behind; prices
    on a coarse grid so that moves land on, above and below thresholds."""
    count = draw(st.integers(1, max_size))
    clock = draw(st.integers(0, 10_000))
    ticks = []
    for _ in range(count):
        step = draw(st.sampled_from([0, 0, 150, 400, 1000, 2500, 7000, -1500, -12_000, -40_000]))
        clock = max(0, clock + step)
        price = draw(st.sampled_from([95.0, 97.0, 99.0, 100.0, 101.0, 102.5, 104.0, 110.0]))
        ticks.append((clock, price))
    return ticks
