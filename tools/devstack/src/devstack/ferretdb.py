"""A real MongoDB-wire server: FerretDB v1 with its SQLite backend, built from the Go module proxy.

`go install ...@v1.24.2` cannot be used here: it asks the proxy for the module's version
list (refused by some proxies) and the module zip lacks build/version/version.txt, so
the binary panics at start. We build from a copy of the module source with that file,
and two fixes (`PATCHES`):

- `_ID_LOOKUP`: the SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but looks it
  up as `_ferretdb_sjson->'$._id'`, an expression SQLite does not match to the index, so
  every update and delete by `_id` scanned the whole table (about 70 ms per update at
  3,000 documents; 0.2 ms with the index). It changes no result, only SQLite's plan.
- `_UPDATE_CLOSE`: `update` defers closing each statement's query to the end of the
  whole command, so every matched statement holds one of the 100 pooled SQLite
  connections; the 100th matched statement of one command (a `bulk_write` of 100
  `ReplaceOne`) then waits for a connection forever, and so does every later request on
  that database. The fix closes each statement's query when that statement is done.
  See docs/operations.md.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from devstack.net import LOOPBACK, port_open, wait_until
from devstack.paths import cache_dir, install_lock
from devstack.processes import ManagedProcess

FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"
_ID_LOOKUP = (
    Path("internal/backends/sqlite/metadata/metadata.go"),
    "IDColumn = DefaultColumn + \"->'$._id'\"",
    'IDColumn = DefaultColumn + `->"_id"`',
)
# The same deferred close, in a function called once per statement, so each statement's
# query (and its pooled connection) is released before the next statement runs.
_UPDATE_CLOSE = (
    Path("internal/handler/msg_update.go"),
    """\t\tcloser := iterator.NewMultiCloser()
\t\tdefer closer.Close()

\t\tcloser.Add(res.Iter)

\t\titer := common.FilterIterator(res.Iter, closer, u.Filter)

\t\tif !u.Multi {
\t\t\titer = common.LimitIterator(iter, closer, 1)
\t\t}

\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)
""",
    """\t\tresult, err := func() (*common.UpdateResult, error) {
\t\t\tcloser := iterator.NewMultiCloser()
\t\t\tdefer closer.Close()

\t\t\tcloser.Add(res.Iter)

\t\t\titer := common.FilterIterator(res.Iter, closer, u.Filter)

\t\t\tif !u.Multi {
\t\t\t\titer = common.LimitIterator(iter, closer, 1)
\t\t\t}

\t\t\treturn common.UpdateDocument(ctx, c, "update", iter, &u)
\t\t}()
""",
)
PATCHES = (_ID_LOOKUP, _UPDATE_CLOSE)


def _make_writable(path: Path) -> None:
    for entry in [path, *path.rglob("*")]:
        entry.chmod(entry.stat().st_mode | stat.S_IWUSR)


def _patch(path: Path, before: str, after: str) -> None:
    """Replace the one occurrence of `before`; any other count means the source is not v1.24.2's."""
    text = path.read_text()
    if text.count(before) != 1:
        raise RuntimeError(
            f"FerretDB source changed: expected {before!r} once in {path}, "
            f"found it {text.count(before)} times"
        )
    path.write_text(text.replace(before, after))


def install_ferretdb() -> Path:
    """The FerretDB binary, built with the machine's Go on first use."""
    home = cache_dir() / f"ferretdb-{FERRETDB_VERSION}-id-index-update-close"
    binary = home / "ferretdb"
    with install_lock(home):
        if binary.exists():
            return binary
        if shutil.which("go") is None:
            raise RuntimeError("Go is needed to build FerretDB; install it or use Docker")
        env = os.environ | {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
        download = subprocess.run(
            ["go", "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
            cwd=home,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        source = home / "src"
        shutil.rmtree(source, ignore_errors=True)
        shutil.copytree(json.loads(download.stdout)["Dir"], source)
        _make_writable(source)
        (source / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
        for path, before, after in PATCHES:
            _patch(source / path, before, after)
        subprocess.run(
            ["go", "build", "-trimpath", "-o", str(binary), "./cmd/ferretdb"],
            cwd=source,
            env=env,
            check=True,
        )
        shutil.rmtree(source)
    return binary


@dataclass(frozen=True)
class FerretDB:
    binary: Path
    data_dir: Path
    port: int

    @property
    def uri(self) -> str:
        return f"mongodb://{LOOPBACK}:{self.port}/"

    def start(self, log_path: Path, timeout_s: float = 30.0) -> ManagedProcess:
        sqlite_dir = self.data_dir / "sqlite"
        sqlite_dir.mkdir(parents=True, exist_ok=True)
        process = ManagedProcess(
            "ferretdb",
            [
                str(self.binary),
                "--handler=sqlite",
                f"--sqlite-url=file:{sqlite_dir}/?_pragma=synchronous(normal)",
                f"--listen-addr={LOOPBACK}:{self.port}",
                "--telemetry=disable",
                "--debug-addr=-",
                f"--state-dir={self.data_dir}",
                "--log-level=warn",
            ],
            env={"PATH": os.environ["PATH"], "HOME": str(Path.home())},
            cwd=self.data_dir,
            log_path=log_path,
        )

        def listening() -> bool:
            if not process.alive():
                raise RuntimeError(f"FerretDB exited early:\n{process.tail()}")
            return port_open(self.port)

        wait_until(listening, timeout_s, f"FerretDB on {LOOPBACK}:{self.port}")
        return process
