"""`estate cost load` on the real third-party cost files in tests/data/third_party: row counts, sums, corrections."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from tests.cost_helpers import load, summary, totals_by


def _sum_column(path: Path, column: str, where=lambda row: True) -> tuple[int, Decimal]:
    """Rows and exact total of a column, read independently with the csv module."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.DictReader(handle) if where(row)]
    return len(rows), sum((Decimal(row[column]) for row in rows), Decimal(0))


def _rows(relation) -> list[dict]:
    """A DuckDB relation's rows as dicts, through Arrow (timestamps stay UTC datetimes)."""
    return relation.to_arrow_table().to_pylist()


def test_focus_sample_keeps_the_51_microsoft_rows_of_1000(third_party, tmp_path):
    sample = third_party / "focus-sample-data" / "focus_sample_1.0.csv"
    # The README's figures for the whole file, so we know the fixture is the one described.
    assert _sum_column(sample, "BilledCost") == (1000, Decimal("20.52022672899"))
    assert _sum_column(sample, "EffectiveCost")[1] == Decimal("14.97651418586")
    microsoft_rows, microsoft_billed = _sum_column(sample, "BilledCost", lambda r: r["ProviderName"] == "Microsoft")

    result = load(sample, tmp_path / "store", "--format", "json")

    assert result.exit_code == 0, result.output
    assert '"rows_read": 1000' in result.stdout and '"rows_stored": 51' in result.stdout
    report = summary(tmp_path / "store")
    assert report["currency"] == "USD"
    assert report["total"]["rows"] == microsoft_rows == 51
    assert Decimal(report["total"]["billed_cost"]) == microsoft_billed == Decimal("1.97651418586")


def test_focus_sample_null_literals_regions_and_tags_are_normalised(third_party, tmp_path):
    load(third_party / "focus-sample-data" / "focus_sample_1.0.csv", tmp_path / "store")
    from costing.actuals.store import relation

    row = _rows(relation(tmp_path / "store").filter("ServiceName = 'Storage Accounts'"))[0]
    assert row["ChargeClass"] is None  # the literal NULL
    assert row["RegionId"] == "eastus" and row["RegionName"] == "East US"
    tags = json.loads(row["Tags"])  # stored as compact JSON object text
    assert tags["env"] == "prod" and tags[" org"] == "trey"  # the duplicate key with a space is kept, not "fixed"
    assert row["x_SourceFile"].endswith("focus_sample_1.0.csv") and row["x_SourceRow"] > 0


def test_ea_actual_cost_details_load_with_their_sum(third_party, tmp_path):
    export = third_party / "finops-toolkit" / "cost-exports" / "EA_ActualCost_Small.csv"
    rows, cost = _sum_column(export, "Cost")

    result = load(export, tmp_path / "store")

    assert result.exit_code == 0, result.output
    assert "ea-cost-details/actual" in result.stdout
    report = summary(tmp_path / "store")
    assert report["total"]["rows"] == rows == 11
    assert Decimal(report["total"]["billed_cost"]) == cost == Decimal("8.5450077867419368")
    assert report["rows"] == [{"month": "2023-09", "billed_cost": "8.5450077867419368",
                               "effective_cost": "8.5450077867419368", "rows": 11}]


def test_ea_cost_details_uk_reservation_purchase_tags_and_dates(third_party, tmp_path):
    load(third_party / "finops-toolkit" / "cost-exports" / "EA_ActualCost_Small.csv", tmp_path / "store")
    from costing.actuals.store import relation

    store = relation(tmp_path / "store")
    row = _rows(store.filter("ChargeCategory = 'Purchase'"))[0]
    assert row["RegionId"] == "uksouth" and row["BilledCost"] == Decimal("3.25")
    assert row["ChargePeriodStart"].isoformat().startswith("2023-09-21T00:00:00")
    assert row["BillingPeriodEnd"].isoformat().startswith("2023-10-01")  # 09/30/2023 inclusive -> exclusive end
    assert row["ChargeFrequency"] == "Recurring" and row["PricingCategory"] == "Committed"
    tagged = _rows(store.filter("x_ResourceGroupName LIKE 'databricks%'"))[0]
    # Cost details write tags without braces; the store holds them as a JSON object.
    assert tagged["Tags"].startswith("{") and json.loads(tagged["Tags"])["CostCenter"] == "1234"


def test_ea_amortized_cost_details_keep_all_22_decimal_places(third_party, tmp_path):
    export = third_party / "finops-toolkit" / "cost-exports" / "EA_AmortizedCost_Small.csv"
    rows, cost = _sum_column(export, "Cost")

    result = load(export, tmp_path / "store")

    assert result.exit_code == 0, result.output
    assert "ea-cost-details/amortized" in result.stdout and "rounded" not in result.stdout
    report = summary(tmp_path / "store")
    assert report["total"]["rows"] == rows == 28
    assert Decimal(report["total"]["effective_cost"]) == cost
    assert round(cost, 3) == Decimal("16.297")
    # Amortised commitment usage was billed at purchase, so it is not billed again.
    assert Decimal(report["total"]["billed_cost"]) < cost


def test_ea_export_with_no_rows_is_refused(third_party, tmp_path):
    result = load(third_party / "finops-toolkit" / "cost-exports" / "EA_NoRows.csv", tmp_path / "store")

    assert result.exit_code == 2
    assert "EA_NoRows.csv" in result.stderr and "no rows" in result.stderr
    assert not (tmp_path / "store").exists()


def _corrections(third_party: Path, form: str, tmp_path: Path) -> dict[tuple, Decimal]:
    folder = third_party / "focus-spec" / "correction-handling"
    store = tmp_path / form
    for name in ("scenario_1_partial_reallocation_original.csv", f"scenario_1_partial_reallocation_{form}.csv"):
        result = load(folder / name, store, "--currency", "USD")
        assert result.exit_code == 0, result.output
    return totals_by(store, "ResourceId", "strftime(ChargePeriodStart, '%Y-%m')")


def test_delta_corrections_net_to_their_charge_month(third_party, tmp_path):
    assert _corrections(third_party, "delta", tmp_path) == {("R-111", "2025-05"): Decimal(1200),
                                                            ("R-222", "2025-05"): Decimal(300)}


def test_ledger_corrections_net_to_the_same_totals(third_party, tmp_path):
    assert _corrections(third_party, "ledger", tmp_path) == {("R-111", "2025-05"): Decimal(1200),
                                                             ("R-222", "2025-05"): Decimal(300)}


def test_late_arriving_usage_billed_in_june_is_may_spend(third_party, tmp_path):
    folder = third_party / "focus-spec" / "correction-handling"
    for form in ("delta", "ledger"):
        store = tmp_path / form
        assert load(folder / f"scenario_2_late_arriving_usage_{form}.csv", store, "--currency", "USD").exit_code == 0
        report = summary(store)
        assert report["rows"] == [{"month": "2025-05", "billed_cost": "1500", "effective_cost": "1500", "rows": 1}]


def test_correction_files_without_a_currency_column_need_one(third_party, tmp_path):
    original = third_party / "focus-spec" / "correction-handling" / "scenario_1_partial_reallocation_original.csv"

    result = load(original, tmp_path / "store")

    assert result.exit_code == 2
    assert "BillingCurrency" in result.stderr and "--currency" in result.stderr
