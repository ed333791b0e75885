"""Shared fixtures: the built graph is built once per session (cached in dist/)."""

from __future__ import annotations

import pytest

from kg.build import ensure_built


@pytest.fixture(scope="session")
def built():
    """The current build of the curated inputs (built on first use, then reused)."""
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
