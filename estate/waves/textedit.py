"""Rewrite the `waves:` block of an estate file as text, moving each server entry with its own lines and comments.

The file is composed with libyaml (fast, with line marks); each VM entry's lines (from its `-` to the next
entry) are cut out and placed, re-indented, under its new wave. Everything outside `waves:` is untouched,
byte for byte, so the user's comments and edits elsewhere stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from estate.foundation.errors import InputError
from estate.inventory.fastyaml import comment, quote

VM_INDENT = 6


@dataclass
class NewWave:
    name: str
    planned_month: str
    description: str
    subnet: str
    region: str | None
    vms: list[tuple[int, int]]  # (wave index, vm index) in the original file
    notes: dict[tuple[int, int], str]  # extra comment line for some entries


def _is_loose(line: str) -> bool:
    """A blank line or a comment at column 0 (it belongs to what follows, not to the entry before)."""
    return not line.strip() or line.startswith("#")


def _dash_column(line: str, before: int) -> int:
    position = line.rfind("-", 0, before + 1)
    return position if position >= 0 else before


def _value(mapping, key: str):
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return key_node, value_node
    return None, None


def vm_chunks(text: str, root: Any) -> tuple[list[str], int, int, dict[tuple[int, int], list[str]]]:
    """(lines, first line of the waves block, line after it, {(wave, vm): the entry's lines}); `root` is the
    text's composed node tree."""
    lines = text.splitlines()
    waves_key, waves = _value(root, "waves")
    if waves_key is None:
        raise InputError("the estate has no waves: to plan; import an inventory first")
    keys = [k for k, _ in root.value]
    after = keys.index(waves_key) + 1
    end = keys[after].start_mark.line if after < len(keys) else len(lines)
    while end > waves_key.start_mark.line + 1 and _is_loose(lines[end - 1]):
        end -= 1
    chunks: dict[tuple[int, int], list[str]] = {}
    for wave_index, wave in enumerate(waves.value):
        _, vms = _value(wave, "vms")
        if vms is not None and vms.flow_style:
            raise InputError(f"waves[{wave_index}].vms is a flow list ([...]); write it as a block list, one '- ' "
                             "per server, so each server keeps its own lines when it moves")
        items = list(vms.value) if vms is not None else []
        starts = [item.start_mark.line for item in items]
        limit = min(vms.end_mark.line if vms.end_mark.line > starts[-1] else starts[-1] + 1, end) if items else end
        if wave_index + 1 < len(waves.value):
            limit = min(limit, waves.value[wave_index + 1].start_mark.line)
        for vm_index, item in enumerate(items):
            first = starts[vm_index]
            last = starts[vm_index + 1] if vm_index + 1 < len(items) else max(limit, first + 1)
            chunk = lines[first:last]
            while len(chunk) > 1 and _is_loose(chunk[-1]):
                chunk.pop()
            dash = _dash_column(lines[first], item.start_mark.column)
            shift = VM_INDENT - dash
            chunks[(wave_index, vm_index)] = [_shift(line, shift) for line in chunk]
    return lines, waves_key.start_mark.line, end, chunks


def _shift(line: str, shift: int) -> str:
    if not line.strip():
        return ""
    if shift >= 0:
        return " " * shift + line
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, -shift):]


def new_data(data: dict[str, Any], waves: list[NewWave]) -> dict[str, Any]:
    """The plain data `rewrite_waves` writes: the same document with the waves replaced."""
    old = data["waves"]
    result = dict(data)
    result["waves"] = [
        {"name": w.name, "planned_month": w.planned_month, "description": w.description,
         **({"region": w.region} if w.region else {}), "subnet": w.subnet,
         "vms": [old[wave]["vms"][vm] for wave, vm in w.vms]}
        for w in waves]
    return result


def rewrite_waves(text: str, root: Any, waves: list[NewWave]) -> str:
    lines, start, end, chunks = vm_chunks(text, root)
    out = ["waves:"]
    for wave in waves:
        out.append(f"  - name: {quote(wave.name)}")
        out.append(f"    planned_month: {quote(wave.planned_month)}"
                   f"{comment('[assumption] --first-wave-month + --months-between-waves')}")
        out.append(f"    description: {quote(wave.description)}")
        if wave.region:
            out.append(f"    region: {quote(wave.region)}")
        out.append(f"    subnet: {quote(wave.subnet)}{comment('[assumption] the subnet of the servers previous wave')}")
        out.append("    vms:")
        for key in wave.vms:
            if key in wave.notes:
                out.append(" " * VM_INDENT + "# " + wave.notes[key])
            out.extend(chunks[key])
    return "\n".join([*lines[:start], *out, *lines[end:]]) + "\n"
