"""The FerretDB devstack builds: a real server, `_id` lookups use the `_id` index, and one
command with more matched statements than its connection pool completes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import DeleteOne, MongoClient, ReplaceOne

from coinstream_common.mongo import Document
from devstack.ferretdb import FerretDB, install_ferretdb
from devstack.net import free_port

pytestmark = pytest.mark.integration

# A server that stops answering fails the test after this long instead of hanging it.
REPLY_TIMEOUT_MS = 10_000
# More statements in one command than v1.24.2's SQLite pool has connections (100).
STATEMENTS = 150


@pytest.fixture
def client(tmp_path: Path) -> Iterator[MongoClient[Document]]:
    server = FerretDB(install_ferretdb(), tmp_path, free_port())
    process = server.start(tmp_path / "ferretdb.log")
    client: MongoClient[Document] = MongoClient(server.uri, socketTimeoutMS=REPLY_TIMEOUT_MS)
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


def test_one_bulk_replaces_more_existing_documents_than_the_pool_has_connections(
    client: MongoClient[Document],
) -> None:
    collection = client.bulk.docs
    collection.insert_many([{"_id": f"k{i}", "v": 0} for i in range(STATEMENTS)])
    # Sent as one `update` command; unpatched v1.24.2 hangs at its 100th matched statement.
    result = collection.bulk_write(
        [ReplaceOne({"_id": f"k{i}"}, {"v": 1}, upsert=True) for i in range(STATEMENTS)]
    )
    assert (result.matched_count, result.upserted_count) == (STATEMENTS, 0)
    assert collection.count_documents({"v": 1}) == STATEMENTS


def test_one_bulk_deletes_more_documents_than_the_pool_has_connections(
    client: MongoClient[Document],
) -> None:
    collection = client.bulk.docs
    collection.insert_many([{"_id": f"k{i}"} for i in range(STATEMENTS)])
    # One `delete` command; v1.24.2 already closes each statement's query before the next.
    result = collection.bulk_write([DeleteOne({"_id": f"k{i}"}) for i in range(STATEMENTS)])
    assert result.deleted_count == STATEMENTS
    assert collection.count_documents({}) == 0
