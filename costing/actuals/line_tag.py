"""The `business-case-line` tag of a cost row, read the same way by every reader of the store and on every engine.

Cost Management exports tag keys as they were written (`Business-Case-Line` as well as `business-case-line`), so
the key is matched without regard to case. In SQL (one text that DuckDB runs and Spark runs transpiled) only the
exact lower-case key is read (`Tags->>'$.business-case-line'`, the cheap common case); a row whose Tags text holds
the key in another spelling comes back whole (`OTHER_SPELLING_SQL`) and `line_tag_of` reads it in Python.
`estate cost summary` and `estate cost reconcile` both read the tag this way, and both place a row on a line
through `costing.business_case.mapping.line_of`.
"""

from __future__ import annotations

import json

from estate.foundation.tags import LINE_TAG

EXACT_SQL = f"Tags->>'$.{LINE_TAG}'"
OTHER_SPELLING_SQL = f"CASE WHEN {EXACT_SQL} IS NULL AND instr(lower(Tags), '\"{LINE_TAG}\"') > 0 THEN Tags END"


def line_tag(exact: str | None, other_tags: str | None) -> str | None:
    """The tag's value from the two SQL columns above: the exact key's, else the key in any case."""
    return exact if exact is not None or other_tags is None else line_tag_of(other_tags)


def line_tag_of(tags_text: str | None) -> str | None:
    """The `business-case-line` tag of a Tags JSON text, the key in any case (the first such key wins)."""
    if not tags_text:
        return None
    try:
        tags = json.loads(tags_text)
    except ValueError:
        return None
    if not isinstance(tags, dict):
        return None
    value = next((value for key, value in tags.items() if key.lower() == LINE_TAG), None)
    return None if value is None else value if isinstance(value, str) else json.dumps(value)
