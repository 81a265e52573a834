"""/docs and /redoc load their scripts and styles from the API, never from another host."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.main import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_a_docs_page_names_only_assets_the_api_serves(client: TestClient, page: str) -> None:
    html = client.get(page).text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets, f"{page} names no script or style"
    for asset in assets:
        assert asset.startswith("/"), f"{page} loads {asset} from another host"
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 1000, asset
