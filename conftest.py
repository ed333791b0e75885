"""Fixtures shared by tests/ and by the doctests in kg/: the built graph, built once per session (cached in dist/).

Docstring examples that use ``graph`` (the built graph, default store),
``G`` (its networkx projection) or ``evidence`` (its cases and literature,
``kg.clinical.clinical_evidence``) get them here, so their printed answers are
checked against the real graph rather than skipped.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    """Byte-compile the package once, before any test (or xdist worker) starts: the ``kg`` commands the tests
    start would otherwise compile every module they import on every run where ``PYTHONDONTWRITEBYTECODE``
    is set (as on the CI machines), about 0.1-0.3 s each; an installed wheel ships compiled."""
    if hasattr(config, "workerinput"):
        return
    import compileall
    from pathlib import Path

    compileall.compile_dir(str(Path(__file__).parent / "kg"), quiet=1)


@pytest.fixture(scope="session", autouse=True)
def _private_store(tmp_path_factory):
    """Tests (and the commands they start) use a store of their own, never the user's ($KG_STORE)."""
    saved = os.environ.get("KG_STORE")
    os.environ["KG_STORE"] = str(tmp_path_factory.mktemp("store") / "store")
    yield
    if saved is None:
        os.environ.pop("KG_STORE", None)
    else:
        os.environ["KG_STORE"] = saved


@pytest.fixture(scope="session")
def built():
    """The current build of the curated inputs (built on first use, then reused)."""
    from kg.build import ensure_built

    return ensure_built()


@pytest.fixture(scope="session")
def graph(built):
    """The built graph in the default embedded store (Oxigraph via oxrdflib)."""
    from kg.store import load_graph

    return load_graph(built.ntriples, store="oxigraph")


@pytest.fixture(scope="session")
def memory_graph(built):
    """The built graph in rdflib's in-memory store."""
    from kg.store import load_graph

    return load_graph(built.ntriples, store="memory")


@pytest.fixture(scope="session")
def network(graph):
    """The networkx projection of the built graph."""
    from kg.network import project

    return project(graph)


@pytest.fixture(scope="session")
def evidence(graph):
    """The patients, treatment courses and therapy reports of the built graph (kg.clinical)."""
    from kg.clinical import clinical_evidence

    return clinical_evidence(graph)


@pytest.fixture(autouse=True)
def _doctest_graph(request, doctest_namespace):
    """Give doctests that name ``graph``, ``G`` or ``evidence`` the built graph, its projection, its cases."""
    from _pytest.doctest import DoctestItem

    if not isinstance(request.node, DoctestItem):
        return
    source = " ".join(example.source for example in request.node.dtest.examples)
    if "graph" in source or "G" in source:
        doctest_namespace["graph"] = request.getfixturevalue("graph")
        doctest_namespace["G"] = request.getfixturevalue("network")
    if "evidence" in source:
        doctest_namespace["evidence"] = request.getfixturevalue("evidence")


#: Doctests that start a real server or browser belong to the slow tests (they still run in CI).
_SLOW_DOCTEST_WORDS = ("start_server(", "chromium", "sync_playwright")


def pytest_collection_modifyitems(config, items):
    from _pytest.doctest import DoctestItem

    for item in items:
        if isinstance(item, DoctestItem):
            source = " ".join(example.source for example in item.dtest.examples)
            if any(word in source for word in _SLOW_DOCTEST_WORDS):
                item.add_marker(pytest.mark.slow)
