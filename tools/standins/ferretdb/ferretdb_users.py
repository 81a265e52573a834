"""`create`: wait for FerretDB, then make deploy/mongo-init's users unless they exist.
`check`: the healthcheck; FerretDB answers and the users are there."""

import os
import sys
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

READY = Path("/tmp/users-created")  # noqa: S108 - the container's own /tmp


def client() -> "MongoClient[dict[str, Any]]":
    user = os.environ.get("MONGO_INITDB_ROOT_USERNAME")
    password = os.environ.get("MONGO_INITDB_ROOT_PASSWORD") if user else None
    return MongoClient(
        "127.0.0.1", 27017, serverSelectionTimeoutMS=2000, username=user, password=password
    )


def create() -> None:
    if os.environ.get("MONGO_INITDB_ROOT_USERNAME"):
        database = client()[os.environ.get("MONGO_DATABASE", "coinstream")]
        for _ in range(60):
            try:
                database.command("ping")
                break
            except PyMongoError:
                time.sleep(0.5)
        known = {user["user"] for user in database.command("usersInfo")["users"]}
        for user, password in (
            ("coinstream_writer", os.environ["MONGO_WRITER_PASSWORD"]),
            ("coinstream_reader", os.environ["MONGO_READER_PASSWORD"]),
        ):
            if user not in known:
                database.command("createUser", user, pwd=password, roles=[])
    READY.touch()


def check() -> None:
    client().admin.command("ping")
    if not READY.exists():
        sys.exit(1)


if __name__ == "__main__":
    {"create": create, "check": check}[sys.argv[1]]()
