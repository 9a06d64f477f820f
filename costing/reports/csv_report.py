"""The reconciliation as CSV (`--format csv`): one row per line and period, the currency on every row."""

from __future__ import annotations

import csv
import io

from costing.reconcile.model import Reconciliation
from costing.reports.json_report import exact, percent
from estate.foundation.safe_text import csv_row

HEADER = ["synthetic", "as_of", "currency", "cost_column", "line", "label", "kind", "measured", "period", "status",
          "months_with_actuals", "case", "case_to_date", "actual", "variance", "variance_percent", "rag", "outturn",
          "outturn_basis", "outturn_variance", "estimate", "estimate_to_date", "actual_vs_estimate",
          "classification", "actuals_source", "actuals_status", "actual_azure", "actual_ledger", "direction",
          "outturn_direction", "reforecast", "reforecast_basis", "sums", "case_warnings"]


def to_csv(result: Reconciliation) -> str:
    """Every line (measured or not), the unallocated spend, the Azure total and the totals, by period."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    # The case's own disagreements travel with every row, as every other report shows them at its top.
    warnings = " | ".join(result.case_warnings)
    for line in [*result.lines, result.unallocated, result.azure_total, *result.totals]:
        for p in line.periods:
            # Labels and ids come from the case and the cost data: no cell may start a spreadsheet formula.
            writer.writerow(csv_row([
                "yes" if result.provenance.synthetic else "no", str(result.as_of), result.currency,
                result.cost_column, line.id, line.label, line.kind, "yes" if line.measured else "no", p.period,
                p.status, p.months_with_actuals, exact(p.case), exact(p.case_to_date), exact(p.actual),
                exact(p.variance), percent(p.variance_percent), p.rag or "", exact(p.outturn), p.outturn_basis,
                exact(p.outturn_variance), exact(p.estimate), exact(p.estimate_to_date),
                exact(p.actual_vs_estimate), line.classification or "", line.actuals_source, p.actuals_status,
                exact(p.actual_azure), exact(p.actual_ledger), p.direction or "", p.outturn_direction,
                result.reforecast, p.reforecast_basis, " + ".join(line.sums), warnings]))
    return out.getvalue()
