"""A stop that cannot hang: a service told to stop exits within its grace, done or not.

A graceful stop may wait on a database that has stopped answering (a write in flight, a
client closing its sessions). Every service is built so that exiting then loses nothing
(the consumer commits only what it has written, and reads the rest again at its next
start; the API holds nothing), so when the grace runs out the process exits as a crash
would, and says so. Compose sends SIGKILL 10 s after SIGTERM; the grace ends before.
"""

from __future__ import annotations

import logging
import os
import threading

STOP_GRACE_S = 8.0
EXIT_STOP_GRACE_EXCEEDED = 3

log = logging.getLogger(__name__)


def exit_after_grace(grace_s: float = STOP_GRACE_S) -> None:
    """From now on, the process has `grace_s` to exit by itself."""
    timer = threading.Timer(grace_s, _exit_now, args=(grace_s,))
    timer.daemon = True
    timer.start()


def _exit_now(grace_s: float) -> None:
    log.warning(
        "stop took too long; exiting now: nothing held is lost (see docs/operations.md)",
        extra={"grace_s": grace_s},
    )
    logging.shutdown()
    os._exit(EXIT_STOP_GRACE_EXCEEDED)
