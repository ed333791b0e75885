"""Generations of the on-disk store: readers only ever open a store nobody writes.

pyoxigraph's ``Store(path)`` takes RocksDB's lock (one read-write process at a
time) and ``Store.read_only(path)`` takes none, but reading a store that another
process is writing is undefined behaviour. So the store folder holds numbered
*generations*, each a complete pyoxigraph store that is never written again once
published::

    store/
      current -> generations/000007       symbolic link, switched in one atomic rename
      generations/000007/                 a published store (read-only from now on)
      generations/000007.json             its "published" marker
      generations/000007.lock             readers hold a shared flock on it while they read
      generations/000008/                 a writer's next generation: no marker yet
      write.lock                          one writer at a time (exclusive flock)

A writer (:func:`writing`) takes ``write.lock``, checkpoints the current
generation into the next folder (``Store.backup``: hard links, milliseconds, even
for millions of triples), changes that copy as it likes (bulk loads are not
transactional, and need not be: nobody sees the copy), closes it, and publishes
it by writing its marker and switching ``current``. A writer that fails or is
killed (``kill -9``) at any point leaves ``current`` as it was; its unpublished
folder is removed by the next writer. Generations that are no longer current are
removed once no reader holds their lock.

Readers (:func:`reading`) follow ``current``, take the shared lock, check the
marker is still there (else the generation was just pruned: they follow
``current`` again) and open the folder with ``Store.read_only``. Any number of
readers, a ``kg serve`` among them, run beside one writer; each keeps the
generation it opened until it closes it.

Locks use ``fcntl.flock`` (Linux, macOS). Where it is missing the store still
works, without protection against concurrent writers.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from kg.errors import FileError, KGError, file_error
from kg.files import swap_symlink, write_atomic

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None  # type: ignore[assignment]

#: How long a writer waits for another writer to finish before giving up.
WRITE_WAIT_S = 600.0


def _generations(root: Path) -> Path:
    return root / "generations"


def _number(path: Path) -> int | None:
    return int(path.name) if path.name.isdigit() else None


def current_path(root: Path) -> Path | None:
    """The folder of the current generation, or None when the store has none yet."""
    link = root / "current"
    try:
        target = (root / os.readlink(link)).resolve()
    except OSError:
        return None
    return target if (target.parent / f"{target.name}.json").is_file() else None


def _flock(fd: int, shared: bool, wait: bool) -> bool:
    if fcntl is None:
        return True
    flags = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
    try:
        fcntl.flock(fd, flags)
    except BlockingIOError:
        return False
    return True


@dataclass
class Generation:
    """One published generation opened read-only; hold it (or use ``with``) while you read."""

    path: Path
    store: Any  # pyoxigraph.Store, opened read-only
    marker: dict
    _lock_fd: int | None = field(default=None, repr=False)

    @property
    def number(self) -> int:
        return int(self.path.name)

    def close(self) -> None:
        """Drop the store and release the reader's lock (the generation may then be pruned)."""
        self.store = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def lock_shared(path: Path) -> int | None:
    """A shared flock on the lock file beside ``path`` (a generation or served copy), or None if it is gone."""
    try:
        fd = os.open(path.parent / f"{path.name}.lock", os.O_RDONLY)
    except FileNotFoundError:
        return None
    _flock(fd, shared=True, wait=True)
    if not (path.parent / f"{path.name}.json").is_file():
        os.close(fd)
        return None
    return fd


def reading(root: Path) -> Generation | None:
    """The current generation, opened read-only and locked against pruning; None if there is none."""
    import pyoxigraph

    for _ in range(20):
        path = current_path(root)
        if path is None:
            return None
        fd = lock_shared(path)
        if fd is None:  # pruned between reading the link and locking it: follow the link again
            continue
        try:
            marker = json.loads((path.parent / f"{path.name}.json").read_text(encoding="utf-8"))
            store = pyoxigraph.Store.read_only(str(path))
        except (OSError, ValueError) as exc:
            os.close(fd)
            raise FileError(f"cannot open the graph store {path}: {' '.join(str(exc).split())}") from exc
        return Generation(path=path, store=store, marker=marker, _lock_fd=fd)
    raise FileError(f"the graph store {root} keeps changing under this reader; try again")


@dataclass
class Writer:
    """The next generation while it is being written: ``store`` is a read-write pyoxigraph Store."""

    root: Path
    path: Path
    base: Path | None
    store: Any
    marker: dict = field(default_factory=dict)
    discard: bool = False  # set inside the block to drop the new generation instead of publishing it


