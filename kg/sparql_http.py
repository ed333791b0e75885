"""Bounded HTTP requests to SPARQL services, and checked SPARQL JSON answers.

:func:`request` sends one HTTP request with the standard library's
``http.client`` and never waits or reads without a bound: a total deadline per
request (a watchdog closes the socket when it passes, so a server that drips
bytes cannot hold the client), a per-read timeout, and a cap on the size of
the answer body. Credentials go as HTTP Basic, or as HTTP Digest when the
server asks for it (Virtuoso's ``/sparql-auth`` and ``/sparql-graph-crud-auth``
do). Only an unreachable, silent or oversized server raises; any HTTP status
is returned to the caller.

:func:`select_bindings` checks an answer against the SPARQL 1.1 Query Results
JSON format (a ``head`` with ``vars``, ``results.bindings`` a list of objects
whose terms carry ``type`` and ``value``) before anything uses it.

Examples
--------
>>> select_bindings('{"head": {"vars": ["n"]}, "results": {"bindings": '
...                 '[{"n": {"type": "literal", "value": "3"}}]}}', "http://x/sparql")
[{'n': {'type': 'literal', 'value': '3'}}]
>>> select_bindings('{}', "http://x/sparql")
Traceback (most recent call last):
...
kg.errors.ServerError: http://x/sparql did not answer with SPARQL JSON results: no "head" object
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from kg.errors import ServerError

#: Largest answer body read from a server (the answers this project reads are small).
MAX_ANSWER_BYTES = 8 * 1024 * 1024
_BLOCK = 64 * 1024


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, headers (lower-case names) and body text."""

    status: int
    headers: dict[str, str]
    text: str

    @property
    def server(self) -> str:
        """The ``Server`` header, e.g. ``Oxigraph/0.5.13`` or ``Virtuoso/07.20.3229 (Linux) ...``."""
        return self.headers.get("server", "")


def check_url(url: str) -> str:
    """``url`` stripped, if it is an http(s) URL with a host; else a one-line ServerError.

    Examples
    --------
    >>> check_url(" http://127.0.0.1:8890/sparql ")
    'http://127.0.0.1:8890/sparql'
    >>> check_url("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    kg.errors.ServerError: 'file:///etc/passwd' is not an http(s) URL; give the store's URL, e.g. http://127.0.0.1:7878
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerError(f"{url!r} is not an http(s) URL; give the store's URL, e.g. http://127.0.0.1:7878")
    return url


class Credentials:
    """A user name and password for one store: HTTP Basic until the store asks for Digest, then Digest."""

    def __init__(self, user: str, password: str | None):
        self.user, self.password = user, password or ""
        self.challenge = ""  # the store's last "WWW-Authenticate: Digest ..." header
        self.uses = 0

    def header(self, method: str, url: str) -> str:
        if not self.challenge:
            return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        self.uses += 1
        return _digest(self.challenge, method, url, self.user, self.password, self.uses)


def request(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None, *,
            credentials: Credentials | None = None, deadline_s: float = 120.0, read_timeout_s: float = 60.0,
            max_bytes: int = MAX_ANSWER_BYTES, truncate: bool = False) -> Answer:
    """Send one request; the answer (any status).

    With ``credentials``, a 401 answer is retried once: with Digest when the
    store asks for it, or first without credentials to learn how it wants
    them (Virtuoso answers Basic with a bare 401).

    Raises
    ------
    ServerError
        The server cannot be reached, sends no complete answer within
        ``deadline_s`` seconds, or answers with more than ``max_bytes``
        (unless ``truncate``: then the answer is cut there).
    """
    headers = dict(headers or {})

    def send(authorised: bool) -> Answer:
        if authorised and credentials is not None:
            headers["Authorization"] = credentials.header(method, url)
        else:
            headers.pop("Authorization", None)
        return _once(method, url, body, headers, deadline_s, read_timeout_s, max_bytes, truncate)

    answer = send(True)
    if answer.status != 401 or credentials is None:
        return answer
    challenge = answer.headers.get("www-authenticate", "")
    if not challenge and not credentials.challenge:
        challenge = send(False).headers.get("www-authenticate", "")
    if challenge.lower().startswith("digest"):
        credentials.challenge, credentials.uses = challenge, 0
        answer = send(True)
    return answer


def _once(method: str, url: str, body: bytes | None, headers: dict[str, str], deadline_s: float,
          read_timeout_s: float, max_bytes: int, truncate: bool = False) -> Answer:
    import http.client
    import socket

    parts = urlsplit(check_url(url))
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = connection_class(parts.hostname, parts.port, timeout=min(read_timeout_s, deadline_s))
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    expired = threading.Event()
    sockets: list = []  # the connection's socket, kept: http.client forgets it once the answer is read

    def cut_off() -> None:
        expired.set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(deadline_s, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.connect()
        sockets.append(conn.sock)
        if expired.is_set():
            cut_off()
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        for start in range(0, len(body or b""), _BLOCK):
            conn.send(body[start:start + _BLOCK])
        response = conn.getresponse()
        data = bytearray()
        while block := response.read1(_BLOCK):
            data += block
            if len(data) > max_bytes and truncate:
                del data[max_bytes:]
                break
            if len(data) > max_bytes:
                raise ServerError(f"{url} sent more than {max_bytes // (1024 * 1024)} MiB in answer; "
                                  f"is this a SPARQL service?")
        if expired.is_set():  # the watchdog's shutdown reads as the end of the answer
            raise TimeoutError
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, answer_headers, data.decode("utf-8", "replace"))
    except ServerError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            raise ServerError(f"{url} sent no complete answer within {deadline_s:g} s") from exc
        if isinstance(exc, TimeoutError):
            raise ServerError(f"{url} sent nothing for {min(read_timeout_s, deadline_s):g} s") from exc
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise ServerError(f"cannot reach the store at {url}: {reason}; is it running, and is the URL right? "
                          f"(for a local one: kg serve --writable)") from exc
    finally:
        watchdog.cancel()
        conn.close()


def _digest(challenge: str, method: str, url: str, user: str, password: str, count: int = 1) -> str:
    """An RFC 7616 ``Authorization: Digest`` header (MD5, qop=auth) answering ``challenge``."""
    fields = {key: quoted or bare for key, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]+))', challenge)}
    parts = urlsplit(url)
    uri = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    ha1, ha2 = md5(f"{user}:{realm}:{password}"), md5(f"{method}:{uri}")
    cnonce, nc = os.urandom(8).hex(), f"{count:08x}"
    if "auth" in fields.get("qop", "").split(","):
        response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        tail = f', qop=auth, nc={nc}, cnonce="{cnonce}"'
    else:
        response, tail = md5(f"{ha1}:{nonce}:{ha2}"), ""
    opaque = f', opaque="{fields["opaque"]}"' if "opaque" in fields else ""
    return (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
            f'response="{response}", algorithm=MD5{opaque}{tail}')


def select_bindings(text: str, url: str) -> list[dict[str, dict[str, str]]]:
    """The bindings of a SPARQL JSON SELECT answer, after checking its shape; else a one-line ServerError."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        shown = " ".join(text[:80].split()) or "an empty answer"
        raise _not_results(url, f"not JSON ({shown!r})") from None
    checked = check_results(data, url)
    if isinstance(checked, bool):
        raise _not_results(url, "a boolean (an ASK answer), not rows")
    return checked[1]


