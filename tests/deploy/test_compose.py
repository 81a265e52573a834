"""docker-compose.yml, validated by Docker Compose itself and checked for what we promise."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from devstack.dockerfile import image_healthcheck, image_setting, image_stages
from tests.support.compose_config import ports, resolved_config

# `docker compose config` resolves the files: the Docker client and its compose plugin.
pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
CLUSTER_COMPOSE = ROOT / "docker-compose.cluster.yml"
ONE_SHOT = {"topics"}
BUILT = ("producer", "consumer", "alerter", "api", "dashboard")
CHECKPOINTS = "coinstream-producer-checkpoints"
# rpk for the topics service's script: one broker answers, no topic exists, creates are noted.
FAKE_RPK = """#!/bin/bash
case "$1 $2" in
  "cluster info") echo "1 redpanda 9092" ;;
  "topic describe") exit 1 ;;
  "topic create") echo "$*" >> "$CREATED" ;;
esac
"""


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    return resolved_config(COMPOSE)


def test_every_service_of_the_stack_is_there(resolved: dict[str, Any]) -> None:
    assert set(resolved["services"]) == {
        "redpanda",
        "topics",
        "mongo",
        "producer",
        "consumer",
        "alerter",
        "api",
        "dashboard",
    }


def test_images_are_pinned(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        image = service["image"]
        assert re.search(r":[\w.-]*\d[\w.-]*$", image), f"{name}: {image} has no pinned tag"
        assert not image.endswith(":latest"), name


def test_every_service_has_a_healthcheck(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        if name in ONE_SHOT:
            continue
        if "healthcheck" in service:
            assert service["healthcheck"]["test"], name
        else:
            dockerfile = ROOT / service["build"].get("dockerfile", "Dockerfile")
            assert image_healthcheck(dockerfile, service["build"]["args"]), f"{name}: none"


def test_each_service_is_built_from_the_one_dockerfile(resolved: dict[str, Any]) -> None:
    for name in BUILT:
        build = resolved["services"][name]["build"]
        assert Path(build["context"]) == ROOT, name
        assert build.get("dockerfile", "Dockerfile") == "Dockerfile", name
        assert build["args"] == {"SERVICE": name}
        # Compose states the command for `make run`; the image runs the same by itself.
        image_cmd = image_setting(image_stages(ROOT / "Dockerfile", build["args"]), "CMD")
        assert json.loads(image_cmd or "null") == resolved["services"][name]["command"], name


def test_long_running_services_restart_and_the_one_shot_does_not(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        expected = "no" if name in ONE_SHOT else "unless-stopped"
        assert service.get("restart", "no") == expected, name


def test_start_order_waits_for_health_not_just_start(resolved: dict[str, Any]) -> None:
    allowed = {"service_healthy", "service_completed_successfully"}
    services = resolved["services"]
    for name in ("topics", "producer", "consumer", "alerter", "api", "dashboard"):
        depends = services[name]["depends_on"]
        assert depends, name
        assert {d["condition"] for d in depends.values()} <= allowed, name
    assert (
        services["consumer"]["depends_on"]["topics"]["condition"]
        == "service_completed_successfully"
    )
    assert services["consumer"]["depends_on"]["mongo"]["condition"] == "service_healthy"


def test_the_topics_service_makes_the_producers_checkpoint_topic_compacted() -> None:
    variables = {"PRODUCER_CHECKPOINT_TOPIC": "cursors", "KAFKA_REPLICATION_FACTOR": "2"}
    services = resolved_config(COMPOSE, variables)["services"]
    topics, producer = services["topics"]["environment"], services["producer"]["environment"]
    assert "cursors:1:compact" in topics["TOPICS"].split(",")
    assert producer["PRODUCER_CHECKPOINT_TOPIC"] == "cursors"
    # The producer refuses a checkpoint topic with fewer replicas than the topics are made with.
    assert producer["KAFKA_REPLICATION_FACTOR"] == topics["REPLICATION_FACTOR"] == "2"


def test_the_topics_script_creates_a_compact_entry_compacted(
    resolved: dict[str, Any], tmp_path: Path
) -> None:
    rpk = tmp_path / "rpk"
    rpk.write_text(FAKE_RPK)
    rpk.chmod(0o755)
    topics = resolved["services"]["topics"]
    script = topics["command"][0].replace("$$", "$")  # `config` escapes `$` again
    env = topics["environment"] | {
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "CREATED": str(tmp_path / "created"),
    }
    subprocess.run(["/bin/bash", "-c", script], env=env, check=True, timeout=30)
    created = {line.split()[2]: line for line in (tmp_path / "created").read_text().splitlines()}
    assert set(created) == {"ticks", "ticks.late", "ticks.dlq", "alerts", CHECKPOINTS}
    assert created[CHECKPOINTS].endswith(
        "-p 1 -r 1 -c min.insync.replicas=1 -c cleanup.policy=compact -X brokers=redpanda:9092"
    )
    assert all("cleanup.policy" not in created[name] for name in set(created) - {CHECKPOINTS})


def _volume_sources(service: dict[str, Any]) -> list[str]:
    return [v["source"] for v in service.get("volumes", []) if v["type"] == "volume"]


def test_data_lives_in_named_volumes(resolved: dict[str, Any]) -> None:
    assert set(resolved["volumes"]) == {"redpanda-data", "mongo-data"}
    mounts = {name: _volume_sources(service) for name, service in resolved["services"].items()}
    assert mounts["redpanda"] == ["redpanda-data"]
    assert mounts["mongo"] == ["mongo-data"]


def test_published_ports_bind_to_localhost_only(resolved: dict[str, Any]) -> None:
    published = {name: ports(service) for name, service in resolved["services"].items()}
    assert ("127.0.0.1", "8000", 8000) in published["api"]
    assert ("127.0.0.1", "8501", 8501) in published["dashboard"]
    assert ("127.0.0.1", "19092", 19092) in published["redpanda"]
    assert all(ip == "127.0.0.1" for each in published.values() for ip, _, _ in each)


def test_redpanda_has_an_internal_and_an_external_listener(resolved: dict[str, Any]) -> None:
    command = " ".join(resolved["services"]["redpanda"]["command"])
    assert "internal://redpanda:9092" in command
    assert "external://localhost:19092" in command


def test_the_api_reads_with_a_read_only_user(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    assert "coinstream_reader:" in services["api"]["environment"]["MONGO_URI"]
    assert "coinstream_writer:" in services["consumer"]["environment"]["MONGO_URI"]
    init = (ROOT / "deploy/mongo-init/10-users.js").read_text()
    assert '"coinstream_reader"' in init
    assert '{ role: "read", db: dbName }' in init


@pytest.mark.parametrize("compose", [COMPOSE, CLUSTER_COMPOSE], ids=lambda path: path.name)
def test_the_dashboard_shows_viewers_no_developer_toolbar(compose: Path) -> None:
    environment = resolved_config(compose)["services"]["dashboard"]["environment"]
    assert environment["STREAMLIT_CLIENT_TOOLBAR_MODE"] == "viewer"


@pytest.mark.parametrize("compose", [COMPOSE, CLUSTER_COMPOSE], ids=lambda path: path.name)
def test_env_example_documents_every_variable(compose: Path) -> None:
    # `$${X}` is an escaped dollar for the container's shell, not a compose variable.
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", compose.read_text()))
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z_][A-Z0-9_]*=", line)
    }
    assert used, "no variables found: the pattern is wrong"
    assert used <= documented, f"undocumented: {sorted(used - documented)}"


@pytest.mark.parametrize("compose", [COMPOSE, CLUSTER_COMPOSE], ids=lambda path: path.name)
def test_env_example_values_are_the_compose_defaults(compose: Path) -> None:
    defaults = dict(re.findall(r"\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}", compose.read_text()))
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z_][A-Z0-9_]*=", line)
    )
    mismatched = {k: (v, example.get(k)) for k, v in defaults.items() if example.get(k) != v}
    assert not mismatched, mismatched
