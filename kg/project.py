"""Where a project's curated inputs and its state live: one :class:`Project` object.

A project is a folder holding ``ontology/``, ``data/`` and ``queries/`` (the
curated inputs) and the state built from them (``dist/``, the build; ``store/``,
the persistent graph store with its imports). :meth:`Project.discover` finds it,
in this order:

1. ``$KG_HOME``, if set (initialised from the packaged inputs if it has none);
2. the working directory or one of its parents, if it holds ``ontology/kg.ttl``;
3. the source checkout the ``kg`` package sits in (an editable install);
4. a per-user data folder, ``$XDG_DATA_HOME/dmkg`` (``~/.local/share/dmkg``),
   initialised from the copy packaged in the wheel on first use.

So nothing is ever written inside ``site-packages``. ``$KG_DIST`` and
``$KG_STORE`` move the build and the store elsewhere.

Functions that need a project take ``project=None`` and call
:meth:`Project.discover` once; there is no module-level state.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from kg.errors import FileError, file_error

PACKAGE = Path(__file__).resolve().parent
_BUNDLED = PACKAGE / "_bundled"
INPUT_FOLDERS = ("ontology", "data", "queries")


def _is_project(path: Path) -> bool:
    return (path / "ontology" / "kg.ttl").is_file() and (path / "data").is_dir()


@dataclass(frozen=True)
class Project:
    """A project folder: curated inputs and the state built from them.

    Examples
    --------
    >>> p = Project.discover()
    >>> sorted(x.name for x in (p.ontology, p.data, p.queries))
    ['data', 'ontology', 'queries']
    """

    root: Path
    dist_dir: Path | None = None
    store_override: Path | None = None

    # -- inputs ---------------------------------------------------------------
    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def sources(self) -> Path:
        """Where curated source files (one per publication) live."""
        return self.data / "sources"

    def input_files(self) -> list[Path]:
        """Every curated file the build reads, in a stable order."""
        files = sorted(self.ontology.glob("*.ttl"))
        files += sorted(p for p in self.data.rglob("*.yaml"))
        files += sorted(self.data.glob("*.tsv"))
        return files

    # -- state ----------------------------------------------------------------
    @property
    def dist(self) -> Path:
        """Folder of the builds (``dist/current`` is the one in use)."""
        if self.dist_dir is not None:
            return self.dist_dir
        if env := os.environ.get("KG_DIST"):
            return Path(env).expanduser().resolve()
        return self.root / "dist"

    @property
    def store(self) -> Path:
        """Folder of the persistent Oxigraph store (curated graph plus imports)."""
        if self.store_override is not None:
            return self.store_override
        if env := os.environ.get("KG_STORE"):
            return Path(env).expanduser().resolve()
        return self.root / "store"

    @property
    def tmp(self) -> Path:
        """A private scratch folder for atomic writes (cleaned of dead writers' leftovers)."""
        return self.dist / ".tmp"

    # -- finding one ----------------------------------------------------------
    @classmethod
    def at(cls, root: Path | str, **kwargs) -> Project:
        """The project in folder ``root`` (which must hold ``ontology/kg.ttl`` and ``data/``)."""
        root = Path(root).expanduser().resolve()
        if not _is_project(root):
            raise FileError(f"{root} is not a kg project: it has no ontology/kg.ttl and data/ folder")
        return cls(root=root, **kwargs)

    @classmethod
    def discover(cls, start: Path | str | None = None) -> Project:
        """The project to work in (see the module docstring for the order)."""
        if env := os.environ.get("KG_HOME"):
            home = Path(env).expanduser().resolve()
            if not _is_project(home):
                initialise(home)
            return cls(root=home)
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if _is_project(folder):
                return cls(root=folder)
        if _is_project(PACKAGE.parent):
            return cls(root=PACKAGE.parent)
        home = user_data_home()
        if not _is_project(home):
            initialise(home)
        return cls(root=home)


def user_data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser().resolve() / "dmkg"


def packaged_inputs() -> Path:
    """The folder holding the inputs this installation ships (a checkout or the wheel's copy)."""
    for candidate in (PACKAGE.parent, _BUNDLED):
        if _is_project(candidate):
            return candidate
    raise FileError("this installation of kg ships no ontology/ and data/ (a broken install?)")


def initialise(home: Path) -> None:
    """Copy the packaged inputs into ``home`` (a new project folder), without overwriting anything."""
    source = packaged_inputs()
    try:
        home.mkdir(parents=True, exist_ok=True)
        for folder in INPUT_FOLDERS:
            if not (home / folder).exists():
                shutil.copytree(source / folder, home / folder)
    except OSError as exc:
        raise file_error(home, exc, "create the project folder") from exc
