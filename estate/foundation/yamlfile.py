"""Reading YAML definition files so that every problem can point at its file, line and column.

Used for the estate definition and the business case alike: parse with ruamel.yaml (which keeps line
numbers), validate plain data with a pydantic model, and turn every error into a located `Problem`.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from estate.foundation.errors import InputError, Problem, ValidationError
from estate.foundation.limits import ALIAS_NODES, NESTING, read_text_bounded

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
Loc = tuple[str | int, ...]

_HINTS = {
    "missing": "add it",
    "int_type": "give a whole number",
    "int_parsing": "give a whole number",
    "int_from_float": "give a whole number",
    "float_parsing": "give a number",
    "decimal_parsing": "give a number, e.g. 158000 or 158000.50",
    "decimal_type": "give a number, e.g. 158000 or 158000.50",
    "bool_type": "give true or false",
    "bool_parsing": "give true or false",
    "string_type": "give text (quote it if YAML reads it as something else)",
    "list_type": "give a list (lines starting with '- ')",
    "dict_type": "give a mapping of keys to values",
    "model_type": "give a mapping of keys to values",
    "greater_than_equal": "fix the value",
    "greater_than": "fix the value",
    "less_than_equal": "fix the value",
    "string_pattern_mismatch": "fix the value",
    "ip_v4_network": "give an IPv4 range in CIDR form, e.g. 10.50.0.0/24",
    "too_short": "add at least one entry",
}


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: plain data for validation, plus the node tree that knows where things are."""

    file: str
    data: Any
    root: Any

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int | None, int | None]:
        """1-based (line, column) of the value at `loc`, or of its key when `key` is set.

        Walks as deep as the document goes; a path into something missing points at its nearest parent.
        """
        node = self.root
        line, column = _own_position(node)
        for depth, part in enumerate(loc):
            last = depth == len(loc) - 1
            if isinstance(node, CommentedMap) and part in node:
                child = node[part]
                # A block mapping or list starts on the line after its key: point at the key instead.
                use_key = (key and last) or (_has_position(child) and not _is_flow(child))
                where = node.lc.key(part) if use_key else node.lc.value(part)
                line, column = where[0] + 1, where[1] + 1
                node = child
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                where = node.lc.item(part)
                line, column = where[0] + 1, where[1] + 1
                node = node[part]
            else:
                break
        return line, column

    def problem(self, loc: Loc, message: str, hint: str = "", *, key: bool = False) -> Problem:
        line, column = self.position(loc, key=key)
        return Problem(self.file, line, column, format_loc(loc), message, hint)


def _has_position(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq)


def _is_flow(node: Any) -> bool:
    return bool(getattr(node, "fa", None) and node.fa.flow_style())


def _own_position(node: Any) -> tuple[int | None, int | None]:
    if _has_position(node):
        return node.lc.line + 1, node.lc.col + 1
    return 1, 1


def format_loc(loc: Iterable[str | int]) -> str:
    """('waves', 1, 'vms', 3, 'size') -> 'waves[1].vms[3].size'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_yaml(path: str | Path, *, what: str = "definition") -> YamlDocument:
    """Parse a YAML file, turning every way it can fail into an `InputError` that names the file.

    Bounded: non-regular files, files above the size cap, nesting above the depth cap and alias expansion
    above its budget are refused before anything is built (see `estate.foundation.limits`).
    """
    file = str(path)
    text = read_text_bounded(path, what=what, hint="")
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise InputError(f"{file}:1:1: the file is empty; write the {what} in it (see the README for an example)",
                         file=file)
    try:
        check_yaml_bounds(text, file)
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        reason = exc.problem or exc.context or "not valid YAML"
        raise InputError(f"{where}: YAML syntax error: {reason}; fix the YAML at that line (check indentation, "
                         "colons and quotes)", file=file) from exc
    except YAMLError as exc:
        raise InputError(f"{file}: YAML error: {exc}; fix the YAML", file=file) from exc
    if not isinstance(root, CommentedMap):
        raise InputError(f"{file}:1:1: the {what} must be a YAML mapping of keys to values, "
                         f"not {type(root).__name__}; start with the top-level keys", file=file)
    return YamlDocument(file=file, data=to_plain(root), root=root)


def load_yaml_data(path: str | Path, *, what: str) -> Any:
    """Plain data of any YAML file (not necessarily a mapping), with the same bounds as `read_yaml`."""
    file = str(path)
    text = read_text_bounded(path, what=what)
    try:
        check_yaml_bounds(text, file)
        return to_plain(YAML(typ="safe", pure=True).load(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        raise InputError(f"{where}: YAML syntax error: {exc.problem or exc.context}; fix the YAML",
                         file=file) from exc
    except YAMLError as exc:
        raise InputError(f"{file}: YAML error: {exc}; fix the YAML", file=file) from exc


def check_yaml_bounds(text: str, file: str) -> None:
    """Refuse nesting deeper than the cap, and aliases that would expand to more nodes than the budget.

    Works on ruamel's event stream (no tree is built): each anchor's subtree size is counted once, and each
    alias adds the size of what it names, so a "billion laughs" file is refused after a few hundred events.
    """
    max_depth, budget = NESTING.value(), ALIAS_NODES.value()
    sizes: dict[str, int] = {}
    frames: list[list] = []  # [anchor, nodes inside]
    expanded = 0
    for event in YAML(typ="rt").parse(text):
        kind = type(event).__name__
        if kind in ("MappingStartEvent", "SequenceStartEvent"):
            frames.append([event.anchor, 0])
            if len(frames) > max_depth:
                mark = event.start_mark
                raise InputError(f"{file}:{mark.line + 1}:{mark.column + 1}: nested more than {max_depth} levels "
                                 f"deep; flatten the document ({NESTING.how_to_raise()})", file=file)
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            anchor, count = frames.pop()
            if anchor is not None:
                sizes[anchor] = count + 1
            if frames:
                frames[-1][1] += count + 1
        elif kind == "ScalarEvent":
            if event.anchor is not None:
                sizes[event.anchor] = 1
            if frames:
                frames[-1][1] += 1
        elif kind == "AliasEvent":
            size = sizes.get(event.anchor, 1)
            expanded += size
            if frames:
                frames[-1][1] += size
            if expanded > budget:
                mark = event.start_mark
                raise InputError(f"{file}:{mark.line + 1}:{mark.column + 1}: YAML aliases (*{event.anchor}) expand "
                                 f"to more than {budget} nodes; write the values out instead of nesting aliases "
                                 f"({ALIAS_NODES.how_to_raise()})", file=file)


def to_plain(node: Any) -> Any:
    """ruamel's round-trip nodes as plain Python; floats become exact Decimals from their written text."""
    if isinstance(node, CommentedMap):
        return {str(key) if not isinstance(key, str) else key: to_plain(value) for key, value in node.items()}
    if isinstance(node, CommentedSeq):
        return [to_plain(item) for item in node]
    if isinstance(node, float):
        return Decimal(repr(float(node))) if node == node and abs(node) != float("inf") else node
    if isinstance(node, bool | int):
        return bool(node) if isinstance(node, bool) else int(node)
    if isinstance(node, str):
        return str(node)
    return node


