"""Serve the built graph as a SPARQL 1.1 endpoint with the Oxigraph server.

``start_server()`` builds the graph if it is stale, loads ``dist/kg.nt`` into
an Oxigraph store directory (``dist/oxigraph-store/<build hash>``, loaded once
per build) and starts ``oxigraph serve-read-only`` on a loopback port. It
returns a :class:`ServerHandle`; ``kg serve`` runs the same call in the
foreground until Ctrl-C.

Examples
--------
>>> from kg.query import run_query
>>> with start_server(port=free_port()) as server:
...     rows = run_query("cni_type1_ifn", endpoint=server.url).rows
>>> len(rows), server.running()
(5, False)

Endpoints of an Oxigraph server at ``http://HOST:PORT``: ``/query`` (SPARQL
query), ``/update`` (SPARQL Update, only with ``writable=True``) and
``/store`` (Graph Store Protocol).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kg.errors import EndpointError, FileError, ServerError, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30
STORE_FOLDER = "oxigraph-store"
_MARKER = ".kg-loaded"
_RUNNING: weakref.WeakSet[ServerHandle] = weakref.WeakSet()


# ---------------------------------------------------------------------------
# Finding the server program
# ---------------------------------------------------------------------------

def oxigraph_executable() -> str:
    """Path of the ``oxigraph`` program (PyPI package ``oxigraph``): beside Python first, then on PATH."""
    name = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ServerError("cannot find the 'oxigraph' server program; install it with `pip install oxigraph` "
                  "in the environment that runs kg")


def _run_oxigraph(args: list[str], what: str) -> subprocess.CompletedProcess:
    """Run an ``oxigraph`` subcommand to completion; a failure raises with its last error line."""
    proc = subprocess.run([oxigraph_executable(), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ServerError(f"oxigraph could not {what}: {_error_line(proc.stderr)}")
    return proc


def _error_line(log: str) -> str:
    """The line of an Oxigraph log that says what went wrong (its 'Error: ...' line, else the last one)."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("Error:"):
            return line[len("Error:"):].strip()
    return lines[-1] if lines else "no message"


# ---------------------------------------------------------------------------
# The store directory
# ---------------------------------------------------------------------------

def prepare_store(build=None) -> Path:
    """An Oxigraph store directory holding the current build, loading it only when the build changed.

    Each build gets its own directory, named by its input hash, loaded into a
    temporary folder and renamed into place, so concurrent callers never see a
    half-loaded store and a server reading an older build keeps its files.
    Older stores no server is reading are removed.
    """
    from kg.build import ensure_built

    build = build or ensure_built()
    root = build.dist / STORE_FOLDER
    key = build.report["input_hash"][:16]
    target = root / key
    if (target / _MARKER).is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    loading = root / f".loading-{key}-{os.getpid()}"
    shutil.rmtree(loading, ignore_errors=True)
    try:
        _run_oxigraph(["load", "--location", str(loading), "--file", str(build.ntriples)], "load the built graph")
        (loading / _MARKER).write_text(f"{build.report['input_hash']}\n{build.ntriples}\n")
        try:
            os.rename(loading, target)
        except OSError:  # another process renamed its copy first: use that one
            if not (target / _MARKER).is_file():
                raise
    finally:
        shutil.rmtree(loading, ignore_errors=True)
    _prune(root, keep=target)
    return target


