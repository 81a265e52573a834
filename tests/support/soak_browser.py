"""The dashboard open in headless Chromium for a whole soak, reloaded now and then."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from playwright.sync_api import Error, Page, sync_playwright

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

CHART = ".vega-embed canvas, .vega-embed svg.marks"
# st.exception, and st.error (the dashboard's "Cannot reach the data").
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
RELOAD_EVERY_S = 60.0
CHECK_EVERY_S = 5.0
RENDER_TIMEOUT_MS = 45_000


@dataclass
class DashboardWatch:
    """How long each (re)load took to show a chart, and what went wrong on the page."""

    url: str
    render_s: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def run(self, stop: threading.Event) -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    while not stop.is_set():
                        self._load(page)
                        self._watch(page, stop)
                finally:
                    browser.close()
        except Error as error:
            self.problems.append(f"browser failed: {first_line(error)}")

    def _load(self, page: Page) -> None:
        """Open the page (again), and wait for its chart and price."""
        started = time.monotonic()
        try:
            page.goto(self.url)
            page.locator(CHART).first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            page.get_by_text("Last price").first.wait_for(state="visible", timeout=15_000)
        except Error as error:
            self.problems.append(f"no chart after a (re)load: {first_line(error)}")
            return
        self.render_s.append(time.monotonic() - started)

    def _watch(self, page: Page, stop: threading.Event) -> None:
        """Look for errors on the page until the next reload is due."""
        reload_at = time.monotonic() + RELOAD_EVERY_S
        while not stop.wait(CHECK_EVERY_S) and time.monotonic() < reload_at:
            try:
                shown = page.locator(PROBLEMS)
                if shown.count():
                    self.problems.append(f"the page showed: {shown.first.inner_text()[:200]!r}")
            except Error as error:
                self.problems.append(f"could not look at the page: {first_line(error)}")


def first_line(error: Error) -> str:
    return error.message.splitlines()[0] if error.message else repr(error)
