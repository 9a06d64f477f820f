"""Reading JSON inputs (plans, What-If results, forecasts, price snapshots) within bounds, located on failure.

`parse_json` refuses NaN/Infinity, numbers too large to be a quantity or a price (a float that overflows to
infinity, an integer of more than 30 digits) and nesting beyond the cap, each naming the line and column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from estate.foundation.errors import InputError
from estate.foundation.limits import NESTING, PLAN_MIB, read_text_bounded

MAX_INT_DIGITS = 30


class _BadNumber(ValueError):
    def __init__(self, text: str, why: str) -> None:
        super().__init__(text)
        self.text = text
        self.why = why


def _constant(text: str) -> Any:
    raise _BadNumber(text, "is not a number JSON allows")


def _float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise _BadNumber(text, "is too large to be a number")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber(text, f"has more than {MAX_INT_DIGITS} digits")
    return int(text)


def read_json(path: str | Path, *, what: str, fix: str) -> Any:
    """Read and parse a JSON file; every failure is an `InputError` naming the file (and line where known)."""
    text = read_text_bounded(path, what=what, limit=PLAN_MIB)
    return parse_json(text, str(path), what=what, fix=fix)


def parse_json(text: str, source: str, *, what: str, fix: str) -> Any:
    """Parse JSON text with the bounds above; `fix` says what to do about a damaged file."""
    try:
        document = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except _BadNumber as exc:
        line, column = _find(text, exc.text)
        raise InputError(f"{source}:{line}:{column}: the value {exc.text[:40]} {exc.why}; {fix}",
                         file=source) from exc
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1
        reason = "the JSON ends early (truncated)" if truncated else f"not JSON ({exc.msg})"
        raise InputError(f"{source}:{exc.lineno}:{exc.colno}: {reason}; {fix}", file=source) from exc
    except RecursionError:
        raise InputError(f"{source}: nested more than {NESTING.value()} levels deep; {fix} "
                         f"({NESTING.how_to_raise()})", file=source) from None
    depth = nesting_depth(document)
    if depth > NESTING.value():
        raise InputError(f"{source}: nested {depth} levels deep, more than the {NESTING.value()} allowed for a "
                         f"{what}; {fix} ({NESTING.how_to_raise()})", file=source)
    return document


def nesting_depth(document: Any) -> int:
    """How deeply lists and objects nest (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _find(text: str, token: str) -> tuple[int, int]:
    match = re.search(r"(?<![\w\"])" + re.escape(token) + r"(?![\w\"])", text)
    offset = match.start() if match else 0
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
