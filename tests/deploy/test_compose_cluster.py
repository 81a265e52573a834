"""docker-compose.cluster.yml, validated by Docker Compose, and held to docs/cluster.md.

The file repeats the base file's application services (it says why); apart from the
addresses, replicas and start order that a cluster changes, they must stay the same.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.compose_config import ports, resolved_config

# `docker compose config` resolves the files: the Docker client and its compose plugin.
pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
APPS = ("producer", "consumer", "alerter", "api", "dashboard")
BROKERS = ["redpanda:9092", "redpanda-2:9092", "redpanda-3:9092"]
MEMBERS = ["mongo:27017", "mongo-2:27017", "mongo-3:27017"]
URI_OPTIONS = {"replicaSet": "rs0", "w": "majority", "retryWrites": "true", "retryReads": "true"}
# What a cluster changes in an application service; anything else differing is drift.
CLUSTER_ONLY = {"deploy", "depends_on", "ports"}
CLUSTER_ENV = {"MONGO_URI", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_REPLICATION_FACTOR"}


@pytest.fixture(scope="module")
def cluster() -> dict[str, Any]:
    services: dict[str, Any] = resolved_config(ROOT / "docker-compose.cluster.yml")["services"]
    return services


@pytest.fixture(scope="module")
def single() -> dict[str, Any]:
    services: dict[str, Any] = resolved_config(ROOT / "docker-compose.yml")["services"]
    return services


@pytest.fixture(scope="module")
def docs() -> str:
    return (ROOT / "docs" / "cluster.md").read_text()


def test_three_brokers_three_members_and_their_one_shot_jobs(cluster: dict[str, Any]) -> None:
    assert set(cluster) == {
        *APPS,
        "redpanda",
        "redpanda-2",
        "redpanda-3",
        "topics",
        "mongo",
        "mongo-2",
        "mongo-3",
        "mongo-replica-set",
    }
    seeds = {
        arg
        for name in ("redpanda", "redpanda-2", "redpanda-3")
        for arg in cluster[name]["command"]
        if arg.startswith("--seeds=")
    }
    assert seeds == {"--seeds=" + ",".join(b.replace(":9092", ":33145") for b in BROKERS)}


def test_topics_get_three_replicas_two_in_sync(
    cluster: dict[str, Any], single: dict[str, Any], docs: str
) -> None:
    topics = cluster["topics"]
    assert topics["environment"]["REPLICATION_FACTOR"] == "3"
    assert topics["environment"]["MIN_INSYNC_REPLICAS"] == "2"
    assert topics["environment"]["BROKERS"] == ",".join(BROKERS)
    # The same script as the single node's, refusal included.
    assert topics["command"] == single["topics"]["command"]
    assert topics["environment"]["TOPICS"] == single["topics"]["environment"]["TOPICS"]
    assert "replication factor 3" in docs
    assert "`min.insync.replicas=2`" in docs


def test_the_producers_checkpoint_topic_is_made_compacted_with_three_replicas(
    cluster: dict[str, Any],
) -> None:
    topics, producer = cluster["topics"]["environment"], cluster["producer"]["environment"]
    assert f"{producer['PRODUCER_CHECKPOINT_TOPIC']}:1:compact" in topics["TOPICS"].split(",")
    assert producer["PRODUCER_CHECKPOINT_TOPIC"] == "coinstream-producer-checkpoints"
    # The producer refuses a checkpoint topic with fewer replicas than the topics are made with.
    assert producer["KAFKA_REPLICATION_FACTOR"] == topics["REPLICATION_FACTOR"] == "3"


def test_services_name_every_broker(cluster: dict[str, Any]) -> None:
    for name in ("producer", "consumer", "alerter"):
        assert cluster[name]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == ",".join(BROKERS)


@pytest.mark.parametrize(
    ("service", "user"),
    [
        ("consumer", "coinstream_writer"),
        ("alerter", "coinstream_writer"),
        ("api", "coinstream_reader"),
    ],
)
def test_mongo_uris_name_the_replica_set_and_its_write_concern(
    cluster: dict[str, Any], docs: str, service: str, user: str
) -> None:
    uri = urlsplit(cluster[service]["environment"]["MONGO_URI"])
    assert uri.username == user
    assert uri.netloc.rsplit("@", 1)[1].split(",") == MEMBERS
    options = {key: values[-1] for key, values in parse_qs(uri.query).items()}
    assert options == {"authSource": "coinstream", **URI_OPTIONS}
    for key, value in URI_OPTIONS.items():
        assert f"{key}={value}" in docs, f"docs/cluster.md does not name {key}={value}"


def test_the_replica_set_is_initiated_once_with_keyfile_auth(cluster: dict[str, Any]) -> None:
    for name in ("mongo", "mongo-2", "mongo-3"):
        command = " ".join(cluster[name]["command"])
        assert "--replSet rs0" in command, name
        assert "--keyFile /data/keyfile" in command, name
    script = (ROOT / "deploy" / "mongo-replica-set" / "initiate.js").read_text()
    assert re.search(r'_id: "rs0"', script)
    assert all(f'"{member}"' in script for member in MEMBERS)
    assert "NotYetInitialized" in script  # initiated already: left as it is
    for app in ("consumer", "alerter", "api"):
        condition = cluster[app]["depends_on"]["mongo-replica-set"]["condition"]
        assert condition == "service_completed_successfully", app


def test_consumers_and_apis_are_scaled(cluster: dict[str, Any]) -> None:
    assert cluster["consumer"]["deploy"]["replicas"] == 3
    assert cluster["api"]["deploy"]["replicas"] == 2
    assert ports(cluster["api"]) == [("127.0.0.1", "8000-8001", 8000)]


def test_published_ports_bind_to_localhost_only(cluster: dict[str, Any]) -> None:
    for name, service in cluster.items():
        for host_ip, published, _ in ports(service):
            assert host_ip == "127.0.0.1", (name, published)


@pytest.mark.parametrize("app", APPS)
def test_application_services_are_the_single_nodes_but_for_the_cluster(
    cluster: dict[str, Any], single: dict[str, Any], app: str
) -> None:
    def comparable(service: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in service.items() if k not in CLUSTER_ONLY}
        env = kept.get("environment", {})
        kept["environment"] = {k: v for k, v in env.items() if k not in CLUSTER_ENV}
        return kept

    assert comparable(cluster[app]) == comparable(single[app])