def _not_results(url: str, reason: str) -> ServerError:
    return ServerError(f"{url} did not answer with SPARQL JSON results: {reason}")


def check_results(data: object, url: str) -> tuple[list[str], list[dict[str, dict[str, str]]]] | bool:
    """A parsed SPARQL 1.1 JSON answer checked: the ``boolean`` of an ASK, or a SELECT's ``(vars, bindings)``.

    Examples
    --------
    >>> check_results({"head": {}, "boolean": True}, "http://x/sparql")
    True
    >>> check_results({"head": {"vars": ["d"]}, "results": []}, "http://x/sparql")
    Traceback (most recent call last):
    ...
    kg.errors.ServerError: http://x/sparql did not answer with SPARQL JSON results: no "results.bindings" list
    """
    if not isinstance(data, dict) or not isinstance(data.get("head"), dict):
        raise _not_results(url, 'no "head" object')
    if "boolean" in data:
        if not isinstance(data["boolean"], bool):
            raise _not_results(url, '"boolean" is not true or false')
        return data["boolean"]
    variables = data["head"].get("vars")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise _not_results(url, '"head.vars" is not a list of names')
    results = data.get("results")
    if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        raise _not_results(url, 'no "results.bindings" list')
    for row in results["bindings"]:
        if not isinstance(row, dict):
            raise _not_results(url, "a binding is not an object")
        for name, term in row.items():
            if (not isinstance(term, dict) or not isinstance(term.get("value"), str)
                    or term.get("type") not in ("uri", "literal", "typed-literal", "bnode", "triple")):
                raise _not_results(url, f"the binding of ?{name} has no type and string value")
            if any(key in term and not isinstance(term[key], str) for key in ("datatype", "xml:lang")):
                raise _not_results(url, f"the binding of ?{name} has a datatype or language that is not a string")
    return variables, results["bindings"]


def count_answer(text: str, url: str, name: str = "n") -> int:
    """The integer ``?n`` of a one-row COUNT answer, after checking it; else a one-line ServerError.

    Examples
    --------
    >>> count_answer('{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", '
    ...              '"value": "10033"}}]}}', "http://x/sparql")
    10033
    """
    rows = select_bindings(text, url)
    if len(rows) != 1 or name not in rows[0]:
        raise ServerError(f"{url} answered a COUNT query with {len(rows)} rows and no ?{name}")
    value = rows[0][name]["value"]
    if not re.fullmatch(r"\+?\d+", value.strip()):
        raise ServerError(f"{url} answered a COUNT query with {value[:40]!r}, not a count")
    return int(value)

