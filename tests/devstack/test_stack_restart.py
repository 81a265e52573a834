"""LocalStack.restart: one service stopped gracefully and started again, its old log kept."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from devstack.net import free_port
from devstack.stack import Endpoints, LocalStack

pytestmark = pytest.mark.integration
# Exits 0 on SIGTERM, as our services do after a graceful shutdown; listens on PORT once
# it is ready for that, which is what its healthcheck asks.
SERVICE = (
    "import os, signal, socket, sys, time;"
    " signal.signal(signal.SIGTERM, lambda *_: sys.exit(0));"
    " server = socket.create_server(('127.0.0.1', int(os.environ['PORT'])));"
    " print('up', os.getpid(), flush=True); time.sleep(600)"
)
HEALTHCHECK = "import os, socket; socket.create_connection(('127.0.0.1', int(os.environ['PORT'])))"


def write_compose(directory: Path, topic: str) -> None:
    def service(**extra: object) -> dict[str, object]:
        return {
            "command": ["python", "-c", SERVICE],
            "environment": {"PORT": str(free_port())},
            "healthcheck": {"test": ["CMD", "python", "-c", HEALTHCHECK]},
            **extra,
        }

    services = {
        "topics": {"environment": {"TOPICS": f"{topic}:1"}},
        "first": service(),
        "second": service(depends_on=["first"]),
    }
    # JSON is YAML: no need for a YAML writer.
    (directory / "docker-compose.yml").write_text(json.dumps({"services": services}))


def test_restart_replaces_one_process_and_keeps_its_log(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    write_compose(tmp_path, f"restart-{uuid.uuid4().hex[:8]}")
    stack = LocalStack(tmp_path, Endpoints(kafka_bootstrap, "mongodb://unused"), {}, tmp_path)
    try:
        stack.start(["first", "second"])
        before = stack.processes["first"]

        assert stack.restart("first") == 0

        after = stack.processes["first"]
        assert not before.alive()
        assert after.alive()
        assert after.pid != before.pid
        assert list(stack.processes) == ["first", "second"]
        assert before.log_path.name == "first.log"
        assert after.log_path.name == "first.1.log"
        assert f"up {before.pid}" in before.log_path.read_text()
    finally:
        codes = stack.stop()
    assert codes == {"second": 0, "first": 0}
    assert f"up {after.pid}" in after.log_path.read_text()
