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
from dataclasses import dataclass
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
      <version>1.2.25</version></dependency>
  </dependencies>
</project>
"""
_LOG4J = """log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
"""
_STARTED = "Kafka Server started"


def install_kafka() -> Path:
    """The directory of broker jars, resolved by Maven on first use."""
    home = cache_dir() / f"kafka-{KAFKA_VERSION}"
    lib = home / "lib"
    with install_lock(home):
        if (home / ".installed").exists():
            return lib
        if shutil.which("mvn") is None:
            raise RuntimeError("Maven (mvn) is needed to install Kafka; install it or use Docker")
        shutil.rmtree(lib, ignore_errors=True)
        (home / "pom.xml").write_text(_POM.format(version=KAFKA_VERSION))
        subprocess.run(
            ["mvn", "-q", "-B", "dependency:copy-dependencies", f"-DoutputDirectory={lib}"],
            cwd=home,
            check=True,
        )
        (home / "log4j.properties").write_text(_LOG4J)
        (home / ".installed").touch()
    return lib


@dataclass(frozen=True)
class KafkaBroker:
    lib: Path
    data_dir: Path
    port: int
    controller_port: int
    heap: str = "-Xmx512m"

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def _write_config(self) -> Path:
        config = self.data_dir / "server.properties"
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{LOOPBACK}:{self.controller_port}",
            "listeners": f"PLAINTEXT://{LOOPBACK}:{self.port},CONTROLLER://{LOOPBACK}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir / "logs"),
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
        }
        config.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
        return config

    def _cluster_id(self) -> str:
        """The id the data directory was formatted with, or a new one for a new directory."""
        meta = self.data_dir / "logs" / "meta.properties"
        if meta.exists():
            for line in meta.read_text().splitlines():
                if line.startswith("cluster.id="):
                    return line.removeprefix("cluster.id=")
        return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")

    def start(self, log_path: Path, timeout_s: float = 90.0) -> ManagedProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        java = ["java", "-cp", f"{self.lib}/*"]
        subprocess.run(
            [
                *java,
                "kafka.tools.StorageTool",
                "format",
                "--ignore-formatted",
                # An id may start with "-": hence the = form, never taken for a flag.
                f"--cluster-id={self._cluster_id()}",
                "-c",
                str(config),
            ],
            check=True,
            capture_output=True,
        )
        log4j = self.lib.parent / "log4j.properties"
        env = {"PATH": os.environ["PATH"], "HOME": str(Path.home())}
        process = ManagedProcess(
            "kafka",
            [*java, self.heap, f"-Dlog4j.configuration=file:{log4j}", "kafka.Kafka", str(config)],
            env=env,
            cwd=self.data_dir,
            log_path=log_path,
        )

        def started() -> bool:
            if not process.alive():
                raise RuntimeError(f"Kafka exited early:\n{process.tail()}")
            return _STARTED in log_path.read_text(errors="replace") and port_open(self.port)

        wait_until(started, timeout_s, f"Kafka on {self.bootstrap}")
        return process
