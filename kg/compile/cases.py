"""Cases: patients with their findings, laboratory results and treatment courses.

Every record is an n-ary statement node citing the source with evidence type
``case_report``. Courses with the same ``seq`` are one regimen (each
``kg:concurrentWith`` the others); a course that ran on alongside later ones
names them in ``alongside``. A patient id, a finding's manifestation, a lab
test, or a course's ``seq`` + ``therapy`` used twice for one patient is an error
naming both lines (the two records would otherwise merge into one node, which
the reasoner then reports only as "inconsistent").
"""

from __future__ import annotations

from rdflib import BNode, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF

from kg.compile.context import Context
from kg.compile.doses import dose_steps, time_span
from kg.compile.vocabulary import local
from kg.curation import Record
from kg.namespaces import KG


def patient(ctx: Context, rec: Record, pub, tag: str) -> None:
    """One patient of the source whose publication is ``pub`` (``tag``: the source's short id)."""
    pid = f"{tag}_{rec['id']}"
    node = ctx.n_ary(KG[f"patient_{pid}"], KG.Patient, rec["label"], rec, f"patient {rec['id']!r}")
    if node is None:
        return
    g, case = ctx.graph, ctx.evidence("case_report")
    g.add((node, KG.describedIn, pub))
    ctx.apply(node, rec, "patient")
    ctx.cite(node, pub, case, str(rec["at"]))
    short, who = f"patient {tag}-{rec['id']}", f"of patient {rec['id']!r}"
    for f in rec.get("findings") or []:
        target = ctx.resolve(f, f["of"], "manifestation")
        if target is None:
            continue
        finding = ctx.n_ary(KG[f"finding_{pid}_{f['of']}"], KG.Finding, f"{f['of'].replace('_', ' ')} ({short})", f,
                            f"finding {f['of']!r} {who}")
        if finding is None:
            continue
        g.add((node, KG.hasFinding, finding))
        ctx.check_range(f, KG.ofManifestation, target)
        g.add((finding, KG.ofManifestation, target))
        ctx.apply(finding, f, "finding")
        ctx.cite(finding, pub, case, str(f.get("at") or rec["at"]))
    for lab_rec in rec.get("labs") or []:
        lab(ctx, lab_rec, node, pub, pid, short, who, str(rec["at"]))
    if isinstance(rec.get("prior_treatment_span"), Record):
        time_span(ctx, node, "prior_treatment_span", rec["prior_treatment_span"])
    by_seq: dict[int, list] = {}
    made: dict[tuple[int, str], URIRef] = {}
    for c in rec.get("courses") or []:
        course_node = course(ctx, c, node, pub, pid, short, who, str(rec["at"]))
        if course_node is not None:
            by_seq.setdefault(int(c["seq"]), []).append(course_node)
            made[(int(c["seq"]), str(c["therapy"]))] = course_node
    for nodes in by_seq.values():
        for a in nodes:
            for b in nodes:
                if a != b:
                    g.add((a, KG.concurrentWith, b))
    for c in rec.get("courses") or []:
        here = made.get((int(c["seq"]), str(c["therapy"])))
        for ref in c.get("alongside") or []:
            other = made.get((int(ref["seq"]), str(ref["therapy"])))
            if other is None:
                ctx.problem(ref, f"alongside names no course of this patient: seq {ref['seq']} with "
                                 f"{ref['therapy']!r}", code="data.name")
            elif here is not None and other != here:
                g.add((here, KG.concurrentWith, other))
                g.add((other, KG.concurrentWith, here))


def lab(ctx: Context, rec: Record, patient_node, pub, pid: str, short: str, who: str, at: str) -> None:
    """One laboratory or autoantibody result of a patient."""
    test = ctx.resolve(rec, rec["test"], "test")
    if test is None:
        ctx.apply(None, rec, "lab")
        return
    is_antibody = KG.Autoantibody in ctx.classes_of(test)
    node = ctx.n_ary(KG[f"lab_{pid}_{rec['test']}"], KG.AntibodyResult if is_antibody else KG.LabResult,
                     f"{rec['test'].replace('_', ' ')} result ({short})", rec, f"result of {rec['test']!r} {who}")
    if node is None:
        return
    ctx.graph.add((patient_node, KG.hasLabResult, node))
    ctx.graph.add((node, KG.measures, test))
    ctx.apply(node, rec, "lab")
    if not rec.get("result") and is_antibody:
        ctx.problem(rec, "an antibody result needs result: positive, negative or not_tested", code="data.shape")
    ctx.cite(node, pub, ctx.evidence("case_report"), at)


def course(ctx: Context, rec: Record, patient_node, pub, pid: str, short: str, who: str, at: str):
    """One treatment course of a patient; returns its node (None if it could not be made)."""
    therapy = ctx.resolve(rec, rec["therapy"], "therapy")
    if therapy is None:
        ctx.apply(None, rec, "course")
        return None
    if KG.Therapy not in ctx.classes_of(therapy):
        ctx.problem(rec, f"{rec['therapy']!r} is not a therapy (drug, product or procedure)", code="data.range")
    node = ctx.n_ary(KG[f"course_{pid}_{rec['seq']}_{rec['therapy']}"], KG.TreatmentCourse,
                     f"{rec['therapy'].replace('_', ' ')}, course {rec['seq']} ({short})", rec,
                     f"treatment course seq {rec['seq']} with {rec['therapy']!r} {who}")
    if node is None:
        return None
    g = ctx.graph
    g.add((patient_node, KG.hasTreatmentCourse, node))
    g.add((node, KG.usesTherapy, therapy))
    ctx.apply(node, rec, "course")
    for key in ("duration", "response_after"):
        if isinstance(rec.get(key), Record):
            time_span(ctx, node, key, rec[key])
    dose_steps(ctx, node, rec)
    ctx.cite(node, pub, ctx.evidence("case_report"), str(rec.get("at") or at))
    return node


def all_different(ctx: Context) -> None:
    """Distinct IRIs are distinct individuals (needed for 'two or more courses'): one owl:AllDifferent per class."""
    for cls in (KG.TreatmentCourse, KG.Patient):
        members = sorted(ctx.members.get(cls, []))
        if len(members) > 1:
            node, lst = BNode(f"alldiff_{local(cls)}"), BNode(f"alldiff_{local(cls)}_list")
            ctx.graph.add((node, RDF.type, OWL.AllDifferent))
            ctx.graph.add((node, OWL.distinctMembers, lst))
            Collection(ctx.graph, lst, members)
