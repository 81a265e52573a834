from __future__ import annotations

from pathlib import Path

import pytest

from devstack.compose import interpolate, load_compose
from devstack.stack import Endpoints, local_environment
from devstack.topics import TopicPlan, topic_plan

ROOT = Path(__file__).resolve().parents[2]
LOCAL = Endpoints(kafka_bootstrap="127.0.0.1:1111", mongo_uri="mongodb://127.0.0.1:2222/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A}", "a"),
        ("$A-x", "a-x"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${MISSING-fallback}", "fallback"),
        ("${MISSING}", ""),
        ("$${A} costs $$5", "${A} costs $5"),
    ],
)
def test_interpolation_follows_compose(text: str, expected: str) -> None:
    assert interpolate(text, {"A": "a", "EMPTY": ""}) == expected


def test_a_lone_dollar_is_an_error() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        interpolate("price in $ only", {})


def test_services_read_from_the_compose_file() -> None:
    services = load_compose(ROOT / "docker-compose.yml", {"API_PORT": "9000"})
    assert services["producer"].command == ["python", "-m", "producer"]
    assert services["dashboard"].environment["DASHBOARD_API_URL"] == "http://api:9000"
    assert services["api"].healthcheck is not None
    assert "/health" in services["api"].healthcheck[-1]
    # From the image's stages: the producer's healthcheck is the one it inherits.
    assert services["producer"].healthcheck is not None
    assert '["METRICS_PORT"]}/metrics' in services["producer"].healthcheck[-1]
    assert services["redpanda"].healthcheck is not None
    assert services["redpanda"].healthcheck[:2] == ["/bin/sh", "-c"]
    assert topic_plan(services) == TopicPlan(
        partitions={
            "ticks": 3,
            "ticks.late": 1,
            "ticks.dlq": 1,
            "alerts": 1,
            "coinstream-producer-checkpoints": 1,
        },
        replication_factor=1,
        min_insync_replicas=1,
        compacted=frozenset({"coinstream-producer-checkpoints"}),
    )


def test_topic_settings_come_from_the_environment() -> None:
    variables = {
        "KAFKA_TICKS_PARTITIONS": "6",
        "KAFKA_REPLICATION_FACTOR": "3",
        "KAFKA_MIN_INSYNC_REPLICAS": "2",
        "PRODUCER_CHECKPOINT_TOPIC": "cursors",
    }
    services = load_compose(ROOT / "docker-compose.yml", variables)
    plan = topic_plan(services)
    assert plan.partitions["ticks"] == 6
    assert (plan.replication_factor, plan.min_insync_replicas) == (3, 2)
    # The producer checks the topic that `make run` made, for the replicas it was made with.
    assert plan.compacted == {"cursors"}
    producer = services["producer"].environment
    assert producer["PRODUCER_CHECKPOINT_TOPIC"] == "cursors"
    assert producer["KAFKA_REPLICATION_FACTOR"] == "3"


def test_local_rewrites_touch_only_addresses() -> None:
    services = load_compose(ROOT / "docker-compose.yml", {})
    consumer = local_environment(services["consumer"], LOCAL, services)
    assert consumer["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:1111"
    assert consumer["MONGO_URI"] == "mongodb://127.0.0.1:2222/"
    assert consumer["METRICS_HOST"] == "127.0.0.1"
    assert consumer["CONSUMER_INTERVALS"] == services["consumer"].environment["CONSUMER_INTERVALS"]
    dashboard = local_environment(services["dashboard"], LOCAL, services)
    assert dashboard["DASHBOARD_API_URL"] == "http://127.0.0.1:8000"
    assert dashboard["STREAMLIT_SERVER_ADDRESS"] == "127.0.0.1"
    assert dashboard["STREAMLIT_CLIENT_TOOLBAR_MODE"] == "viewer", "make run passes it on"
    untouched = {"KAFKA_BOOTSTRAP_SERVERS", "MONGO_URI", "METRICS_HOST"}
    for key, value in consumer.items():
        if key not in untouched:
            assert value == services["consumer"].environment[key]
