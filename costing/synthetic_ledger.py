"""A SYNTHETIC finance-ledger CSV for the case's lines Azure never bills: the demo's non-Azure actuals.

Legacy hosting (`legacy-run`), managed service (`management`), programme and vendor one-offs (`one-off`) and
retained on-site costs (`retained-run`) are paid through the council's ledger, not Azure. This writes one
plausible ledger for them, in the header `estate actuals load` reads::

    period,line,amount,currency,supplier,reference,classification

- run lines (`legacy-run`, `management`, `retained-run`): one invoice a month, the case's figure for the
  period spread evenly, times seeded noise (normal, 1 +/- `noise_percent`);
- one-off lines: the period's figure in quarterly milestone invoices (seeded split, the last one balancing
  the period to the case times a seeded bias within +/- `one_off_bias_percent`);
- one credit note (a negative amount) against the first run line's invoice in the middle month;
- amounts in whole currency units (pounds, not the case's thousands), half-up; `classification` is the case's;
  every supplier name starts with `SYNTHETIC` and every reference with `SYN-`.

Months run from the first month of the case's first period to `last_month` (the export's last month).
`baseline` lines are the counterfactual, never spend, and `cloud-run` lines come from the Azure export.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from costing.business_case.model import BusinessCase, Line
from estate.foundation.files import write_atomic
from estate.foundation.periods import Month

LEDGER_HEADER = ["period", "line", "amount", "currency", "supplier", "reference", "classification"]
LEDGER_KINDS = ("legacy-run", "management", "one-off", "retained-run")
RUN_KINDS = ("legacy-run", "management", "retained-run")
SUPPLIERS = {"legacy-run": "SYNTHETIC SunGard", "management": "SYNTHETIC Serco", "one-off": "SYNTHETIC Serco",
             "retained-run": "SYNTHETIC Orchard House facilities"}
ONE = Decimal(1)


@dataclass(frozen=True)
class LedgerOptions:
    seed: int = 418
    noise_percent: Decimal = Decimal(3)
    one_off_bias_percent: Decimal = Decimal(8)


@dataclass(frozen=True)
class SyntheticLedger:
    path: Path
    rows: int
    lines: list[str]
    first_month: Month
    last_month: Month
    currency: str
    total: Decimal


def supplier(line: Line) -> str:
    label = line.label.lower()
    if "hardware" in label:
        return "SYNTHETIC hardware reseller"
    if "vendor" in label:
        return "SYNTHETIC application vendors"
    return SUPPLIERS.get(line.kind, "SYNTHETIC supplier")


def _pounds(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


def ledger_rows(case: BusinessCase, last_month: Month, options: LedgerOptions) -> list[dict[str, str]]:
    """The ledger's rows in period order (deterministic for a seed)."""
    rng = random.Random(options.seed)
    rows: list[dict[str, str]] = []
    for line in (line for line in case.lines if line.kind in LEDGER_KINDS):
        for index, period in enumerate(case.period_list()):
            value = Decimal(str(line.values[index])) * case.unit_multiplier
            months = [m for m in period.month_list() if m <= last_month]
            if value == 0 or not months:
                continue
            if line.kind in RUN_KINDS:
                amounts = [(m, value / period.months * _noise(rng, options.noise_percent)) for m in months]
            else:
                amounts = _milestones(rng, value, period.month_list(), months, options)
            for month, amount in amounts:
                rows.append({"period": str(month), "line": line.id, "amount": str(_pounds(amount)),
                             "currency": case.currency, "supplier": supplier(line),
                             "reference": f"SYN-{line.id.upper()}-{month}",
                             "classification": line.classification})
    _credit_note(rows, case)
    return sorted(rows, key=lambda row: (row["period"], row["line"], row["reference"]))


def _noise(rng: random.Random, percent: Decimal) -> Decimal:
    return max(Decimal(str(round(rng.gauss(1.0, float(percent) / 100), 6))), Decimal("0.5"))


def _milestones(rng: random.Random, value: Decimal, period_months: list[Month], months: list[Month],
                options: LedgerOptions) -> list[tuple[Month, Decimal]]:
    """Quarterly milestone invoices (the third month of each quarter) for the months reached so far."""
    quarters = [m for m in period_months[2::3]] or period_months[-1:]
    bias = 1 + Decimal(str(round(rng.uniform(-1, 1), 4))) * options.one_off_bias_percent / 100
    weights = [Decimal(str(round(rng.uniform(0.6, 1.4), 4))) for _ in quarters]
    total = sum(weights, Decimal(0))
    return [(month, value * bias * weight / total) for month, weight in zip(quarters, weights, strict=True)
            if month in months]


def _credit_note(rows: list[dict[str, str]], case: BusinessCase) -> None:
    run_rows = [row for row in rows if row["line"] in {ln.id for ln in case.lines if ln.kind in RUN_KINDS}]
    if not run_rows:
        return
    original = run_rows[len(run_rows) // 2]
    credit = -_pounds(Decimal(original["amount"]) * Decimal("0.1"))
    rows.append(original | {"amount": str(credit), "reference": f"{original['reference']}-CN",
                            "supplier": original["supplier"]})


def write_ledger(case: BusinessCase, path: Path, last_month: Month, options: LedgerOptions) -> SyntheticLedger:
    """Write the SYNTHETIC ledger CSV atomically and say what it holds."""
    rows = ledger_rows(case, last_month, options)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LEDGER_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, out.getvalue())
    months = [Month(int(r["period"][:4]), int(r["period"][5:])) for r in rows] or [last_month]
    return SyntheticLedger(path, len(rows), sorted({r["line"] for r in rows}), min(months), max(months),
                           case.currency, sum((Decimal(r["amount"]) for r in rows), Decimal(0)))