def _write_lock(root: Path, wait_s: float) -> int:
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / "write.lock", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise file_error(root, exc, "create the graph store in") from exc
    deadline = time.monotonic() + wait_s
    while not _flock(fd, shared=False, wait=False):
        if time.monotonic() > deadline:
            os.close(fd)
            raise KGError(f"another kg command has been writing the graph store {root} for {wait_s:.0f} s; "
                          f"wait for it to finish (or stop it) and try again")
        time.sleep(0.1)
    return fd


@contextlib.contextmanager
def writing(root: Path, copy: bool = True, wait_s: float = WRITE_WAIT_S) -> Iterator[Writer]:
    """Write the next generation; it is published when the block ends without an exception.

    With ``copy`` the new generation starts as a checkpoint of the current one,
    else empty. ``writer.marker`` is saved as the generation's marker (JSON).
    Inside the block, ``writer.base`` is the generation copied (or None).
    """
    import pyoxigraph

    fd = _write_lock(root, wait_s)
    try:
        folder = _generations(root)
        folder.mkdir(parents=True, exist_ok=True)
        _remove_unpublished(folder)
        base = current_path(root)
        numbers = [n for p in folder.iterdir() if (n := _number(p)) is not None]
        target = folder / f"{max(numbers, default=0) + 1:06d}"
        try:
            if copy and base is not None:
                pyoxigraph.Store.read_only(str(base)).backup(str(target))
            writer = Writer(root=root, path=target, base=base if copy else None, store=pyoxigraph.Store(str(target)))
        except OSError as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise FileError(f"cannot start a new generation of the graph store in {folder}: "
                            f"{' '.join(str(exc).split())}") from exc
        try:
            yield writer
            if not writer.discard:
                writer.store.flush()
        except BaseException as exc:
            writer.store = None
            _release_frames(exc)
            gc.collect()
            shutil.rmtree(target, ignore_errors=True)
            raise
        writer.store = None
        if writer.discard:
            gc.collect()
            shutil.rmtree(target, ignore_errors=True)
            return
        _check_closed(target)
        (folder / f"{target.name}.lock").touch()
        write_atomic(folder / f"{target.name}.json",
                     json.dumps({**writer.marker, "published_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
                                indent=2, sort_keys=True).encode())
        swap_symlink(root / "current", target)
        prune(root)
    finally:
        os.close(fd)


def _release_frames(exc: BaseException | None) -> None:
    """Clear the locals of the finished frames ``exc`` (and the exceptions it chains) keeps alive.

    A frame of the failed write may still name the new generation's store; until that store is freed,
    pyoxigraph keeps writing into its folder, so removing the folder would not be the end of it.
    """
    import traceback

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__context__


def _check_closed(path: Path) -> None:
    """Make sure this process no longer holds the store at ``path`` open (a reader must never meet a writer).

    Usually dropping the writer's reference has already closed it; only when a reference cycle (an rdflib
    view, a traceback) still holds it does a full garbage collection run, which costs time in a big process.
    """
    import pyoxigraph

    for attempt in range(2):
        try:
            probe = pyoxigraph.Store(str(path))
            break
        except OSError as exc:
            if attempt:
                raise KGError(f"internal error: the new generation {path} is still open in this process: "
                              f"{exc}") from exc
            gc.collect()
    probe.flush()
    del probe


def _remove_unpublished(folder: Path) -> None:
    """Remove generations a dead writer left (no marker). Called under the write lock."""
    for path in folder.iterdir():
        if _number(path) is not None and path.is_dir() and not (folder / f"{path.name}.json").exists():
            shutil.rmtree(path, ignore_errors=True)


def remove_locked(path: Path) -> bool:
    """Remove a published folder (and its marker and lock) if no reader holds it; True if removed."""
    lock = path.parent / f"{path.name}.lock"
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        fd = None
    try:
        if fd is not None and not _flock(fd, shared=False, wait=False):
            return False
        (path.parent / f"{path.name}.json").unlink(missing_ok=True)  # readers that lock next see it gone
        shutil.rmtree(path, ignore_errors=True)
        lock.unlink(missing_ok=True)
        return True
    finally:
        if fd is not None:
            os.close(fd)


def prune(root: Path) -> None:
    """Remove every generation but the current one that no reader holds."""
    keep = current_path(root)
    folder = _generations(root)
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if _number(path) is not None and path.is_dir() and path != keep and (folder / f"{path.name}.json").exists():
            remove_locked(path)
