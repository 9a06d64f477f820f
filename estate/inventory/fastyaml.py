"""Fast YAML for big imported estates: libyaml (PyYAML's C loader) to check what we write, and plain-text
emitting of server entries. ruamel's round-trip parser keeps comments but takes tens of seconds on an estate
of thousands of servers; these keep `estate import` and `estate waves plan` within seconds."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from estate.definition.model import Estate
from estate.definition.rules import check_estate
from estate.foundation.errors import InputError

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./ -]*")
_SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def quote(value: object) -> str:
    """A YAML scalar for `value` that every YAML 1.1/1.2 reader reads back as the same string or number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _SPECIAL and not text.endswith((" ", "-")) \
            and " #" not in text and ": " not in text:
        return text
    return "'" + text.replace("'", "''") + "'"


def comment(text: str) -> str:
    return "  # " + " ".join(text.split()) if text else ""


def flow_map(items: dict[str, object]) -> str:
    return "{" + ", ".join(f"{key}: {quote(value)}" for key, value in items.items()) + "}"


def load_plain(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


def load_with_nodes(text: str) -> tuple[Any, Any]:
    """(plain data, the composed node tree with line marks), parsing the text once."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def validated(text: str, target: Path, data: Any = None) -> Estate:
    """The estate `text` describes (`data`: the same, already parsed), checked like `estate validate`; on any
    problem, the located error that `estate validate` would give (naming `target`)."""
    try:
        estate = Estate.model_validate(load_plain(text) if data is None else data)
        if not list(check_estate(estate)):
            return estate
    except Exception:  # any failure: the project's loader says where and why
        pass
    from estate.definition.loader import load_estate

    with tempfile.TemporaryDirectory() as folder:
        candidate = Path(folder) / target.name
        candidate.write_text(text, encoding="utf-8")
        try:
            return load_estate(candidate)
        except InputError as exc:
            raise InputError(exc.message.replace(str(candidate), str(target)), file=str(target)) from exc
