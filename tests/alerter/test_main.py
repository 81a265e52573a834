from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_bad_rule_stops_the_alerter_with_exit_2_naming_the_rule_and_field(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "rules:\n  - {name: jump, kind: price_move, change_pct: -3, window_minutes: 5}\n"
    )
    env = {"PATH": os.environ["PATH"], "ALERT_RULES_FILE": str(rules)}

    run = subprocess.run(
        [sys.executable, "-m", "alerter"],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )

    assert run.returncode == 2
    record = json.loads(run.stdout.decode().splitlines()[-1])
    assert record["message"] == "configuration error: the alerter cannot start"
    assert (record["rule"], record["field"]) == ("jump", "change_pct")
    assert "greater than 0" in record["detail"]
