"""The front ``kg serve`` puts before Oxigraph: it refuses queries and updates that would fetch a URL.

Oxigraph's server follows ``SERVICE <url>`` in a query and ``LOAD <url>`` in an update, so
an endpoint anyone may query would fetch any address it can reach on their behalf (other
services on loopback, the host's network with ``--public``). Oxigraph has no switch for it,
so :func:`kg.serve.start_server` runs Oxigraph on a private loopback port and this relay on
the address the user asked for. The relay reads the SPARQL text of every request to
``/query`` and ``/update`` (GET parameters, a form body or a ``application/sparql-query`` /
``sparql-update`` body), refuses with HTTP 403 and one line of text any that uses
``SERVICE`` or ``LOAD`` (:func:`kg.query.guard.outbound_operations`, which ignores the words
inside strings, IRIs and comments) unless the server was started with ``allow_service``, and
passes everything else through unchanged, streaming the answer back. Graph Store requests
(``/store``) carry data, not queries, and pass through.
"""

from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from kg.query.guard import outbound_operations

#: Largest query or update text the relay reads to inspect (a SPARQL request is small; data goes to /store).
MAX_SPARQL_BYTES = 16 << 20
_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"}
_BLOCK = 1 << 16


def sparql_text(method: str, target: str, content_type: str, body: bytes) -> str:
    """The query or update a SPARQL protocol request carries ('' when none).

    Examples
    --------
    >>> sparql_text("GET", "/query?query=ASK%7B%7D", "", b"")
    'ASK{}'
    >>> sparql_text("POST", "/update", "application/sparql-update", b"LOAD <http://x/>")
    'LOAD <http://x/>'
    """
    parts = [target.partition("?")[2]]
    kind = content_type.split(";")[0].strip().lower()
    if method == "POST" and kind == "application/x-www-form-urlencoded":
        parts.append(body.decode("utf-8", "replace"))
    texts = [v for part in parts for key, values in parse_qs(part).items() if key in ("query", "update")
             for v in values]
    if method == "POST" and kind in ("application/sparql-query", "application/sparql-update"):
        texts.append(body.decode("utf-8", "replace"))
    return "\n".join(texts)


class _Relay(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, upstream: tuple[str, int], allow_service: bool, timeout: float | None) -> None:
        host = address[0].strip("[]")
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.upstream, self.allow_service, self.upstream_timeout = upstream, allow_service, timeout
        super().__init__((host, address[1]), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Relay
    protocol_version = "HTTP/1.0"  # one request per connection; the answer ends when the connection closes

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # Oxigraph logs the requests it serves

    def do_GET(self) -> None:
        self._relay()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_GET

    def _refuse(self, status: int, message: str) -> None:
        data = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _relay(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._refuse(400, "Content-Length is not a number")
        path = urlsplit(self.path).path.rstrip("/")
        body: bytes | _Limited
        if path in ("/query", "/update"):
            if length > MAX_SPARQL_BYTES:
                return self._refuse(413, f"a query or update of over {MAX_SPARQL_BYTES >> 20} MB is refused")
            body = self.rfile.read(length) if length else b""
            text = sparql_text(self.command, self.path, self.headers.get("Content-Type", ""), body)
            found = outbound_operations(text) if text else []
            if found and not self.server.allow_service:
                ops = " and ".join(dict.fromkeys(found))
                return self._refuse(403, f"this server refuses {ops}: it would fetch another URL on the "
                                         f"client's behalf (kg serve --allow-service allows it)")
        else:
            body = _Limited(self.rfile, length)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=self.server.upstream_timeout)
        try:
            upstream.request(self.command, self.path, body=body if length else None, headers=headers)
            answer = upstream.getresponse()
            self.send_response(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() not in _HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                while block := answer.read1(_BLOCK):
                    self.wfile.write(block)
        except (OSError, http.client.HTTPException):
            self.close_connection = True  # the client went away, or Oxigraph stopped: nothing more to send
        finally:
            upstream.close()


class _Limited:
    """The next ``length`` bytes of a stream, read in blocks (a Graph Store upload is relayed, not held)."""

    def __init__(self, stream, length: int) -> None:
        self.stream, self.left = stream, length

    def read(self, size: int = _BLOCK) -> bytes:
        if self.left <= 0:
            return b""
        data = self.stream.read(min(size if size > 0 else _BLOCK, self.left))
        self.left -= len(data)
        return data


class Relay:
    """A running relay on ``host:port`` in front of Oxigraph at ``upstream``; ``close()`` stops it."""

    def __init__(self, host: str, port: int, upstream: tuple[str, int], allow_service: bool = False,
                 timeout: float | None = None) -> None:
        self._server = _Relay((host, port), upstream, allow_service, timeout)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="kg-serve-relay", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
