"""A failed setup step names the command that failed and shows why."""

from __future__ import annotations

import pytest

from devstack.docker.steps import StepFailed, run_step, succeeds


def test_a_failed_step_names_its_command_and_its_output() -> None:
    with pytest.raises(StepFailed) as failure:
        run_step(["sh", "-c", "echo 'no such host' >&2; exit 3"])
    message = str(failure.value)
    assert "`sh -c 'echo '\"'\"'no such host'\"'\"' >&2; exit 3'`" in message
    assert "exited with status 3" in message
    assert "no such host" in message


def test_a_missing_program_is_a_failed_step() -> None:
    with pytest.raises(StepFailed, match="could not run"):
        run_step(["coinstream-no-such-program"])


def test_succeeds_says_whether_a_command_did() -> None:
    assert succeeds(["true"])
    assert not succeeds(["false"])
