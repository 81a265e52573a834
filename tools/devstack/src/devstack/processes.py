"""A child process in its own session, its output in a log file (and optionally echoed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path


class ManagedProcess:
    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        log_path: Path,
        echo: bool = False,
    ) -> None:
        self.name = name
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("wb")
        self._process = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._pump = threading.Thread(target=self._copy_output, args=(echo,), daemon=True)
        self._pump.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._process.poll()

    def signal(self, signum: int) -> None:
        if self.alive():
            os.killpg(self._process.pid, signum)

    def stop(self, timeout_s: float = 15.0) -> int:
        """SIGTERM the process group, SIGKILL it if it has not exited in time."""
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self._process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self._process.wait()
        self._pump.join(timeout=5)
        self._log.close()
        return self._process.returncode

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _copy_output(self, echo: bool) -> None:
        if self._process.stdout is None:
            return
        prefix = f"[{self.name}] ".encode()
        for line in self._process.stdout:
            self._log.write(line)
            self._log.flush()
            if echo:
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.buffer.flush()
