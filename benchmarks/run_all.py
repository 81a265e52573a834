"""`make bench`: run every benchmarks/bench_*.py in turn, each in its own process.

Each benchmark starts what it needs (local servers by default, or those named by
COINSTREAM_TEST_KAFKA / COINSTREAM_TEST_MONGO_URI), measures ours beside a baseline in
the same run, and prints one or more `BENCH <name> key=value ...` lines. This runner
repeats those lines at the end and fails if a benchmark failed or printed none.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    selected = sys.argv[1:]
    scripts = sorted(HERE.glob("bench_*.py"))
    if selected:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in selected]
    if not scripts:
        print("no benchmarks found", file=sys.stderr)
        return 1
    lines: list[str] = []
    failed: list[str] = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        result = subprocess.run(
            [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, check=False
        )
        print(result.stdout, end="", flush=True)
        found = [line for line in result.stdout.splitlines() if line.startswith("BENCH ")]
        if result.returncode != 0 or not found:
            failed.append(script.name)
        lines += found
    print("\n".join(["", "== summary", *lines]))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
