"""Waiting for what another thread or process brings about: the one polling loop of the tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from devstack.processes import ManagedProcess

T = TypeVar("T")
SHOWN_CHARS = 300  # of the last value seen, in a timeout's message


def wait_until(
    observe: Callable[[], T],
    done: Callable[[T], bool] = bool,
    *,
    what: str,
    timeout_s: float = 30.0,
    interval_s: float = 0.1,
    watching: Iterable[ManagedProcess] = (),
) -> T:
    """Call `observe` every `interval_s` until `done` holds for what it returns (by default:
    until that is truthy), and return that value.

    Past `timeout_s`, raises AssertionError naming `what` and the last value seen. An
    exception from `observe` ends the wait at once, as does the death of a `watching`
    process (the message then ends with its log).
    """
    processes = list(watching)
    deadline = time.monotonic() + timeout_s
    while not done(seen := observe()):
        for process in processes:
            assert process.alive(), f"{process.name} died waiting for {what}:\n{process.tail()}"
        if time.monotonic() > deadline:
            raise AssertionError(timed_out(what, timeout_s, seen, processes))
        time.sleep(interval_s)
    return seen


def timed_out(what: str, timeout_s: float, seen: object, processes: list[ManagedProcess]) -> str:
    message = f"timed out after {timeout_s:g} s waiting for {what}"
    if not isinstance(seen, bool):  # a bare False says nothing
        shown = repr(seen)
        if len(shown) > SHOWN_CHARS:
            shown = f"{shown[:SHOWN_CHARS]}..."
        message += f"; last seen: {shown}"
    for process in processes:
        message += f"\n{process.name}'s log ends:\n{process.tail()}"
    return message