def validate(document: YamlDocument, model: type[ModelT]) -> ModelT:
    """Validate the document against `model`, raising one `ValidationError` with every problem located."""
    try:
        return model.model_validate(document.data)
    except pydantic.ValidationError as exc:
        problems = [_problem_from_pydantic(document, model, error) for error in exc.errors()]
        raise ValidationError(document.file, problems) from exc


def _problem_from_pydantic(document: YamlDocument, model: type[pydantic.BaseModel], error: Any) -> Problem:
    loc = _document_loc(document.data, error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        unknown = str(loc[-1])
        known = known_fields(model, loc[:-1])
        guess = difflib.get_close_matches(unknown, known, n=1, cutoff=0.5)
        hint = f"did you mean {guess[0]!r}?" if guess else (f"known keys here: {', '.join(known)}" if known else "")
        return document.problem(loc, f"unknown key {unknown!r}", hint, key=True)
    message = error["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return document.problem(loc, f"required key {str(loc[-1])!r} is missing", "add it")
    if "input" in error and kind not in ("model_type", "dict_type", "list_type"):
        shown = error["input"]
        if isinstance(shown, str | int | Decimal | float | bool):
            message += f" (got {shown!r})" if not isinstance(shown, Decimal) else f" (got {shown})"
    return document.problem(loc, message, _HINTS.get(kind, ""))


def _document_loc(data: Any, loc: Sequence[Any]) -> Loc:
    """The part of pydantic's error location that names real keys and indexes in the document."""
    kept: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        in_map = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_list:
            kept.append(part)
            node = node[part]
        elif isinstance(part, str | int) and not (isinstance(part, str) and ("[" in part or "-" in part)):
            # A missing key or an unknown key: keep it as the last element, then stop.
            if isinstance(node, dict) and isinstance(part, str) and index == len(loc) - 1:
                kept.append(part)
            break
        else:
            continue
    return tuple(kept)


def known_fields(model: type[pydantic.BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model found at `loc` inside `model` (empty if loc is not a model)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            current = _element_type(current)
        else:
            fields = getattr(current, "model_fields", None)
            if not fields or part not in fields:
                return []
            current = _strip_optional(fields[part].annotation)
        current = _strip_optional(current)
    fields = getattr(current, "model_fields", None)
    return sorted(fields) if fields else []


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _strip_optional(options[0]) if len(options) == 1 else annotation
    return annotation


def _element_type(annotation: Any) -> Any:
    annotation = _strip_optional(annotation)
    args = typing.get_args(annotation)
    return _strip_optional(args[-1]) if args else annotation


def load_checked(path: str | Path, model: type[ModelT], check: Callable[[ModelT], Iterable[Any]], *,
                 what: str) -> ModelT:
    """Read a YAML file, validate it against `model`, run the cross-field `check`, and raise every problem located."""
    document = read_yaml(path, what=what)
    value = validate(document, model)
    problems = locate(document, check(value))
    if problems:
        raise ValidationError(document.file, problems)
    return value


def locate(document: YamlDocument, findings: Iterable[Any]) -> list[Problem]:
    """Turn rule findings (objects with `loc`, `message`, `hint`) into located problems."""
    return [document.problem(finding.loc, finding.message, finding.hint) for finding in findings]
