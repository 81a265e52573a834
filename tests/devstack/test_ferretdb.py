"""The FerretDB devstack builds: a real server, and its `_id` lookups use the `_id` index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient

from coinstream_common.mongo import Document
from devstack.ferretdb import FerretDB, install_ferretdb
from devstack.net import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def client(tmp_path: Path) -> Iterator[MongoClient[Document]]:
    server = FerretDB(install_ferretdb(), tmp_path, free_port())
    process = server.start(tmp_path / "ferretdb.log")
    client: MongoClient[Document] = MongoClient(server.uri)
    yield client
    client.close()
    process.stop()


def test_lookups_by_id_search_the_index_instead_of_scanning(client: MongoClient[Document]) -> None:
    collection = client.plans.docs
    collection.insert_many([{"_id": f"k{i}", "n": i} for i in range(100)])
    plan = collection.find({"_id": "k42"}).explain()["queryPlanner"]["Plan"]
    assert any("USING INDEX" in step for step in plan), plan
    # Unpatched v1.24.2 looks `_id` up by an expression its index does not match: SCAN.
    assert not any("detail=SCAN" in step for step in plan), plan
    collection.update_one({"_id": "k42"}, {"$set": {"n": -1}})
    assert collection.find_one({"_id": "k42"}) == {"_id": "k42", "n": -1}
