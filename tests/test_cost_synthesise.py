"""`estate cost synthesise`: a seeded SYNTHETIC FOCUS 1.0 export for the example estate, priced from the forecast."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

from tests.conftest import EXAMPLE_ESTATE, run_cli
from tests.reconcile_helpers import example_forecast


@pytest.fixture
def forecast(tmp_path):
    return example_forecast(tmp_path / "forecast.json", EXAMPLE_ESTATE)


def _synthesise(forecast, out, *extra):
    result = run_cli("cost", "synthesise", "--estate", EXAMPLE_ESTATE, "--forecast", forecast, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return result


def _rows(folder):
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += [dict(row, file=path.name) for row in csv.DictReader(handle)]
    return rows


def test_writes_at_least_15_months_of_synthetic_named_focus_files(forecast, tmp_path):
    result = _synthesise(forecast, tmp_path / "export")

    files = sorted(path.name for path in (tmp_path / "export").iterdir())
    assert "SYNTHETIC FOCUS 1.0 export, 18 files" in result.stdout
    assert files[0] == "SYNTHETIC-README.md" and len(files) == 19
    assert all(name.startswith("synthetic-focus-1.0-lcc-") for name in files[1:])
    assert files[1] == "synthetic-focus-1.0-lcc-2019-11.csv"  # the month before the pilot wave (2019-12)
    header = (tmp_path / "export" / files[1]).read_text().splitlines()[0].split(",")
    assert {"ChargePeriodStart", "BilledCost", "EffectiveCost", "BillingCurrency", "Tags", "ResourceId"} <= set(header)


def test_same_seed_same_bytes_other_seed_other_noise(forecast, tmp_path):
    _synthesise(forecast, tmp_path / "a", "--months", "15")
    _synthesise(forecast, tmp_path / "b", "--months", "15")
    _synthesise(forecast, tmp_path / "c", "--months", "15", "--seed", "7")

    name = "synthetic-focus-1.0-lcc-2020-12.csv"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()


def test_priced_from_the_forecast_with_noise(forecast, tmp_path):
    _synthesise(forecast, tmp_path / "export")
    azure_monthly = sum(Decimal(line["monthly"]) for line in json.loads(forecast.read_text())["lines"]
                        if not line["type"].startswith("estate:onprem:"))

    last_month = [row for row in _rows(tmp_path / "export") if row["ChargePeriodStart"].startswith("2021-04")
                  and row["ChargeCategory"] == "Usage"]
    total = sum(Decimal(row["EffectiveCost"]) for row in last_month)
    assert abs(total / azure_monthly - 1) < Decimal("0.02")  # +/-4 % noise per row averages out over ~700 rows
    assert total != azure_monthly


def test_untagged_resources_unplaced_support_and_one_correction(forecast, tmp_path):
    _synthesise(forecast, tmp_path / "export")
    rows = _rows(tmp_path / "export")

    untagged = [row for row in rows if row["Tags"] == "{}" and row["SubAccountId"]]
    assert untagged and all("business-case-line" in json.loads(row["Tags"]) or row in untagged for row in rows
                            if row["SubAccountId"])
    support = [row for row in rows if row["ServiceName"] == "Azure Support"]
    assert len(support) == 18 and all(not row["SubAccountId"] for row in support)
    corrections = [row for row in rows if row["ChargeClass"] == "Correction"]
    assert len(corrections) == 1
    correction = corrections[0]
    assert Decimal(correction["EffectiveCost"]) < 0 and correction["ChargeCategory"] == "Adjustment"
    assert correction["ChargePeriodStart"].startswith("2020-08") and correction["BillingPeriodStart"].startswith(
        "2020-10") and correction["file"].endswith("2020-10.csv")


def test_reconciled_synthetic_spend_is_placed_shown_and_labelled(forecast, tmp_path):
    _synthesise(forecast, tmp_path / "export")
    rows = _rows(tmp_path / "export")
    store = tmp_path / "store"
    loaded = run_cli("cost", "load", tmp_path / "export", "--store", store)
    assert loaded.exit_code == 0, loaded.output

    result = run_cli("cost", "reconcile", "--case", "stacks/business-case.yaml", "--store", store, "--forecast",
                     forecast, "--estate", EXAMPLE_ESTATE, "--format", "json")

    report = json.loads(result.stdout)
    assert report["synthetic"] is True and report["as_of"] == "2021-04"
    total = sum(Decimal(row["EffectiveCost"]) for row in rows)
    monthly = sum(Decimal(month["actual"]) for month in report["monthly"])
    assert monthly == total.quantize(Decimal("1e-6"))  # every row, the correction included, is in some month
    assert report["unallocated_detail"][0]["service"] == "Azure Support"
    found = {item["how"] for line in report["lines"] for item in line["found_by"]}
    assert {"tag", "rule 1", "rule 3"} <= found  # untagged orchard servers by resource group, the rest by subscription
    # The correction is in August 2020, the month it corrects, not October when it was billed.
    august = sum(Decimal(row["EffectiveCost"]) for row in rows if row["ChargePeriodStart"].startswith("2020-08"))
    assert Decimal(next(m for m in report["monthly"] if m["month"] == "2020-08")["actual"]) == august.quantize(
        Decimal("1e-6"))


def test_a_missing_forecast_exits_2(tmp_path):
    result = run_cli("cost", "synthesise", "--forecast", tmp_path / "none.json", "--out", tmp_path / "x")
    assert result.exit_code == 2 and "cannot read the forecast" in result.stderr


def test_unpriced_forecast_components_are_named_not_invented(forecast, tmp_path):
    document = json.loads(forecast.read_text())
    document["unpriced"] = [{"urn": "urn:x", "reason": "no price"}] * 3
    forecast.write_text(json.dumps(document))

    result = _synthesise(forecast, tmp_path / "export")

    assert "leaves 3 components unpriced; they have no synthetic spend" in result.stderr
    assert "3 components the forecast left unpriced" in (tmp_path / "export" / "SYNTHETIC-README.md").read_text()
