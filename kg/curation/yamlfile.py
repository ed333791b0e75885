"""Parse one curated YAML file into :class:`Record` mappings that know their file and line.

* The text is read with :func:`kg.files.read_text` (bad UTF-8, UTF-16, a binary
  file or a folder become one-line problems naming file, line and byte).
* YAML aliases (``*name``, and so ``<<: *name`` merges) are refused: curated
  data never needs them, and a kilobyte of nested aliases ("billion laughs")
  would otherwise expand to gigabytes in any code that walks the records. The
  check walks the composed node graph, in which an alias is a shared node, so
  nothing is ever expanded.
* Duplicate keys are errors; so is nesting deeper than the parser allows.
* libyaml's parser is used when PyYAML has it (about 4x faster); a syntax
  error is then re-parsed with the pure-Python parser so the message is the
  same either way.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from kg.errors import DataError, Problem
from kg.files import read_text


class Record(dict):
    """A YAML mapping (or TSV row) that remembers its file and 1-based line.

    Examples
    --------
    >>> r = Record(id="x"); r.file, r.line = Path("a.yaml"), 3
    >>> r.where()
    (PosixPath('a.yaml'), 3)
    """

    file: Path
    line: int

    def where(self) -> tuple[Path, int]:
        return self.file, self.line


def _construct_mapping(loader: Any, node: MappingNode) -> Record:
    loader.flatten_mapping(node)
    record = Record()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)):
            raise DataError([Problem(loader.file, key_node.start_mark.line + 1,
                                     f"a key must be a word, not {type(key).__name__}", code="data.yaml")])
        if key in record:
            raise DataError([Problem(loader.file, key_node.start_mark.line + 1, f"duplicate key {key!r}",
                                     code="data.yaml")])
        record[key] = loader.construct_object(value_node, deep=True)
    record.file = loader.file
    record.line = node.start_mark.line + 1
    return record


class _PyLoader(yaml.SafeLoader):
    """Pure-Python SafeLoader whose mappings are :class:`Record`."""

    file: Path = Path("?")


_PyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

if getattr(yaml, "__with_libyaml__", False):
    class _CLoader(yaml.CSafeLoader):
        """libyaml parser, Python constructor: mappings are :class:`Record`."""

        file: Path = Path("?")

    _CLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FAST: type = _CLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _FAST = _PyLoader


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a block builds many objects with no cycles.

    Its full collections cost time in proportion to everything alive, so building a
    big structure with it running grows faster than the structure (2.4x slower for a
    5 MB source file, measured). Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; any problem with it becomes a one-line :class:`DataError` with its line.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = p.write_text("a: &x [1]\\nb: *x\\n")
    >>> load_yaml(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.DataError: ...x.yaml:2: YAML aliases (*name) are not allowed in curated files; write the value out
    """
    path = Path(path)
    text = read_text(path, "YAML file")
    with paused_gc():
        return _parse(text, path)


def _parse(text: str, path: Path) -> Any:
    loader = _FAST(text)
    loader.file = path
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError:
            raise _syntax_error(text, path) from None
        if node is None:
            return None
        _refuse_aliases(node, text, path)
        try:
            return loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:  # an unknown tag (!foo), a bad timestamp ...
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise DataError([Problem(path, line, f"YAML: {exc.problem}", code="data.yaml")]) from None
    except RecursionError:
        raise DataError([Problem(path, None, "YAML nested too deeply", code="data.yaml")]) from None
    finally:
        loader.dispose()


def _refuse_aliases(root: Node, text: str, path: Path) -> None:
    """Raise if any node is reached twice (an alias is a shared node after composing)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise DataError([Problem(path, _first_alias_line(text) or node.start_mark.line + 1,
                                     "YAML aliases (*name) are not allowed in curated files; write the value out",
                                     code="data.yaml")])
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack += (key, value)


def _first_alias_line(text: str) -> int | None:
    """Line of the first alias event (only called once an alias is known to exist)."""
    try:
        for event in yaml.parse(text, Loader=_FAST):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 1
    except yaml.YAMLError:
        return None
    return None


def _syntax_error(text: str, path: Path) -> DataError:
    """The pure-Python parser's message for a syntax error (the same whichever parser found it)."""
    loader = _PyLoader(text)
    loader.file = path
    try:
        loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        # An unterminated construct is reported where it starts, not at the end of the file.
        at_end = exc.problem_mark is not None and exc.problem_mark.index >= len(text.rstrip())
        mark = exc.context_mark if (at_end and exc.context_mark) else (exc.problem_mark or exc.context_mark)
        line = mark.line + 1 if mark else None
        what = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem or exc)
        return DataError([Problem(path, line, f"YAML syntax: {what}", code="data.yaml")])
    except yaml.YAMLError as exc:
        return DataError([Problem(path, None, f"YAML syntax: {exc}", code="data.yaml")])
    except RecursionError:
        return DataError([Problem(path, None, "YAML nested too deeply", code="data.yaml")])
    finally:
        loader.dispose()
    # libyaml refused what the Python parser accepts (its nesting limit, say)
    return DataError([Problem(path, None, "YAML syntax: nested too deeply or not valid YAML", code="data.yaml")])
