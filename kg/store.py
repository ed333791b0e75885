"""The persistent graph store: the curated graph and every imported graph, on disk, in Oxigraph.

The store lives in ``Project.store`` (``<project>/store``; ``$KG_STORE`` or
``--store-dir`` move it). It is a pyoxigraph store whose named graphs are

* ``https://w3id.org/dmkg/graph/curated`` - the current build (``dist/current/kg.nt``);
* ``https://w3id.org/dmkg/graph/import/NAME`` - one per ``kg import`` (:mod:`kg.graph_import`);
* ``https://w3id.org/dmkg/graph/meta`` - one provenance record per graph (``kg graphs``).

:func:`open_store` returns a read-only :class:`Snapshot` of it, first
reloading the curated graph if the build changed (only that graph is
reloaded). Queries run on a *dataset* chosen by name: ``"all"`` (the default:
curated plus every import, their union as the default graph and each as a
named graph for ``GRAPH`` queries), ``"curated"``, an import's name, a
comma-separated list of those, or ``"meta"``. Writes go through
:mod:`kg.generations`, so readers (a running ``kg serve`` among them) never see
a half-written store and a failed write leaves the store exactly as before.

``load_graph()`` stays the entry point for code that wants rdflib's API: a view
of the chosen graphs over the store (nothing is parsed; a small dataset such as
the curated graph is read from an in-memory copy, 4-5x faster to query), or
with ``store="memory"`` a copy in rdflib's own in-memory store.

Examples
--------
>>> snapshot = open_store()
>>> [g.name for g in snapshot.infos()][:1]
['curated']
>>> bool(snapshot.query("ASK { ?s a <https://w3id.org/dmkg/Drug> }", graph="curated"))
True
>>> snapshot.close()
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

from rdflib import BNode, Graph, Literal, URIRef

from kg.errors import FormatError, UnknownNameError
from kg.project import Project

STORES = ("oxigraph", "memory")
DEFAULT_STORE = "oxigraph"

GRAPH_BASE = "https://w3id.org/dmkg/graph/"
CURATED = GRAPH_BASE + "curated"
IMPORT_BASE = GRAPH_BASE + "import/"
META = GRAPH_BASE + "meta"
#: Properties of the provenance records (beside VoID, DCAT and Dublin Core terms).
STORE_NS = "https://w3id.org/dmkg/store/"
RECORD = STORE_NS + "record"          # the whole GraphInfo as JSON
_VOID = "http://rdfs.org/ns/void#"
_DCT = "http://purl.org/dc/terms/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Selectors that are not import names.
RESERVED_NAMES = ("all", "curated", "meta")
#: A dataset up to this many triples is copied into memory for querying once a snapshot asks it a
#: second query: Oxigraph's on-disk (RocksDB) backend answers queries 2-5x slower than its in-memory
#: one, but copying the curated graph (15k triples) takes 0.1-0.2 s, more than any saved query takes
#: on disk (the slowest 0.09 s), so a one-query command (``kg query NAME``) stays on disk.
#: Bigger datasets are always queried on disk.
IN_MEMORY_LIMIT = 50_000


@dataclass(frozen=True)
class GraphInfo:
    """One graph of the store and its provenance (what ``kg graphs`` lists)."""

    name: str
    iri: str
    kind: str                         # "curated" | "import"
    triples: int
    nodes: int | None = None
    edges: int | None = None
    format: str | None = None
    files: tuple[dict, ...] = ()      # {"name", "size", "sha256"} per source file
    imported_at: str | None = None
    version: str | None = None        # kg's version when it was loaded
    title: str | None = None
    license: str | None = None
    build_id: str | None = None       # the curated graph's build
    unmapped: dict = field(default_factory=dict)  # CURIE prefix -> identifiers given fallback IRIs
    notes: tuple[str, ...] = ()
    joins: dict = field(default_factory=dict)     # prefix -> imported nodes linked to a curated entity (kg.joins)
    candidates: tuple[dict, ...] = ()             # label matches without a shared identifier (first 50)
    candidate_count: int = 0
    signed: dict = field(default_factory=dict)    # predicate -> edges the analyses walk (kg.external)
    unsigned: dict = field(default_factory=dict)  # predicate -> edges kept without a sign

    @property
    def source(self) -> str | None:
        return ", ".join(f["name"] for f in self.files) or None

    @property
    def size(self) -> int | None:
        return sum(f["size"] for f in self.files) if self.files else None

    @property
    def sha256(self) -> str | None:
        return self.files[0]["sha256"] if len(self.files) == 1 else None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["files"] = list(self.files)
        data["notes"] = list(self.notes)
        data["candidates"] = list(self.candidates)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> GraphInfo:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["files"] = tuple(known.get("files") or ())
        known["notes"] = tuple(known.get("notes") or ())
        known["candidates"] = tuple(known.get("candidates") or ())
        return cls(**known)


# ---------------------------------------------------------------------------
# Provenance records (the meta graph)
# ---------------------------------------------------------------------------

def _nt_literal(value: Any) -> str:
    import pyoxigraph as ox

    if isinstance(value, bool):
        return str(ox.Literal(str(value).lower(), datatype=ox.NamedNode(_XSD + "boolean")))
    if isinstance(value, int):
        return str(ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer")))
    return str(ox.Literal(str(value)))


def record_ntriples(info: GraphInfo) -> str:
    """The provenance record of ``info`` as N-Triples (the JSON record plus VoID/Dublin Core triples)."""
    g = f"<{info.iri}>"
    lines = [f"{g} <{RECORD}> {_nt_literal(json.dumps(info.to_dict(), sort_keys=True))} .",
             f"{g} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{_VOID}Dataset> .",
             f"{g} <{_DCT}identifier> {_nt_literal(info.name)} .",
             f"{g} <{_VOID}triples> {_nt_literal(info.triples)} ."]
    optional = [(f"{_VOID}entities", info.nodes), (f"{STORE_NS}edges", info.edges), (f"{_DCT}format", info.format),
                (f"{_DCT}created", info.imported_at), (f"{STORE_NS}kgVersion", info.version),
                (f"{_DCT}title", info.title), (f"{_DCT}license", info.license), (f"{STORE_NS}buildId", info.build_id)]
    lines += [f"{g} <{p}> {_nt_literal(v)} ." for p, v in optional if v is not None]
    for i, f in enumerate(info.files, 1):
        node = f"<{info.iri}/source/{i}>"
        lines += [f"{g} <{_DCT}source> {node} .", f"{node} <{_DCT}title> {_nt_literal(f['name'])} .",
                  f"{node} <http://www.w3.org/ns/dcat#byteSize> {_nt_literal(f['size'])} .",
                  f"{node} <{STORE_NS}sha256> {_nt_literal(f['sha256'])} ."]
    return "\n".join(lines) + "\n"


def write_record(store, info: GraphInfo) -> None:
    """Replace the provenance record of ``info.iri`` in a writable pyoxigraph store."""
    import pyoxigraph as ox

    delete_record(store, info.iri)
    store.load(input=record_ntriples(info).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(META))


def delete_record(store, iri: str) -> None:
    """Remove the provenance record of graph ``iri`` (its own triples and those of its source files)."""
    import pyoxigraph as ox

    mine = (iri, iri + "/source/")
    old = [q for q in store.quads_for_pattern(None, None, None, ox.NamedNode(META))
           if q.subject.value == mine[0] or q.subject.value.startswith(mine[1])]
    for quad in old:
        store.remove(quad)


def read_records(store) -> dict[str, GraphInfo]:
    """Every provenance record in a pyoxigraph store, by graph name (curated first, then imports by name)."""
    import pyoxigraph as ox

    found = [GraphInfo.from_dict(json.loads(q.object.value))
             for q in store.quads_for_pattern(None, ox.NamedNode(RECORD), None, ox.NamedNode(META))]
    found.sort(key=lambda i: (i.kind != "curated", i.name))
    return {i.name: i for i in found}


# ---------------------------------------------------------------------------
# Reading: snapshots
# ---------------------------------------------------------------------------

class Snapshot:
    """A read-only view of one published generation of the store. ``close()`` it (or use ``with``)."""

    def __init__(self, generation, project: Project | None = None) -> None:
        self._generation = generation
        self.project = project
        self._names = None
        self.path: Path = generation.path
        self.store = generation.store            # pyoxigraph.Store, read-only
        self.graphs: dict[str, GraphInfo] = read_records(self.store)
        self._copies: dict[tuple[str, ...], Any] = {}
        self._asked: set[tuple[str, ...]] = set()   # datasets queried once on disk (copied when asked again)

    def infos(self) -> list[GraphInfo]:
        return list(self.graphs.values())

    def select(self, graph: str | list[str] | None = "all") -> list[str]:
        """IRIs of the graphs a selector names: "all", "curated", "meta", an import name, or a list of them."""
        names = graph.split(",") if isinstance(graph, str) else list(graph or ["all"])
        iris: list[str] = []
        for raw in names:
            name = raw.strip()
            if name == "all":
                chosen = [i.iri for i in self.graphs.values()]
            elif name == "meta":
                chosen = [META]
            elif name in self.graphs:
                chosen = [self.graphs[name].iri]
            else:
                raise UnknownNameError("graph", name, [*self.graphs, "all", "meta"],
                                       hint="; `kg graphs` lists the graphs of the store")
            iris += [i for i in chosen if i not in iris]
        return iris

    def query(self, text: str, graph: str | list[str] | None = "all"):
        """Evaluate SPARQL ``text`` with pyoxigraph on the dataset ``graph`` names (union as default graph)."""
        import pyoxigraph as ox

        iris = self.select(graph)
        nodes = [ox.NamedNode(i) for i in iris]
        key = tuple(sorted(iris))
        store = self.backend(iris) if key in self._asked else self.store
        self._asked.add(key)
        return store.query(text, default_graph=nodes, named_graphs=nodes)

    def backend(self, iris: list[str], private: bool = False):
        """The pyoxigraph store to read ``iris`` from: this snapshot (read-only), or for a small dataset an
        in-memory copy (see :data:`IN_MEMORY_LIMIT`), shared by this snapshot's queries unless ``private``."""
        import pyoxigraph as ox

        sizes = {i.iri: i.triples for i in self.graphs.values()}
        if sum(sizes[i] if i in sizes else self.count(i) for i in iris) > IN_MEMORY_LIMIT:
            return self.store
        key = tuple(sorted(iris))
        if private or key not in self._copies:
            copy = ox.Store()
            for iri in key:
                copy.extend(self.store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
            if private:
                return copy
            self._copies[key] = copy
        return self._copies[key]

    def rdflib_graph(self, graph: str | list[str] | None = "curated") -> Graph:
        """An rdflib Graph over the chosen graphs of this snapshot.

        Over the store itself (read-only) for big datasets; a small one is read from a private
        in-memory copy, which its caller may change without touching anyone else's graph.
        """
        from kg.namespaces import bind_prefixes

        iris = self.select(graph)
        view = _view_store(self, iris, self.backend(iris, private=True))
        identifier = URIRef(iris[0]) if len(iris) == 1 else BNode()
        result = StoreGraph(store=view, identifier=identifier)
        result.snapshot = self
        bind_prefixes(result)
        return result

    def names(self):
        """The curated graph's :class:`kg.lookup.NameIndex`: the build's pickled index, else built from the graph."""
        if self._names is None:
            info = self.graphs.get("curated")
            if info is not None and info.build_id and self.project is not None:
                from kg.build import _builds, read_names

                self._names = read_names(_builds(self.project) / info.build_id)
            if self._names is None:
                from kg.lookup import NameIndex

                self._names = NameIndex.of(self.rdflib_graph("curated"))
        return self._names

    def count(self, iri: str) -> int:
        """Triples in one graph of the store."""
        return int(next(iter(self.store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")))[0].value)

    def close(self) -> None:
        self.store = None
        self._copies.clear()
        self._asked.clear()
        self._generation.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class StoreGraph(Graph):
    """An rdflib Graph over graphs of the store; equal only to itself (its identifier is shared by every view)."""

    snapshot: Snapshot | None = None

    __hash__ = object.__hash__

    def __eq__(self, other) -> bool:
        return self is other


@functools.lru_cache(maxsize=1)
def _view_store_class():
    from oxrdflib import OxigraphStore

    class ViewStore(OxigraphStore):
        """oxrdflib's store restricted to a list of named graphs of a snapshot (their union)."""

        def __init__(self, snapshot: Snapshot, iris: list[str], backend) -> None:
            super().__init__(store=backend)
            self._iris = iris
            self.snapshot = snapshot  # keeps the generation open (and locked) while the view lives

        def query(self, query, initNs, initBindings, queryGraph, **kwargs):
            import pyoxigraph as ox

            if len(self._iris) == 1:
                return super().query(query, initNs, initBindings, queryGraph, **kwargs)
            from rdflib.query import Result
            from rdflib.term import Variable

            nodes = [ox.NamedNode(i) for i in self._iris]
            result = self._inner.query(query, default_graph=nodes, named_graphs=nodes,
                                       prefixes=dict(self._namespace_for_prefix, **initNs))
            if isinstance(result, ox.QueryBoolean):
                out = Result("ASK")
                out.askAnswer = bool(result)
                return out
            out = Result("SELECT")
            out.vars = [Variable(v.value) for v in result.variables]
            out.bindings = ({v: to_rdflib(t) for v, t in zip(out.vars, row)} for row in result)
            return out

        def triples(self, triple_pattern, context=None):
            if len(self._iris) == 1:
                return super().triples(triple_pattern, context)
            each = super().triples  # (super() does not work inside the generator expression)
            return (t for iri in self._iris for t in each(triple_pattern, Graph(identifier=URIRef(iri))))

        def __len__(self, context=None) -> int:
            import pyoxigraph as ox

            nodes = [ox.NamedNode(i) for i in self._iris]
            query = "SELECT (COUNT(*) AS ?c) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
            return int(next(iter(self._inner.query(query, default_graph=nodes)))[0].value)

    return ViewStore


def _view_store(snapshot: Snapshot, iris: list[str], backend):
    return _view_store_class()(snapshot, iris, backend)


def to_rdflib(term):
    """A pyoxigraph term as an rdflib term (None stays None)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise FormatError(f"unsupported RDF term {term!r} (RDF-star triple terms are not supported)")


def open_store(project: Project | None = None, *, sync: bool = True) -> Snapshot:
    """The store, read-only; with ``sync`` (the default) its curated graph is first made the current build's.

    Builds the graph first when ``dist/`` is stale, as every read command does.
    """
    from kg import generations

    project = project or Project.discover()
    build = None
    if sync:
        from kg.build import ensure_built

        build = ensure_built(project)
    generation = generations.reading(project.store)
    if generation is not None:
        snapshot = Snapshot(generation, project)
        curated = snapshot.graphs.get("curated")
        if build is None or (curated is not None and curated.build_id == build.build_id):
            return snapshot
        snapshot.close()
    if build is None:
        from kg.build import ensure_built

        build = ensure_built(project)
    sync_curated(project, build)
    generation = generations.reading(project.store)
    if generation is None:
        raise FormatError(f"the graph store {project.store} has no published generation after loading the build")
    return Snapshot(generation, project)


def sync_curated(project: Project, build) -> None:
    """Make the store's curated graph the build ``build`` (reloading only that graph)."""
    import pyoxigraph as ox

    from kg import generations
    from kg.build import _version

    with generations.writing(project.store) as writer:
        records = read_records(writer.store)
        old = records.get("curated")
        if old is not None and old.build_id == build.build_id:  # another process did it meanwhile
            writer.discard = True
            return
        if old is not None:
            drop_graph(writer.store, CURATED, old.triples)
        load_rdf(writer.store, build.ntriples, ox.RdfFormat.N_TRIPLES, CURATED)
        size = build.ntriples.stat().st_size
        info = GraphInfo(name="curated", iri=CURATED, kind="curated", triples=count_graph(writer.store, CURATED),
                         nodes=build.report.get("entities"), format="ntriples",
                         files=({"name": f"dist/builds/{build.build_id}/kg.nt", "size": size,
                                 "sha256": build.report.get("files", {}).get("kg.nt", "")},),
                         imported_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), version=_version(),
                         title="Dermatomyositis / psoriasis drug-mechanism knowledge graph (curated build)",
                         build_id=build.build_id)
        write_record(writer.store, info)
        writer.marker = {"change": f"curated graph: build {build.build_id}"}


def load_rdf(store, source, fmt, graph: str) -> None:
    """Load an RDF file or binary stream into ``graph`` of a writable store (bulk loader above 4 MB)."""
    import pyoxigraph as ox

    target = ox.NamedNode(graph)
    if isinstance(source, Path):
        if source.stat().st_size < 4_000_000:
            store.load(path=str(source), format=fmt, to_graph=target)
        else:
            store.bulk_load(path=str(source), format=fmt, to_graph=target)
    else:
        store.bulk_load(source, format=fmt, to_graph=target)


def count_graph(store, iri: str) -> int:
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")))[0].value)


def drop_graph(store, iri: str, triples: int, batch: int = 100_000) -> None:
    """Remove a named graph from a writable store.

    pyoxigraph's ``remove_graph`` is one transaction whose cost grows faster than
    the graph (measured: 10k triples 0.1 s, 1M triples 71 s and 600 MB). The
    writer works on an unpublished generation, so atomicity is not needed here:
    big graphs are deleted in batches of ``batch`` triples.
    """
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    if triples <= batch:
        store.remove_graph(node)
        return
    delete = (f"DELETE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} WHERE {{ SELECT ?s ?p ?o "
              f"{{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT {batch} }}")
    while next(iter(store.quads_for_pattern(None, None, None, node)), None) is not None:
        store.update(delete)
    store.remove_graph(node)


def list_graphs(project: Project | None = None) -> list[GraphInfo]:
    """The curated graph and every import, with counts and provenance."""
    with open_store(project) as snapshot:
        return snapshot.infos()


# ---------------------------------------------------------------------------
# Streaming graphs out (for kg push)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class GraphStream:
    """One named graph to send: its IRI, a callable yielding N-Triples chunks, and its triple count."""

    iri: str | None
    chunks: Callable[[], Iterator[bytes]]
    triples: int


def iter_graph_chunks(project: Project | None = None, graph: str | list[str] = "all", *,
                      chunk_triples: int = 50_000, meta: bool = True) -> list[GraphStream]:
    """Every chosen graph (and, with ``meta``, the provenance graph) as streams of bounded N-Triples chunks.

    Each chunk holds at most ``chunk_triples`` whole lines. Blank node labels are
    the store's and stable within one graph's stream: send a graph's chunks in
    one request (or skolemise) to keep its blank nodes joined. The streams read
    one snapshot of the store, held open as long as any of them is referenced.

    Examples
    --------
    >>> streams = iter_graph_chunks(graph="curated", meta=False)
    >>> [(s.iri, s.triples > 0) for s in streams]
    [('https://w3id.org/dmkg/graph/curated', True)]
    >>> sum(chunk.count(b"\\n") for chunk in streams[0].chunks()) == streams[0].triples
    True
    """
    snapshot = open_store(project)
    iris = snapshot.select(graph) + ([META] if meta else [])
    counts = {i.iri: i.triples for i in snapshot.infos()}
    return [GraphStream(iri=iri, chunks=lambda iri=iri: _chunks(snapshot, iri, chunk_triples),
                        triples=counts[iri] if iri in counts else snapshot.count(iri)) for iri in iris]


def _chunks(snapshot: Snapshot, iri: str, size: int) -> Iterator[bytes]:
    import pyoxigraph as ox

    lines: list[str] = []
    for quad in snapshot.store.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
        lines.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
        if len(lines) >= size:
            yield "".join(lines).encode("utf-8")
            lines = []
    if lines:
        yield "".join(lines).encode("utf-8")


# ---------------------------------------------------------------------------
# rdflib's API
# ---------------------------------------------------------------------------

def load_graph(path: Path | None = None, store: str = DEFAULT_STORE, project: Project | None = None,
               graph: str | list[str] = "curated") -> Graph:
    """The chosen graphs as an rdflib Graph.

    Without ``path``: with ``store="oxigraph"`` a view over the persistent store
    (nothing parsed; the store's generation stays open as long as the Graph),
    with ``store="memory"`` a copy in rdflib's memory store. With ``path``: that
    N-Triples or Turtle file parsed into a fresh graph of the chosen store.
    """
    if store not in STORES:
        raise FormatError(f"unknown store {store!r}; choose one of {', '.join(STORES)}")
    from kg.namespaces import bind_prefixes

    if path is None and store == "oxigraph":
        return open_store(project).rdflib_graph(graph)
    if path is None and graph == "curated":
        from kg.build import ensure_built

        path = ensure_built(project).ntriples
    if path is None:
        result = Graph()
        with open_store(project) as snapshot:
            for iri in snapshot.select(graph):
                result.parse(data=b"".join(_chunks(snapshot, iri, 100_000)), format="nt")
    else:
        path = Path(path)
        fmt = "nt" if path.suffix == ".nt" else "turtle"
        result = Graph(store="Oxigraph") if store == "oxigraph" else Graph()
        result.parse(path, format=f"ox-{fmt}" if store == "oxigraph" else fmt)
    bind_prefixes(result)
    return result
