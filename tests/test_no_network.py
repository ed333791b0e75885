"""No network at run time: build, query, explain, viz and export run in a Python whose sockets refuse any
address that is not loopback, and none of them tries one.

One subprocess runs the real commands through :func:`kg.cli.main`, after a wrapper has replaced
``socket.socket.connect`` (and ``connect_ex``, ``sendto``), ``socket.getaddrinfo`` and
``socket.create_connection`` with guards that let loopback through and record, then refuse, everything
else. The wrapper first tries one non-loopback address itself, so the test also shows the guard is live.
(HermiT runs in a Java process the guard cannot see; the fast variant reuses the session's build, the slow
one builds a scratch copy of the project from nothing.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.project import Project

GUARD = r'''
import ipaddress, json, os, socket, sys

LOG = os.environ["KG_TEST_NET_LOG"]


def _loopback(host) -> bool:
    host = str(host).strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(kind, target):
    with open(LOG, "a", encoding="utf-8") as handle:
        handle.write(json.dumps([kind, repr(target)]) + "\n")
    raise OSError(f"network access blocked by the test: {kind} {target!r}")


def _guard(method, kind, position=0):
    def guarded(self, *args):
        address = args[position]
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            _refuse(kind, address)
        return method(self, *args)
    return guarded


socket.socket.connect = _guard(socket.socket.connect, "connect")
socket.socket.connect_ex = _guard(socket.socket.connect_ex, "connect_ex")
socket.socket.sendto = _guard(socket.socket.sendto, "sendto", position=-1)
_getaddrinfo, _create_connection = socket.getaddrinfo, socket.create_connection


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _loopback(host.decode() if isinstance(host, bytes) else host):
        _refuse("getaddrinfo", host)
    return _getaddrinfo(host, *args, **kwargs)


def create_connection(address, *args, **kwargs):
    if not _loopback(address[0]):
        _refuse("create_connection", address)
    return _create_connection(address, *args, **kwargs)


socket.getaddrinfo, socket.create_connection = getaddrinfo, create_connection

try:  # the guard is live: this is recorded and refused
    socket.create_connection(("192.0.2.1", 9), timeout=1)
except OSError:
    pass

from kg.cli import main

codes = []
for args in json.loads(sys.argv[1]):
    sys.argv = ["kg", *args]
    try:
        main()
        codes.append(0)
    except SystemExit as exc:
        codes.append(exc.code if isinstance(exc.code, int) else 1)
print("CODES " + json.dumps(codes))
'''


def _run(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, list, Path]:
    log, out = tmp_path / "attempts.jsonl", tmp_path / "out"
    commands = [
        ["build"],
        ["query", "cni_type1_ifn", "--format", "csv"],
        ["query", "cyclosporine_dose", "-p", "drug=ciclosporin", "--format", "json"],
        ["explain", "cyclosporine", "type I interferon"],
        ["viz", "--out", str(out / "graph.html")],
        ["viz", "--focus", "cyclosporine", "--out", str(out / "cyclosporine.html")],
        ["export", "--out", str(out / "kg.ttl")],
        ["export", "--format", "jsonld", "--out", str(out / "kg.jsonld")],
        ["export", "--format", "kgx", "--out", str(out / "kgx")],
    ]
    result = subprocess.run([sys.executable, "-c", GUARD, json.dumps(commands)], capture_output=True, text=True,
                            timeout=600, check=False, env={**os.environ, **env, "KG_TEST_NET_LOG": str(log)})
    attempts = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, attempts, out


def _check(result: subprocess.CompletedProcess, attempts: list, out: Path) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    codes = next(line for line in result.stdout.splitlines() if line.startswith("CODES "))
    assert json.loads(codes[6:]) == [0] * 9, result.stderr
    assert attempts == [["create_connection", "('192.0.2.1', 9)"]]   # only the wrapper's own probe
    assert sorted(p.name for p in out.iterdir()) == ["cyclosporine.html", "graph.html", "kg.jsonld", "kg.ttl", "kgx"]
    assert sorted(p.name for p in (out / "kgx").iterdir()) == ["edges.tsv", "metadata.json", "nodes.tsv"]
    assert "cyclosporine" in (out / "cyclosporine.html").read_text(encoding="utf-8")


@pytest.mark.slow  # every command in a process that may not reach the network
def test_commands_reach_nothing_beyond_loopback(built, tmp_path):
    result, attempts, out = _run(tmp_path, {})
    _check(result, attempts, out)
    assert result.stdout.startswith("Graph up to date")   # the session's build was current


@pytest.mark.slow
def test_a_fresh_build_reaches_nothing_beyond_loopback(tmp_path):
    root = tmp_path / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(Project.discover().root / folder, root / folder)
    result, attempts, out = _run(tmp_path, {"KG_HOME": str(root), "KG_DIST": str(root / "dist"),
                                            "KG_STORE": str(root / "store")})
    _check(result, attempts, out)
    assert result.stdout.startswith("Graph built")
    assert (root / "dist" / "current" / "kg.nt").is_file()
