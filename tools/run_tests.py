"""make test's pytest, as two runs side by side: the docker tests, and everything else.

    python tools/run_tests.py PYTEST...

The docker tests spend most of their time waiting: for images to build, for containers to
become healthy, for a minute to close. Run beside the rest, they wait while it works
instead of before it. Each run fails on a skipped test and on a kind of test that did not
pass (`--require`). The docker run's output goes to .artifacts/pytest-docker.log and is
printed when both are done; the status is the first failing run's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Beside the run's other artifacts, under the folder it runs in.
DOCKER_LOG = Path(".artifacts") / "pytest-docker.log"
# The later -m wins over pyproject's addopts, so each must leave the soak tests out again.
DOCKER_TESTS = ["-m", "docker and not soak", "--require=docker"]
OTHER_TESTS = ["-m", "not docker and not soak", "--require=integration,e2e"]


def main(pytest: list[str]) -> int:
    DOCKER_LOG.parent.mkdir(exist_ok=True)
    with DOCKER_LOG.open("w") as log:
        docker = subprocess.Popen([*pytest, *DOCKER_TESTS], stdout=log, stderr=subprocess.STDOUT)
        try:
            others = subprocess.call([*pytest, *OTHER_TESTS])
        finally:
            docker_status = docker.wait()
    print(f"\n== the docker tests, run beside the others ({DOCKER_LOG})")
    print(DOCKER_LOG.read_text(), end="", flush=True)
    return others or docker_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
