"""The curated top-level API: every name resolves, and ``import kg`` loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import kg


def test_every_public_name_resolves():
    for name in kg.__all__:
        assert getattr(kg, name) is not None, name
    assert kg.run_query.__module__ == "kg.query.run" and kg.explain.__module__ == "kg.analysis.explain"


def test_import_kg_loads_no_heavy_library():
    code = "import sys, kg; print(sorted(m for m in ('rdflib', 'networkx', 'pyvis', 'owlready2') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unknown_attribute_is_an_attribute_error():
    try:
        kg.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("kg.no_such_thing resolved")


def test_curated_functions_stay_functions_after_their_namesake_submodules_are_imported():
    import kg.export  # noqa: F401  (the package kg/export/, imported as the commands do)
    import kg.export.kgx  # noqa: F401
    import kg.project  # noqa: F401  (the Project module, imported as the store and build do)
    from kg.export import FORMATS
    from kg.project import Project

    assert kg.project.__module__ == "kg.network" and kg.export.__module__ == "kg.export"
    assert callable(kg.project) and callable(kg.export) and "kgx" in FORMATS
    assert Project.__module__ == "kg.project" and kg.Project is Project
    assert kg.render.__name__ == "kg.render"      # submodules in the API stay modules


def test_import_kg_build_still_binds_the_module_for_patching():
    code = "import kg.build; print(type(kg.build).__name__, callable(kg.build.build))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["module", "True"]
