"""Routes get the app's objects one typed way, the `Annotated` dependencies of api/deps.py:
only those getters read the app's untyped `state` (main.py fills it)."""

from __future__ import annotations

from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api" / "src" / "api"


def test_only_the_dependencies_read_the_apps_state() -> None:
    users = sorted(
        path.relative_to(API).as_posix()
        for path in API.rglob("*.py")
        if ".state." in path.read_text()
    )
    assert users == ["deps.py", "main.py"]
