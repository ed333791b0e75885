"""A scratch Virtuoso 7 server for tests (Debian's ``virtuoso-opensource``, see scripts/install-system-deps).

:func:`start_virtuoso` writes a ``virtuoso.ini`` of its own into an empty
folder (database, log and lock files all there; SQL and HTTP on free loopback
ports; no Unix socket, no SSL, no Zero Config advertising), starts
``virtuoso-t +foreground`` in a new process group, waits until ``/sparql``
answers ``ASK {}``, and grants ``SPARQL_UPDATE`` to the anonymous ``SPARQL``
user with ``isql-vt`` so that ``/sparql`` and ``/sparql-graph-crud`` accept
writes. :meth:`Virtuoso.stop` kills the process group (SIGTERM, then
SIGKILL) and waits for it, so nothing outlives a test; Linux also sends the
server SIGTERM if the test process dies first.

Without ``virtuoso-t`` the fixtures skip, except under CI (``CI`` set), where
they fail: CI must run these tests.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pytest

from kg.serve import free_port

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
HOST = "127.0.0.1"

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 1
AsyncQueueMaxThreads = 10
MaxQueryMem = 2G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
IndexTreeMaps = 64
MaxMemPoolSize = 200000000

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {folder}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def require_virtuoso() -> None:
    """Skip (fail under CI) when Virtuoso is not installed."""
    if not (os.access(VIRTUOSO, os.X_OK) and os.access(ISQL, os.X_OK)):
        reason = "Virtuoso is not installed (scripts/install-system-deps installs virtuoso-opensource)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the Virtuoso tests")
        pytest.skip(reason)


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass(eq=False)
class Virtuoso:
    """A running scratch Virtuoso server."""

    process: subprocess.Popen
    folder: Path
    sql_port: int
    http_port: int

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return f"{self.base_url}/sparql"

    def log_text(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def isql(self, sql: str) -> str:
        """Run SQL as dba with isql-vt; its output, or AssertionError when it reports an error."""
        proc = subprocess.run([ISQL, f"{HOST}:{self.sql_port}", "dba", "dba", f"EXEC={sql}"], check=False,
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0 and "*** Error" not in output, f"isql-vt {sql!r}: {output}"
        return output

    def stop(self, grace_s: float = 20.0) -> None:
        """Stop the whole process group: SIGTERM (Virtuoso checkpoints and exits), then SIGKILL."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        try:  # anything else left in the group
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_virtuoso(folder: Path, startup_s: float = 90.0, grant: bool = True,
                   ports: tuple[int, int] | None = None) -> Virtuoso:
    """Start Virtuoso on ``folder`` (created if missing; an existing database there is reopened, on new ports)."""
    from urllib.error import URLError
    from urllib.request import Request, urlopen

    require_virtuoso()
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    fresh = not (folder / "virtuoso.db").exists()
    sql_port, http_port = ports or (free_port(HOST), free_port(HOST))
    (folder / "virtuoso.ini").write_text(INI.format(folder=folder, host=HOST, sql_port=sql_port, http_port=http_port))
    with open(folder / "stdout.log", "ab") as out:
        process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                   cwd=folder, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True,
                                   preexec_fn=_die_with_parent)  # noqa: PLW1509 - only sets a signal, no locks
    server = Virtuoso(process, folder, sql_port, http_port)
    probe = Request(f"{server.sparql_url}?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    deadline = time.monotonic() + startup_s
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {process.returncode}: {server.log_text()[-2000:]}")
            if "Server online at" in server.log_text():
                try:
                    with urlopen(probe, timeout=5) as answer:
                        if answer.status == 200 and b"true" in answer.read():
                            break
                except (URLError, OSError):
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Virtuoso did not answer within {startup_s:.0f} s: {server.log_text()[-2000:]}")
            time.sleep(0.2)
        if grant and fresh:  # a grant is stored in the database: once is enough
            server.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    except BaseException:
        server.stop()
        raise
    return server


def listening_sockets(pid: int) -> set[tuple[str, int]]:
    """The (address, port) pairs on which process ``pid`` listens for TCP connections (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A" or fields[9] not in inodes:  # 0A: LISTEN
                continue
            address, port = fields[1].split(":")
            if width == 8:
                host = ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0))
            else:
                host = address
            found.add((host, int(port, 16)))
    return found
