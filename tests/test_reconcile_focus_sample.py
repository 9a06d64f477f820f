"""Reconciling the FinOps Foundation FOCUS 1.0 sample (USD, tests/data/third_party) against a small USD case."""

from __future__ import annotations

import csv
import json
from decimal import ROUND_HALF_UP, Decimal

from tests.conftest import run_cli
from tests.reconcile_helpers import write_case

PENNY = Decimal("0.01")
USD_CASE = """\
name: FOCUS sample check
organisation: FinOps Foundation sample
currency: USD
unit: units
periods: [2024-09, 2024-10]
lines:
  - {id: baseline, label: Baseline, kind: baseline, classification: revenue, values: [5, 5]}
  - {id: storage, label: Storage, kind: cloud-run, classification: revenue, values: [1, 1]}
  - {id: other-azure, label: Other Azure, kind: cloud-run, classification: revenue, values: [1, 1]}
rules:
  - {line: storage, service: "Storage*"}
  - {line: other-azure, service: "Azure Machine Learning"}
"""


def _microsoft_sums(sample, column):
    """Exact totals of a column over the Microsoft rows, read independently with the csv module."""
    by_service: dict[str, Decimal] = {}
    with sample.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["ProviderName"] == "Microsoft":
                by_service[row["ServiceName"]] = by_service.get(row["ServiceName"], Decimal(0)) + Decimal(row[column])
    return by_service


def _store(third_party, tmp_path):
    """The sample loaded by `estate cost load`, which keeps its 51 Microsoft rows."""
    sample = third_party / "focus-sample-data" / "focus_sample_1.0.csv"
    loaded = run_cli("cost", "load", sample, "--store", tmp_path / "store")
    assert loaded.exit_code == 0, loaded.output
    return sample, tmp_path / "store"


def _period(line, label="2024-09"):
    return next(period for period in line["periods"] if period["period"] == label)


def test_focus_sample_reconciles_to_its_sums_by_line(third_party, tmp_path):
    sample, store = _store(third_party, tmp_path)
    case = write_case(tmp_path / "usd-case.yaml", USD_CASE)
    for column in ("EffectiveCost", "BilledCost"):
        sums = _microsoft_sums(sample, column)
        result = run_cli("cost", "reconcile", "--case", case, "--store", store, "--cost-column", column,
                         "--format", "json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        lines = {line["id"]: line for line in report["lines"]}
        assert report["currency"] == "USD" and report["cost_column"] == column
        # Each line-period figure is in pence (rounded half-up once); the total is the sum of those rows.
        storage, other = (sums[name].quantize(PENNY, ROUND_HALF_UP) for name in ("Storage Accounts",
                                                                                 "Azure Machine Learning"))
        assert Decimal(_period(lines["storage"])["actual"]) == storage
        assert Decimal(_period(lines["other-azure"])["actual"]) == other
        rest = sum(amount for service, amount in sums.items()
                   if service not in ("Storage Accounts", "Azure Machine Learning")).quantize(PENNY, ROUND_HALF_UP)
        assert Decimal(_period(report["unallocated"])["actual"]) == rest
        assert Decimal(_period(report["azure_total"])["actual"]) == storage + other + rest
        assert report["provenance"]["rows"] == 51


def test_effective_and_billed_cost_differ_and_the_report_names_the_column(third_party, tmp_path):
    _, store = _store(third_party, tmp_path)
    case = write_case(tmp_path / "usd-case.yaml", USD_CASE)

    text = run_cli("cost", "reconcile", "--case", case, "--store", store, "--cost-column", "BilledCost")

    assert text.exit_code == 0, text.output
    assert "actuals = BilledCost" in text.stdout and "billed cost (BilledCost)" in text.stdout


def test_a_gbp_case_against_usd_spend_exits_2(third_party, tmp_path):
    _, store = _store(third_party, tmp_path)
    case = write_case(tmp_path / "gbp-case.yaml", USD_CASE.replace("currency: USD", "currency: GBP"))

    result = run_cli("cost", "reconcile", "--case", case, "--store", store)

    assert result.exit_code == 2
    assert "holds spend in USD but the business case is in GBP" in result.stderr
    assert "--fx-table" in result.stderr and "Traceback" not in result.output


def test_an_fx_table_into_the_case_currency_converts_by_month(tmp_path):
    from tests.reconcile_helpers import Row, write_store

    store = write_store(tmp_path / "store", [Row("2024-09", "10", currency="USD", line="storage"),
                                             Row("2024-10", "10", currency="USD", line="storage")],
                        fx_csv="""\
                        from_currency,to_currency,month,rate
                        USD,GBP,2024-09,0.75
                        USD,GBP,2024-10,0.80
                        """)
    case = write_case(tmp_path / "gbp-case.yaml", USD_CASE.replace("currency: USD", "currency: GBP"))

    report = json.loads(run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "json").stdout)

    storage = next(line for line in report["lines"] if line["id"] == "storage")
    assert [_period(storage, label)["actual"] for label in ("2024-09", "2024-10")] == ["7.5", "8"]
    assert report["provenance"]["fx"].endswith("monthly rates into GBP")
