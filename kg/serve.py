"""Serve the graph store as a SPARQL 1.1 endpoint with the Oxigraph server.

``start_server()`` brings the persistent store up to date (building the graph
first if it is stale), takes a copy of its current generation for the server
(:func:`prepare_store`: hard links, once per generation) and starts
``oxigraph serve-read-only --union-default-graph`` on it on a loopback port: the
default graph is the union of the curated graph and every import, and each is a
named graph for ``GRAPH`` queries, as in the embedded store. Oxigraph listens on a
private loopback port behind a relay (:mod:`kg.serve_proxy`) that refuses ``SERVICE`` and
``LOAD`` unless ``allow_service``, so the endpoint fetches nothing on a client's behalf. The server keeps
serving the generation it started with while ``kg import`` publishes newer ones
(restart it to see them); other commands are never locked out. It returns a
:class:`ServerHandle`; ``kg serve`` runs the same call in the foreground until
Ctrl-C.

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
import json
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
SERVE_FOLDER = "serve"
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

def prepare_store(project=None) -> Path:
    """The Oxigraph store directory ``kg serve`` serves: the persistent store's current generation.

    The server gets its own copy of the generation (``store/serve/<generation>``:
    a checkpoint, hard links, made once per generation) without the provenance
    graph, so that with ``--union-default-graph`` it serves exactly what the
    embedded store queries by default: the union of the curated graph and every
    import, each also a named graph for ``GRAPH`` queries. Copies no server uses
    any more are removed.
    """
    import pyoxigraph

    from kg import generations
    from kg.project import Project
    from kg.store import META, open_store

    project = project or Project.discover()
    with open_store(project) as snapshot:
        root = project.store / SERVE_FOLDER
        target = root / snapshot.path.name
        if not (root / f"{target.name}.json").is_file():
            root.mkdir(parents=True, exist_ok=True)
            work = root / f".copy-{target.name}-{os.getpid()}"
            shutil.rmtree(work, ignore_errors=True)
            try:
                snapshot.store.backup(str(work))
                copy = pyoxigraph.Store(str(work))
                copy.remove_graph(pyoxigraph.NamedNode(META))
                copy.flush()
                del copy
                try:
                    os.rename(work, target)
                except OSError:  # another process made the same copy first: wait for it to be marked
                    for _ in range(100):
                        if (root / f"{target.name}.json").is_file():
                            break
                        time.sleep(0.1)
                    else:
                        raise
                else:
                    (root / f"{target.name}.lock").touch()
                    (root / f"{target.name}.json").write_text(json.dumps({"generation": target.name}))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    for old in root.iterdir():
        if old.is_dir() and old != target and old.name.isdigit():
            generations.remove_locked(old)
        elif old.name.startswith((".copy-", "scratch-")) and not _pid_alive(_owner(old.name)):
            shutil.rmtree(old, ignore_errors=True)
    return target


def _owner(name: str) -> int:
    """The process id in a scratch folder's name (``.copy-GEN-PID``, ``scratch-PID-XXXX``), 0 if none."""
    parts = name.split("-")
    field = parts[2] if name.startswith(".copy-") else parts[1] if len(parts) > 1 else ""
    digits = [field] if field.isdigit() else []
    return int(digits[0]) if digits else 0


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
    lock_fd: int | None = None   # shared lock on the served copy (so it is not pruned while served)
    upstream_port: int | None = None  # Oxigraph's private loopback port behind the relay (kg.serve_proxy)
    relay: object | None = None
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
    def upstream_url(self) -> str:
        """Oxigraph's own query endpoint behind the relay (loopback; for this process, not for clients)."""
        return f"http://127.0.0.1:{self.upstream_port or self.port}/query"

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
        if self.relay is not None:
            self.relay.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None
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
                 startup_s: float = 30.0, check_port: bool = True, allow_service: bool = False) -> ServerHandle:
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
    allow_service
        Let queries use ``SERVICE`` and updates ``LOAD`` (federation). By default the
        relay in front of Oxigraph (:mod:`kg.serve_proxy`) refuses them with HTTP 403, so the
        server never fetches a URL on a client's behalf.
    """
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if not public and not is_loopback(host):
        raise UsageError(f"refusing to listen on {host}: it is not a loopback address, so other machines could "
                      f"{'change' if writable else 'query'} the graph; use --host 127.0.0.1, or add --public "
                      f"if you mean to expose it")
    if check_port and not port_is_free(host, port):
        raise _port_taken(host, port)
    scratch = lock_fd = None
    union = location is None
    if location is not None:
        store = Path(location).resolve()
        if not writable and not (store / "CURRENT").is_file():
            raise FileError(f"{store} is not an Oxigraph store; give a store directory or serve --writable")
    else:
        from kg import generations

        for _ in range(5):  # the copy may be pruned between preparing and locking it: prepare again
            served = prepare_store()
            lock_fd = generations.lock_shared(served)
            if lock_fd is not None:
                break
        else:
            raise ServerError("the graph store keeps changing; try kg serve again")
        store = served
        if writable:  # a scratch checkpoint of the served copy (hard links beside it), discarded on stop
            import pyoxigraph

            scratch = store = Path(tempfile.mkdtemp(prefix=f"scratch-{os.getpid()}-", dir=served.parent)) / "store"
            pyoxigraph.Store.read_only(str(served)).backup(str(scratch))
            scratch = scratch.parent
    upstream_port = free_port("127.0.0.1")  # Oxigraph listens privately; the relay listens where asked
    bind = f"127.0.0.1:{upstream_port}"
    args = [oxigraph_executable(), "serve" if writable else "serve-read-only", "--location", str(store),
            "--bind", bind] + (["--union-default-graph"] if union else [])
    if timeout:
        args += ["--timeout-s", str(int(timeout))]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True, preexec_fn=_die_with_parent if os.name == "posix" else None)
    handle = ServerHandle(process=process, host=host, port=port, location=store, writable=writable,
                          timeout=timeout, log=log, scratch=scratch, lock_fd=lock_fd, upstream_port=upstream_port)
    _RUNNING.add(handle)
    try:
        _wait_ready(handle, startup_s)
        from kg.serve_proxy import Relay

        try:
            handle.relay = Relay(host, port, ("127.0.0.1", upstream_port), allow_service=allow_service,
                                 timeout=(timeout + 30) if timeout else None)
        except OSError as exc:
            if exc.errno in (98, 48):  # EADDRINUSE (Linux, macOS)
                raise _port_taken(host, port) from None
            raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
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
    probe = Request(f"{handle.upstream_url}?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
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


def triple_count(project=None) -> int:
    """Triples ``kg serve`` serves: those of the curated graph and every import in the store."""
    from kg.store import open_store

    with open_store(project) as snapshot:
        return sum(info.triples for info in snapshot.infos())


# ---------------------------------------------------------------------------
# Checking that two stores agree
# ---------------------------------------------------------------------------
