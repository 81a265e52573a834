"""Run a command (make test's pytest) with a Docker engine for its docker tests.

    python tools/with_docker.py COMMAND...

An engine that answers is used as it is. Otherwise, where the machine can have one (root,
Debian), this installs docker.io, starts an engine of its own under the cache folder and
stops it when the command ends, with every container it ran. Images no registry serves are
stood in for (devstack/docker/standins.py). When no engine can be had, the command still
runs and is told why (COINSTREAM_DOCKER_UNAVAILABLE): the docker tests fail with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from types import FrameType

from devstack.docker.compose_plugin import compose_config_dir
from devstack.docker.engine import EngineUnavailable, OwnEngine, engine_answers
from devstack.docker.standins import ensure_images
from devstack.docker.steps import StepFailed
from devstack.processes import ManagedProcess


def _stop_on_term(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(command: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop_on_term)
    env = dict(os.environ)
    own: tuple[OwnEngine, ManagedProcess] | None = None
    try:
        try:
            if not engine_answers(env):
                engine = OwnEngine.in_cache()
                own = engine, engine.start()
                env = engine.client_env()
                print(f"with_docker: started dockerd on {engine.host}", flush=True)
            # Building Compose (Go) and the stand-ins (mostly downloads) overlap well.
            with ThreadPoolExecutor(max_workers=1) as compose_build:
                config = compose_build.submit(compose_config_dir, env)
                images = ensure_images(env)
                if (config_dir := config.result()) is not None:
                    env["DOCKER_CONFIG"] = str(config_dir)
            env |= images.environment()
        except EngineUnavailable as reason:
            print(f"with_docker: {reason}", flush=True)
            env = dict(os.environ) | {"COINSTREAM_DOCKER_UNAVAILABLE": str(reason)}
        except StepFailed as failure:
            print(f"with_docker: setting up Docker failed: {failure}", file=sys.stderr, flush=True)
            return 1
        return subprocess.call(command, env=env)
    finally:
        if own is not None:
            engine, process = own
            engine.remove_containers()
            engine.prune()
            process.stop(timeout_s=60)
            print("with_docker: stopped dockerd", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
