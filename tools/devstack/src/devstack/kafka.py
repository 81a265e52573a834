"""A real Apache Kafka broker in KRaft mode, from Maven Central jars, on loopback.

Installed once into the cache with the machine's Maven; each start gets its own data
directory (or reuses one, for `make run`).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devstack.net import LOOPBACK, port_open, wait_until
from devstack.paths import cache_dir, install_lock
from devstack.processes import ManagedProcess

KAFKA_VERSION = "3.9.2"
_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.coinstream</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>
      <version>{version}</version></dependency>
    <!-- Kafka 3.x logs through slf4j/log4j 1 and ships no binding. -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId>
      <version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId>
      <version>1.2.25</version></dependency>{tools}
  </dependencies>
</project>
"""
_LOG4J = """log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
"""
# Kafka's command-line tools (TopicCommand), for the Docker stand-in's `rpk`.
_TOOLS = """
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId>
      <version>{version}</version></dependency>"""
_STARTED = "Kafka Server started"


def install_kafka(*, with_tools: bool = False) -> Path:
    """The directory of broker jars (and the tools' with `with_tools`), resolved by Maven
    on first use."""
    home = cache_dir() / f"kafka-{KAFKA_VERSION}{'-with-tools' if with_tools else ''}"
    lib = home / "lib"
    with install_lock(home):
        if (home / ".installed").exists():
            return lib
        if shutil.which("mvn") is None:
            raise RuntimeError("Maven (mvn) is needed to install Kafka; install it or use Docker")
        shutil.rmtree(lib, ignore_errors=True)
        tools = _TOOLS.format(version=KAFKA_VERSION) if with_tools else ""
        (home / "pom.xml").write_text(_POM.format(version=KAFKA_VERSION, tools=tools))
        subprocess.run(
            ["mvn", "-q", "-B", "dependency:copy-dependencies", f"-DoutputDirectory={lib}"],
            cwd=home,
            check=True,
        )
        (home / "log4j.properties").write_text(_LOG4J)
        (home / ".installed").touch()
    return lib


def new_cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def formatted_cluster_id(data_dir: Path) -> str | None:
    """The id a node's data directory was formatted with, if it was."""
    meta = data_dir / "logs" / "meta.properties"
    if meta.exists():
        for line in meta.read_text().splitlines():
            if line.startswith("cluster.id="):
                return line.removeprefix("cluster.id=")
    return None


@dataclass(frozen=True)
class KafkaBroker:
    """One KRaft node. Alone by default (broker and controller of a one-node cluster); a
    KafkaCluster (devstack/kafka_cluster.py) gives each node its roles, its quorum and
    the cluster's id."""

    lib: Path
    data_dir: Path
    port: int
    controller_port: int
    heap: str = "-Xmx512m"
    jvm_flags: tuple[str, ...] = ()
    node_id: int = 1
    roles: str = "broker,controller"
    quorum: str = ""  # controller.quorum.voters; empty: this node's own controller
    cluster_id: str | None = None  # None: the one formatted in data_dir, else a new one
    overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def is_broker(self) -> bool:
        return "broker" in self.roles.split(",")

    def settings(self) -> dict[str, str]:
        is_controller = "controller" in self.roles.split(",")
        listeners = [f"PLAINTEXT://{LOOPBACK}:{self.port}"] if self.is_broker else []
        if is_controller:
            listeners.append(f"CONTROLLER://{LOOPBACK}:{self.controller_port}")
        settings = {
            "process.roles": self.roles,
            "node.id": str(self.node_id),
            "controller.quorum.voters": self.quorum
            or f"{self.node_id}@{LOOPBACK}:{self.controller_port}",
            "listeners": ",".join(listeners),
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir / "logs"),
        }
        if self.is_broker:
            settings |= {
                "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{self.port}",
                "inter.broker.listener.name": "PLAINTEXT",
                "offsets.topic.replication.factor": "1",
                "transaction.state.log.replication.factor": "1",
                "transaction.state.log.min.isr": "1",
                "group.initial.rebalance.delay.ms": "0",
                "auto.create.topics.enable": "false",
            }
        return settings | dict(self.overrides)

    def _write_config(self) -> Path:
        config = self.data_dir / "server.properties"
        config.write_text("".join(f"{key}={value}\n" for key, value in self.settings().items()))
        return config

    def launch(self, log_path: Path) -> ManagedProcess:
        """Format the data directory (unless it is) and start the node, without waiting."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        java = ["java", "-cp", f"{self.lib}/*"]
        cluster_id = self.cluster_id or formatted_cluster_id(self.data_dir) or new_cluster_id()
        subprocess.run(
            [
                *java,
                "kafka.tools.StorageTool",
                "format",
                "--ignore-formatted",
                # An id may start with "-": hence the = form, never taken for a flag.
                f"--cluster-id={cluster_id}",
                "-c",
                str(config),
            ],
            check=True,
            capture_output=True,
        )
        log4j = self.lib.parent / "log4j.properties"
        env = {"PATH": os.environ["PATH"], "HOME": str(Path.home())}
        return ManagedProcess(
            f"kafka-{self.node_id}",
            [
                *java,
                self.heap,
                *self.jvm_flags,
                f"-Dlog4j.configuration=file:{log4j}",
                "kafka.Kafka",
                str(config),
            ],
            env=env,
            cwd=self.data_dir,
            log_path=log_path,
        )

    def wait_started(self, process: ManagedProcess, timeout_s: float = 90.0) -> None:
        port = self.port if self.is_broker else self.controller_port

        def started() -> bool:
            if not process.alive():
                raise RuntimeError(f"Kafka node {self.node_id} exited early:\n{process.tail()}")
            log = process.log_path.read_text(errors="replace")
            return _STARTED in log and port_open(port)

        wait_until(started, timeout_s, f"Kafka node {self.node_id} on port {port}")

    def start(self, log_path: Path, timeout_s: float = 90.0) -> ManagedProcess:
        process = self.launch(log_path)
        self.wait_started(process, timeout_s)
        return process
