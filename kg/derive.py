"""Effects derived along cited mechanism steps, written into the build so that queries and analyses agree.

The signed-path analysis (:mod:`kg.analysis`) can tell that tacrolimus lowers
IFN-γ although no source says so in one sentence: tacrolimus inhibits
calcineurin, calcineurin activates NF-AT, NF-AT switches on the IFN-γ gene
(source 002). ``kg build`` runs that analysis once for every drug and drug
class and records each conclusion about a molecule, cell or process as a
``kg:DerivedEffect`` record, so that a saved SPARQL query (on any store) gives
the same answer as ``kg explain``:

* ``kg:effectOf`` the drug, ``kg:effectOn`` the target, ``kg:effectValue`` one of
  ``kg:effect_lowers``, ``kg:effect_raises``, ``kg:effect_spares``,
  ``kg:effect_conflicting`` (each with its ``kg:sign``);
* ``kg:pathLength`` (steps of the shortest chain), ``kg:pathCount``,
  ``kg:pathText`` (the chain in words), ``kg:restsOnHypothesis``;
* ``kg:citation`` every publication behind the steps, ``kg:evidenceType``
  ``kg:path_inference`` and ``kg:locator`` the number of steps (each step's own
  locator stays on its axiom; ``kg explain`` lists them), and
  ``kg:inferredBy kg:signedPaths`` marking it as computed, like HermiT's output.

Only conclusions reached exclusively through chains of two or more steps are
recorded: a one-step claim is the drug's own statement (or its class's), which
the graph already holds as an asserted, cited triple.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.namespaces import KG

EFFECT_VALUES = {"lowers": KG.effect_lowers, "raises": KG.effect_raises, "spares": KG.effect_spares,
                 "conflicting": KG.effect_conflicting}


def _iri(curie: str) -> URIRef:
    return URIRef(str(KG) + curie[3:]) if curie.startswith("kg:") else URIRef(curie)


def derive_effects(graph: Graph, max_length: int = 4) -> Graph:
    """The ``kg:DerivedEffect`` records of every drug and drug class in ``graph`` (a new graph)."""
    from kg.analysis.paths import answer_of_paths, mechanism_profile, mechanisms
    from kg.network import is_condition, project

    index = mechanisms(project(graph))
    H = index.H
    out = Graph()
    drugs = sorted(n for n, d in H.nodes(data=True) if d.get("kind") in ("Drug", "DrugClass"))
    for drug in drugs:
        profile = mechanism_profile(index, drug, max_length)
        for node, paths in sorted(profile.paths.items()):
            if is_condition(H.nodes[node]) or any(p.length == 1 for p in paths):
                continue
            labels = {n: H.nodes[n].get("label", n) for p in paths for n in p.nodes}
            answer = answer_of_paths(paths, condition=False, labels=labels)
            value = EFFECT_VALUES.get(answer.effect.value)
            if value is None:
                continue
            counted = [p for p in paths if p.counted]
            shortest = min(counted, key=lambda p: (p.length, -p.weight, p.nodes))
            _record(out, graph, drug, node, value, answer, shortest.sentence(labels), len(counted))
    return out


def _record(out: Graph, graph: Graph, drug: str, node: str, value: URIRef, answer, words: str, count: int) -> None:
    digest = hashlib.sha1(f"{drug}|{node}".encode()).hexdigest()[:12]
    rec = KG[f"derived_{drug.removeprefix('kg:')}_{digest}"]
    label = f"{answer.effect} {node.removeprefix('kg:').replace('_', ' ')} (derived for {drug.removeprefix('kg:')})"
    out.add((rec, RDF.type, OWL.NamedIndividual))
    out.add((rec, RDF.type, KG.DerivedEffect))
    out.add((rec, RDFS.label, Literal(label)))
    out.add((rec, KG.effectOf, _iri(drug)))
    out.add((rec, KG.effectOn, _iri(node)))
    out.add((rec, KG.effectValue, value))
    out.add((rec, KG.pathLength, Literal(answer.steps, datatype=XSD.integer)))
    out.add((rec, KG.pathCount, Literal(count, datatype=XSD.integer)))
    out.add((rec, KG.pathText, Literal(words)))
    out.add((rec, KG.restsOnHypothesis, Literal(bool(answer.hypothesis))))
    out.add((rec, KG.evidenceType, KG.path_inference))
    out.add((rec, KG.inferredBy, KG.signedPaths))
    for ev in answer.evidence:
        pub = _iri(ev.citation)
        if (pub, RDF.type, KG.Publication) in graph or (pub, RDF.type, KG.Database) in graph:
            out.add((rec, KG.citation, pub))
    # Each step keeps its own citation and locator in the graph; `kg explain DRUG TARGET` lists them.
    out.add((rec, KG.locator, Literal(f"a chain of {answer.steps} cited steps")))
