"""Run the real KGX validator and transformer on a KGX export, offline.

kgx and the Biolink Model Toolkit download ``biolink-model.yaml``,
``predicate_mapping.yaml`` and a JSON-LD prefix context when they are imported, so
``kgx validate`` fails without a network. :func:`offline_kgx` points them at the
files inside the installed ``biolink-model`` package instead (schema and prefix
map; an empty predicate map, which validation does not use) and adds the
project's own prefixes from ``ontology/context.jsonld`` so ``kg:`` identifiers are
declared. Needs the ``[kgx]`` extra (``pip install 'dmkg[kgx]'``).

* :func:`validate` - kgx's ``Validator`` over ``nodes.tsv``/``edges.tsv``: a dict
  ``{"ERROR": {...}, "WARNING": {...}}`` of messages, as ``kgx validate`` reports them;
* :func:`transform` - kgx's streaming ``Transformer`` from our TSV to another KGX format (``jsonl``, ``nt``),
  row for row (kgx's in-memory mode would merge edges with the same subject, predicate and object).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from kg.errors import FormatError

_READY: dict[str, bool] = {}


def biolink_schema() -> Path:
    """The Biolink Model YAML inside the installed ``biolink-model`` package."""
    try:
        return Path(str(resources.files("biolink_model") / "schema" / "biolink_model.yaml"))
    except ModuleNotFoundError:
        raise FormatError("checking KGX needs the [kgx] extra: pip install 'dmkg[kgx]'") from None


def biolink_prefixes() -> dict[str, str]:
    """Biolink's prefix map (prefix -> IRI stem), from the installed package."""
    path = Path(str(resources.files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json"))
    return json.loads(path.read_text(encoding="utf-8"))


def toolkit():
    """A Biolink Model Toolkit on the installed schema (no network)."""
    offline_kgx()
    from bmt import Toolkit

    return Toolkit()


def offline_kgx(extra_prefixes: dict[str, str] | None = None) -> None:
    """Make bmt and kgx read the installed Biolink Model, never the network (idempotent)."""
    if _READY.get("done"):
        return
    schema = biolink_schema()
    try:
        import bmt.toolkit
    except ModuleNotFoundError:
        raise FormatError("checking KGX needs the [kgx] extra: pip install 'dmkg[kgx]'") from None
    bmt.toolkit.Toolkit.__init__.__defaults__ = (str(schema), {"predicate mappings": []})
    import kgx.config

    prefixes = dict(biolink_prefixes())
    prefixes.update(extra_prefixes or _project_prefixes())
    for name in ("biolink", "monarch_context", "obo_context"):
        kgx.config.jsonld_context_map[name] = prefixes
    _READY["done"] = True


def _project_prefixes() -> dict[str, str]:
    from kg.export.jsonld import published_context
    from kg.project import Project

    ctx = published_context(Project.discover().ontology)["@context"]
    return {k: v for k, v in ctx.items() if isinstance(v, str) and v.startswith("http")}


def _inputs(folder: Path) -> list[str]:
    folder = Path(folder)
    files = [folder / "nodes.tsv", folder / "edges.tsv"]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FormatError(f"not a KGX export folder (missing {', '.join(missing)})")
    return [str(f) for f in files]


def validate(folder: Path) -> dict:
    """kgx's validation report of a KGX TSV folder: ``{level: {error type: {message: [ids]}}}``."""
    inputs = _inputs(folder)
    offline_kgx()
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    Validator.set_biolink_model(None)
    validator = Validator()
    Transformer(stream=True).transform(input_args={"filename": inputs, "format": "tsv"},
                                       output_args={"format": "null"}, inspector=validator)
    return {str(level): {str(kind): {m: sorted(map(str, ids)) for m, ids in messages.items()}
                         for kind, messages in types.items()}
            for level, types in validator.get_errors().items()}


def transform(folder: Path, out: Path, fmt: str = "jsonl") -> list[Path]:
    """Convert a KGX TSV folder with kgx's Transformer; returns the files written."""
    inputs = _inputs(folder)
    offline_kgx()
    from kgx.transformer import Transformer

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    Transformer(stream=True).transform(input_args={"filename": inputs, "format": "tsv"},
                            output_args={"filename": str(out), "format": fmt})
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(out.name))
