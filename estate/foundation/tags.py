"""The tag that ties a resource, and every pound it costs, to a line of the business case.

The program writes it on every resource it creates, `estate check` requires it, the forecast groups by it, the
budgets filter Azure spend by it, and the cost store and Cost Management queries read it back from the bill.
"""

from __future__ import annotations

LINE_TAG = "business-case-line"
