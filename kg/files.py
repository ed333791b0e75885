"""Reading and writing files so that errors are one line and writes are all-or-nothing.

* :func:`read_text` reads a text file as UTF-8; undecodable bytes, a folder or a
  binary file become a :class:`~kg.errors.DataError` naming file, line and byte;
  :func:`parse_turtle` does the same for Turtle and its syntax errors.
* :func:`check_writable` refuses a target that cannot be written before any work is done;
  :func:`write_atomic` replaces one file; :func:`atomic_dir` builds a folder of
  files and renames it into place as one. Temporary files live in a private
  scratch folder (``.tmp`` beside the target unless given) whose leftovers from
  a killed writer are removed by the next writer (:func:`clean_scratch`).
* File-system refusals (permission, not a directory, disk full) become a
  one-line :class:`~kg.errors.FileError` naming the path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.errors import DataError, Problem, file_error

SCRATCH = ".tmp"


def read_text(path: Path, what: str = "file") -> str:
    """The text of a UTF-8 file; a problem reading it is a DataError naming file, line and byte offset."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise DataError([Problem(path, None, f"is a folder, not a {what}", code="data.file")]) from None
    except OSError as exc:
        raise file_error(path, exc, "read") from exc
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError([Problem(path, None, f"is a binary file, not a {what} (UTF-8 text)", code="data.encoding")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = " (it looks like UTF-16; save it as UTF-8)" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        raise DataError([Problem(path, line, f"not valid UTF-8 at byte {exc.start} "
                                             f"(0x{data[exc.start]:02x}){hint}", code="data.encoding")]) from None
    return text.removeprefix("\ufeff")


def parse_turtle(path: Path):
    """A Turtle file as a graph; bad syntax or encoding is a :class:`DataError` naming the file and line."""
    import re

    from rdflib import Graph

    text = read_text(path, "Turtle file")
    try:
        return Graph().parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises BadSyntax and friends, with the line in the message
        line = re.search(r"line (\d+)", str(exc))
        message = " ".join(str(exc).split())
        raise DataError([Problem(path, int(line.group(1)) if line else None, f"Turtle syntax: {message}",
                                 code="data.turtle")]) from exc


def _scratch_for(target: Path, scratch: Path | None) -> Path:
    folder = scratch or target.parent / SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    clean_scratch(folder)
    return folder


def _mkstemp(target: Path, scratch: Path | None, make=tempfile.mkstemp, prefix: str = "w") -> tuple:
    """A new temporary file (or folder, with ``make=tempfile.mkdtemp``) in the scratch folder."""
    for attempt in range(3):
        folder = _scratch_for(target, scratch)
        try:
            return folder, make(prefix=f"{prefix}-{os.getpid()}-", dir=folder)
        except FileNotFoundError:  # another writer removed the empty scratch folder just now
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _tidy(folder: Path, scratch: Path | None) -> None:
    """Remove the scratch folder beside a target once it is empty (an explicit one stays)."""
    if scratch is None:
        with contextlib.suppress(OSError):
            folder.rmdir()


def clean_scratch(folder: Path, min_age_s: float = 3600.0) -> None:
    """Remove leftovers of writers that died (their process is gone, or the entry is an hour old)."""
    import time

    if not folder.is_dir():
        return
    now = time.time()
    for entry in folder.iterdir():
        pid = entry.name.split("-")[1] if entry.name.count("-") >= 2 else ""
        alive = pid.isdigit() and _pid_alive(int(pid))
        try:
            old = now - entry.lstat().st_mtime > min_age_s
        except OSError:
            continue
        if not alive or old:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mode_for(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def check_writable(path: Path, folder: bool = False) -> None:
    """Raise now the :class:`~kg.errors.FileError` writing ``path`` would raise later, before the work.

    Checks what is certain without writing: a part of the path is a file, ``path`` is a folder where a
    file is to be written (``folder=False``), or the nearest existing folder refuses this user.

    Examples
    --------
    >>> check_writable(Path("/etc/passwd/kg.ttl"))
    Traceback (most recent call last):
    ...
    kg.errors.FileError: cannot write /etc/passwd/kg.ttl: a part of the path is a file, not a folder
    """
    import errno

    path = Path(path)
    if not folder and path.is_dir():
        raise file_error(path, IsADirectoryError(errno.EISDIR, "Is a directory"))
    if folder and path.exists() and not path.is_dir():
        raise file_error(path, NotADirectoryError(errno.ENOTDIR, "Not a directory"), "write the folder")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise file_error(path, NotADirectoryError(errno.ENOTDIR, "Not a directory"))
    if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        raise file_error(path, PermissionError(errno.EACCES, "Permission denied"))


def write_atomic(path: Path, data: bytes, scratch: Path | None = None) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "x.txt"
    >>> write_atomic(target, b"hello").read_text()
    'hello'
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        folder, (fd, tmp) = _mkstemp(path, scratch)
    except OSError as exc:
        raise file_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise file_error(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        _tidy(folder, scratch)
    return path


@contextlib.contextmanager
def atomic_dir(target: Path, scratch: Path | None = None, replace: bool = True) -> Iterator[Path]:
    """Build a folder's content in a scratch folder; on success it replaces ``target`` as one rename.

    If the block raises (or the process is killed), ``target`` is left as it was.
    An existing ``target`` is moved aside, the new folder renamed in, and the old
    one removed: a reader sees the old folder or the new one (or, for the instant
    between the two renames, none), never a mix of both.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise file_error(target, NotADirectoryError(20, "Not a directory"), "write the folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        folder, work = _mkstemp(target, scratch, make=tempfile.mkdtemp, prefix="d")
        work = Path(work)
    except OSError as exc:
        raise file_error(target, exc) from exc
    try:
        yield work
        os.chmod(work, 0o777 & ~_umask())
        if target.exists():
            if not replace:
                raise file_error(target, FileExistsError(17, "File exists"), "create")
            old = Path(tempfile.mkdtemp(prefix=f"o-{os.getpid()}-", dir=folder))
            os.rmdir(old)
            os.rename(target, old)
            os.rename(work, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(work, target)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise file_error(target, exc) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        _tidy(folder, scratch)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def swap_symlink(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` in one atomic rename (readers see the old or the new target)."""
    tmp = link.parent / f".{link.name}-{os.getpid()}.new"
    try:
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.relpath(target, link.parent), tmp)
        os.replace(tmp, link)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise file_error(link, exc) from exc
