"""Commands whose failure must say which command failed, and why."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


class StepFailed(RuntimeError):
    """A command that setting up Docker needed did not succeed."""


def run_step(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    timeout_s: float = 900,
) -> str:
    """Run `argv`; its stdout, or StepFailed naming the command with the end of its output."""
    command = shlex.join(argv)
    try:
        done = subprocess.run(
            list(argv),
            env=None if env is None else dict(env),
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepFailed(f"`{command}` could not run: {error}") from error
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace").strip().splitlines()
        tail = "\n".join(output[-30:])
        raise StepFailed(f"`{command}` exited with status {done.returncode}:\n{tail}")
    return done.stdout.decode(errors="replace")


def succeeds(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, timeout_s: float = 30
) -> bool:
    try:
        run_step(argv, env=env, timeout_s=timeout_s)
    except StepFailed:
        return False
    return True
