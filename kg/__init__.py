"""dmkg: a cited knowledge graph of dermatomyositis, psoriasis and their drugs.

The functions a notebook needs, one import away (each is the function the
matching ``kg`` command calls)::

    import kg
    graph = kg.load_graph()                          # the built graph (built first if stale)
    kg.run_query("cni_type1_ifn", graph=graph)       # a saved query -> QueryResult (.to_dataframe())
    G = kg.project(graph)                            # the networkx projection
    p = kg.explain(G, "tacrolimus", "type I interferon", evidence=kg.clinical_evidence(graph))
    print(kg.reports.explain_text(p))                # what `kg explain` prints
    kg.plots.timeline(kg.clinical_evidence(graph))   # figures (matplotlib, 'dmkg[plots]')

Attributes are imported on first use, so ``import kg`` stays cheap.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

#: public name -> "module:attribute" (or "module" for a submodule)
_API = {
    "Project": "kg.project:Project",
    "build": "kg.build:build",
    "ensure_built": "kg.build:ensure_built",
    "load_graph": "kg.store:load_graph",
    "run_query": "kg.query:run_query",
    "saved_queries": "kg.query:saved_queries",
    "format_result": "kg.query:format_result",
    "resolve": "kg.lookup:resolve",
    "NameIndex": "kg.lookup:NameIndex",
    "project": "kg.network:project",
    "clinical_evidence": "kg.clinical:clinical_evidence",
    "mechanisms": "kg.analysis:mechanisms",
    "explain": "kg.analysis:explain",
    "predict": "kg.analysis:predict",
    "signed_paths": "kg.analysis:signed_paths",
    "concordance": "kg.analysis.concordance:concordance",
    "bridges": "kg.analysis.bridges:bridges",
    "similar": "kg.analysis.similarity:similar",
    "export": "kg.export:export",
    "Effect": "kg.answers:Effect",
    "Basis": "kg.answers:Basis",
    "Answer": "kg.answers:Answer",
    "KGError": "kg.errors:KGError",
    "reports": "kg.reports",
    "render": "kg.render",
    "plots": "kg.plots",
}

__all__ = sorted(_API)


#: API functions that share their name with a submodule and must stay the function: nothing uses
#: these submodules as ``kg.project.X`` / ``kg.export.X`` attributes (they are imported with ``from``).
#: ``kg.build`` is left alone: ``import kg.build; kg.build.swap_symlink = ...`` patches the module.
_FUNCTIONS_OVER_MODULES = frozenset({"project", "export"})


class _Package(types.ModuleType):
    """``kg`` itself: ``kg.project`` and ``kg.export`` stay the functions after their submodules load.

    Importing a submodule binds it on its package, so the first ``import
    kg.project`` anywhere (the store does it) would turn ``kg.project`` into the
    module ``kg/project.py``. This refuses that binding for the names in
    :data:`_FUNCTIONS_OVER_MODULES`; the submodule stays in ``sys.modules``,
    where ``from kg.project import Project`` finds it.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_OVER_MODULES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    target = _API.get(name)
    if target is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    value = getattr(module, attr) if attr else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
