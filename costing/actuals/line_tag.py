"""The `business-case-line` tag of a cost row, read in SQL the same way by every reader of the store.

Cost Management exports tag keys as they were written (`Business-Case-Line` as well as `business-case-line`),
so the key is matched without regard to case. `estate cost summary` and `estate cost reconcile` both read the
tag through `line_tag_sql`, and both place a row on a line through `costing.business_case.mapping.line_of`.
"""

from __future__ import annotations

LINE_TAG = "business-case-line"


def line_tag_sql(column: str = "Tags") -> str:
    """A DuckDB expression for the tag's value (NULL without one) from a column of JSON object text.

    The exact lower-case key is the cheap common case; another spelling takes the slow path, only on rows whose
    text holds the key in some case.
    """
    return (f"coalesce({column}->>'{LINE_TAG}', CASE WHEN contains(lower({column}), '\"{LINE_TAG}\"') "
            f"THEN list_filter(map_entries(CAST({column} AS JSON)::MAP(VARCHAR, VARCHAR)), "
            f"lambda e: lower(e.key) = '{LINE_TAG}')[1].value END)")
