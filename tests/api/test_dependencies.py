"""Routes get the app's objects one typed way, the `Annotated` dependencies of api/deps.py:
only those getters read the app's untyped `state` (main.py fills it)."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from api.main import ROUTERS

API = Path(__file__).resolve().parents[2] / "api" / "src" / "api"
CACHED_READS = ("/v1/candles", "/v1/symbols", "/v1/prices/latest", "/v1/stats")


def test_only_the_dependencies_read_the_apps_state() -> None:
    users = sorted(
        path.relative_to(API).as_posix()
        for path in API.rglob("*.py")
        if ".state." in path.read_text()
    )
    assert users == ["deps.py", "main.py"]


def test_each_cached_read_solves_one_dependency() -> None:
    """FastAPI solves each dependency of a route on every request; the busiest routes get
    all they need as one (queries.CachedReads), and check the source themselves."""
    routes = {
        route.path: route
        for module in ROUTERS
        for route in module.router.routes
        if isinstance(route, APIRoute)
    }
    for path in CACHED_READS:
        solved = [getattr(d.call, "__name__", "") for d in routes[path].dependant.dependencies]
        assert solved == ["get_reads"], path