def _prune(root: Path, keep: Path, min_age_s: float = 60.0) -> None:
    """Remove store directories of older builds that no process is serving (best effort)."""
    now = time.time()
    for path in root.iterdir():
        if path == keep or not path.is_dir():
            continue
        if path.name.startswith(".loading-"):
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit() and _pid_alive(int(pid)):
                continue
        elif now - path.stat().st_mtime < min_age_s or _in_use(path):
            continue
        shutil.rmtree(path, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _in_use(path: Path) -> bool:
    """True when a running process names ``path`` on its command line (Linux /proc; else assume yes)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    needle = str(path.resolve()).encode()
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes():
                    return True
            except OSError:
                continue
    return False


# ---------------------------------------------------------------------------
# Host and port checks
# ---------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    """True when ``host`` names only this machine (localhost, 127.0.0.0/8, ::1)."""
    import ipaddress

    name = host.strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on ``host:port`` (a socket can bind there now)."""
    name = host.strip("[]")
    family = socket.AF_INET6 if ":" in name else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT leftovers
        try:
            sock.bind((name, port))
        except OSError:
            return False
    return True


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port on ``host`` that is free right now (for tests and scratch servers)."""
    name = host.strip("[]")
    family = socket.AF_INET6 if ":" in name else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((name, 0))
        return sock.getsockname()[1]


def _port_taken(host: str, port: int) -> EndpointError:
    return EndpointError(f"port {port} on {host} is already in use (another server is running there); "
                         f"stop it or choose another port with --port")


# ---------------------------------------------------------------------------
# The running server
# ---------------------------------------------------------------------------

@dataclass(eq=False)
class ServerHandle:
    """A running Oxigraph server; ``stop()`` it, or use it as a context manager."""

    process: subprocess.Popen
    host: str
    port: int
    location: Path
    writable: bool
    timeout: int
    log: IO[bytes]
    scratch: Path | None = None  # a temporary store removed on stop
    stopped: bool = field(default=False, init=False)

    @property
    def base_url(self) -> str:
        host = f"[{self.host.strip('[]')}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The SPARQL query endpoint."""
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint (``?default`` or ``?graph=IRI``)."""
        return f"{self.base_url}/store"

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        """What the server wrote to stdout and stderr so far."""
        if self.log.closed:
            return ""
        fd = self.log.fileno()  # shared with the child: read with pread, never move its offset
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")

    def wait(self) -> int:
        """Block until the server exits (Ctrl-C raises KeyboardInterrupt here); its exit status."""
        return self.process.wait()

    def stop(self, grace_s: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``grace_s``) and remove a scratch store."""
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        _RUNNING.discard(self)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@atexit.register
def _stop_all() -> None:
    for handle in list(_RUNNING):
        handle.stop(grace_s=2.0)


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM it when the parent dies, so no server outlives its owner."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: the atexit hook and stop() still apply
        pass


def start_server(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout: int = DEFAULT_TIMEOUT,
                 writable: bool = False, public: bool = False, location: Path | str | None = None,
                 startup_s: float = 30.0, check_port: bool = True) -> ServerHandle:
    """Start an Oxigraph SPARQL server and return once it answers queries.

    Parameters
    ----------
    host, port
        Where to listen. A host that is not loopback needs ``public=True``.
    timeout
        Query timeout in seconds (Oxigraph's ``--timeout-s``; soft: a cancelled
        answer is cut off, which :func:`kg.query.run_query` reports as a timeout).
    writable
        Serve read-write (``oxigraph serve``). Without ``location`` the server
        works on a scratch copy of the built graph, removed when it stops.
    location
        Serve this store directory as it is (created empty if missing) instead
        of the built graph.
    check_port
        Refuse at once when the port is taken (the server dying at start is
        detected either way).
    """
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if not public and not is_loopback(host):
        raise UsageError(f"refusing to listen on {host}: it is not a loopback address, so other machines could "
                      f"{'change' if writable else 'query'} the graph; use --host 127.0.0.1, or add --public "
                      f"if you mean to expose it")
    if check_port and not port_is_free(host, port):
        raise _port_taken(host, port)
    scratch = None
    if location is not None:
        store = Path(location).resolve()
        if not writable and not (store / "CURRENT").is_file():
            raise FileError(f"{store} is not an Oxigraph store; give a store directory or serve --writable")
    elif writable:
        from kg.build import ensure_built

        scratch = store = Path(tempfile.mkdtemp(prefix="kg-serve-"))
        _run_oxigraph(["load", "--location", str(store), "--file", str(ensure_built().ntriples)],
                      "load the built graph")
    else:
        store = prepare_store()
    bind = f"[{host.strip('[]')}]:{port}" if ":" in host.strip("[]") else f"{host}:{port}"
    args = [oxigraph_executable(), "serve" if writable else "serve-read-only", "--location", str(store),
            "--bind", bind]
    if timeout:
        args += ["--timeout-s", str(int(timeout))]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True, preexec_fn=_die_with_parent if os.name == "posix" else None)
    handle = ServerHandle(process=process, host=host, port=port, location=store, writable=writable,
                          timeout=timeout, log=log, scratch=scratch)
    _RUNNING.add(handle)
    try:
        _wait_ready(handle, startup_s)
    except BaseException:
        handle.stop()
        raise
    return handle


def _wait_ready(handle: ServerHandle, startup_s: float) -> None:
    """Return when the server says it listens and answers ``ASK {}``; raise if it exits or stays silent.

    Waiting for Oxigraph's own "Listening for requests" line as well as an answer
    makes sure the answer came from this server, not from another one on the port.
    """
    from urllib.error import URLError
    from urllib.request import Request, urlopen

    deadline = time.monotonic() + startup_s
    probe = Request(f"{handle.url}?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    while True:
        if handle.process.poll() is not None:
            log = handle.log_text()
            if "Address already in use" in log or "os error 98" in log:
                raise _port_taken(handle.host, handle.port)
            raise EndpointError(f"the Oxigraph server stopped at start: {_error_line(log)}")
        if "Listening for requests" in handle.log_text():
            try:
                with urlopen(probe, timeout=2) as response:
                    if response.status == 200 and handle.process.poll() is None:
                        return
            except (URLError, OSError):
                pass
        if time.monotonic() > deadline:
            raise EndpointError(f"the Oxigraph server did not answer on {handle.url} within {startup_s:.0f} s")
        time.sleep(0.05)


def triple_count(build=None) -> int:
    """Triples in the built graph's N-Triples file (one per non-blank, non-comment line)."""
    from kg.build import ensure_built

    build = build or ensure_built()
    with open(build.ntriples, "rb") as handle:
        return sum(1 for line in handle if line.strip() and not line.lstrip().startswith(b"#"))


# ---------------------------------------------------------------------------
# Checking that two stores agree
# ---------------------------------------------------------------------------
