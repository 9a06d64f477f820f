"""A second business case, its Azure spend and its finance ledger, with every figure worked out here in Decimal.

The case is in GBP thousands over three UK financial years. Azure bills `azure-run` (tagged), a little of
`migration` and `programme` (tagged) and some untagged spend; the ledger holds the legacy hosting, the managed
service and most of the migration. As of 2025-09, six months of 2025/26 have actuals.
"""

from __future__ import annotations

import textwrap
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from tests.reconcile_helpers import Row, write_case, write_store

FINANCE_CASE = textwrap.dedent(
    """\
    name: Finance test case
    organisation: Test Council
    currency: GBP
    unit: thousands
    discount_rate_percent: 3.5
    periods: [2024/25, 2025/26, 2026/27]
    lines:
      - {id: baseline, label: Baseline, kind: baseline, classification: revenue, values: [250, 250, 250]}
      - {id: legacy-hosting, label: Legacy hosting, kind: legacy-run, classification: revenue, values: [120, 60, 0]}
      - {id: azure-run, label: Azure run, kind: cloud-run, classification: revenue, values: [24, 120, 144]}
      - {id: managed-service, label: Managed service, kind: management, classification: revenue, values: [12, 24, 24]}
      - {id: migration, label: Migration, kind: one-off, classification: capital, values: [60, 30, 0]}
      - {id: programme, label: Programme, kind: one-off, classification: revenue, values: [36, 12, 0]}
    """
)
UNIT = Decimal(1000)
CASE_VALUES = {"baseline": [250, 250, 250], "legacy-hosting": [120, 60, 0], "azure-run": [24, 120, 144],
               "managed-service": [12, 24, 24], "migration": [60, 30, 0], "programme": [36, 12, 0]}
PERIODS = ["2024/25", "2025/26", "2026/27"]
MONTHS_2025 = ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09"]
AZURE_RUN = dict(zip(MONTHS_2025, ["9000", "9500", "10000", "10500", "11000", "11500"], strict=True))
AZURE_MIGRATION = {"2025-05": "2000"}
AZURE_PROGRAMME = {"2025-06": "1500"}
UNTAGGED = {"2025-07": "800"}
LEDGER_ROWS = [  # period, line, amount, currency, supplier, reference, classification
    ("2025-04", "legacy-hosting", "5000.00", "GBP", "SunGard", "SG-0425", "revenue"),
    ("2025-05-31", "legacy-hosting", "5000.00", "GBP", "SunGard", "SG-0525", "revenue"),
    ("2025-06", "legacy-hosting", "5000.00", "GBP", "SunGard", "SG-0625", "revenue"),
    ("2025-07", "legacy-hosting", "4000.00", "GBP", "SunGard", "SG-0725", "revenue"),
    ("2025-08", "legacy-hosting", "4000.00", "GBP", "SunGard", "SG-0825", "revenue"),
    ("2025-09", "legacy-hosting", "4000.00", "GBP", "SunGard", "SG-0925", "revenue"),
    ("2025-06", "managed-service", "6000.00", "GBP", "Serco", "SER-Q1", "revenue"),
    ("2025-09", "managed-service", "6000.00", "GBP", "Serco", "SER-Q2", "revenue"),
    ("2025-05", "migration", "20000.00", "GBP", "Acme Migrations", "AM-001", "capital"),
    ("2025-08", "migration", "5000.00", "GBP", "Acme Migrations", "AM-002", "capital"),
]
HEADER = "period,line,amount,currency,supplier,reference,classification"


def ledger_csv(rows=LEDGER_ROWS) -> str:
    return HEADER + "\n" + "".join(",".join(row) + "\n" for row in rows)


def azure_rows() -> list[Row]:
    rows = [Row(month, amount, line="azure-run") for month, amount in AZURE_RUN.items()]
    rows += [Row(month, amount, line="migration") for month, amount in AZURE_MIGRATION.items()]
    rows += [Row(month, amount, line="programme") for month, amount in AZURE_PROGRAMME.items()]
    rows += [Row(month, amount, service="Bandwidth", resource_group="rg-mystery") for month, amount in UNTAGGED.items()]
    return rows


def build(tmp_path: Path, ledger: str | None = None) -> tuple[Path, Path]:
    """The case file and a store holding the Azure spend and (unless `ledger` is "") the ledger."""
    from tests.conftest import run_cli

    case = write_case(tmp_path / "case.yaml", FINANCE_CASE)
    store = write_store(tmp_path / "store", azure_rows())
    if ledger != "":
        path = tmp_path / "ledger.csv"
        path.write_text(ledger or ledger_csv(), encoding="utf-8")
        loaded = run_cli("actuals", "load", path, "--store", store, "--case", case)
        assert loaded.exit_code == 0, loaded.output
    return case, store


def D(value) -> Decimal:
    return Decimal(str(value))


def pennies(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def total(values) -> Decimal:
    return sum((D(value) for value in values), Decimal(0))


def ledger_total(line: str, months=None) -> Decimal:
    return total(row[2] for row in LEDGER_ROWS if row[1] == line and (months is None or row[0][:7] in months))
