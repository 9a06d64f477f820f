"""Reconciliation: actual spend from the cost store against the business case (and the forecast), line by line.

Public API: `reconcile(ReconcileRequest)` -> `Reconciliation` (see `costing.reconcile.model`).
"""

from costing.reconcile.model import RagThresholds, Reconciliation
from costing.reconcile.run import ReconcileRequest, reconcile

__all__ = ["RagThresholds", "ReconcileRequest", "Reconciliation", "reconcile"]
