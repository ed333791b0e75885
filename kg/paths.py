"""Where the curated inputs and the built graph live.

In a source checkout (or an editable install) the inputs are the repository's
``ontology/``, ``data/`` and ``queries/``; a wheel carries copies under
``kg/_bundled/``. The built graph goes to ``$KG_DIST`` if set, else ``dist/`` in
the checkout, else a per-user cache directory.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def project_root() -> Path:
    """Directory holding ``ontology/``, ``data/`` and ``queries/``."""
    for candidate in (_PACKAGE.parent, _PACKAGE / "_bundled"):
        if (candidate / "ontology" / "kg.ttl").is_file():
            return candidate
    raise FileNotFoundError("cannot find the ontology/ folder beside the kg package")


def ontology_dir() -> Path:
    return project_root() / "ontology"


def data_dir() -> Path:
    return project_root() / "data"


def queries_dir() -> Path:
    return project_root() / "queries"


def dist_dir() -> Path:
    """Folder of the built graph (created on demand by the build)."""
    if env := os.environ.get("KG_DIST"):
        return Path(env).expanduser().resolve()
    root = project_root()
    if root.name != "_bundled":
        return root / "dist"
    cache_home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache_home / "dmkg" / "dist"


def input_files() -> list[Path]:
    """Every curated file the build reads, in a stable order."""
    files = sorted(ontology_dir().glob("*.ttl"))
    files += sorted(data_dir().rglob("*.yaml"))
    files += sorted(data_dir().glob("*.tsv"))
    return files
