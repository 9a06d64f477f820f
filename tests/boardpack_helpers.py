"""Stores and reconciliations for the board-pack tests: the council's case with a small store, synthetic or not."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from costing.reconcile.model import RagThresholds, Reconciliation
from costing.reconcile.run import ReconcileRequest, reconcile
from tests.conftest import ROOT
from tests.reconcile_helpers import Row, write_store

CASE = ROOT / "stacks" / "business-case.yaml"
# Azure Costs SunGard: 45,000 a month Oct 2020 - Jan 2021; Orchard House 13,000 in Dec 2020; 999.99 unplaced.
SUNGARD_MONTHLY = Decimal(45000)


def small_store(folder: Path, *, synthetic: bool) -> Path:
    rows = [Row(month, str(SUNGARD_MONTHLY), line="azure-costs-sungard")
            for month in ("2020-10", "2020-11", "2020-12", "2021-01")]
    rows += [Row("2020-12", "13000", line="orchard-house-costs"),
             Row("2021-01", "999.99", service="Azure Support", resource_group=None, subscription=None)]
    source = "synthetic-focus-1.0-lcc-2021-01.csv" if synthetic else "council-export-2021-01.csv"
    return write_store(folder / "store", rows, source=source)


def result_for(store: Path, case: Path = CASE) -> Reconciliation:
    return reconcile(ReconcileRequest(case_file=case, store=store, forecast_file=None, estate_file=None, as_of=None,
                                      cost_column="EffectiveCost", thresholds=RagThresholds()))
