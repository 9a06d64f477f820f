"""The reports: XLSX with native charts, one self-contained HTML file with SVG, CSV, and what they say."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import openpyxl
import pytest

from tests.conftest import EXAMPLE_ESTATE, run_cli
from tests.reconcile_helpers import Row, example_forecast, write_store

CASE = "stacks/business-case.yaml"


@pytest.fixture
def example(tmp_path):
    """A small store for the council's case (two lines and some unallocated spend) and its forecast."""
    rows = [Row(month, "45000", line="azure-costs-sungard") for month in ("2020-10", "2020-11", "2020-12", "2021-01")]
    rows += [Row("2020-12", "13000", line="orchard-house-costs"), Row("2021-01", "999.99", service="Azure Support",
                                                                       resource_group=None, subscription=None)]
    store = write_store(tmp_path / "store", rows, source="synthetic-focus-1.0-lcc-2021-01.csv")
    forecast = example_forecast(tmp_path / "forecast.json", EXAMPLE_ESTATE)
    return tmp_path, store, forecast


def _run(example, output_format, *extra):
    folder, store, forecast = example
    out = folder / f"report.{output_format}"
    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", forecast, "--estate",
                     EXAMPLE_ESTATE, "--format", output_format, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return out


def test_xlsx_opens_with_openpyxl_and_holds_its_charts(example):
    path = _run(example, "xlsx")
    book = openpyxl.load_workbook(path)

    assert book.sheetnames == ["Board summary", "Summary", "Lines x periods", "Cumulative position", "Monthly",
                               "Unallocated"]
    charts = {sheet.title: sheet._charts for sheet in book.worksheets if sheet._charts}
    assert set(charts) == {"Cumulative position", "Monthly"}
    assert "SYNTHETIC" in book["Summary"]["A1"].value and "SYNTHETIC DATA" in book["Summary"]["A2"].value
    lines = book["Lines x periods"]
    headers = [cell.value for cell in lines[2]]  # row 1: the sheet's title
    assert "Actual (GBP)" in headers and "Estimate to date (GBP)" in headers
    row = next(r for r in lines.iter_rows(min_row=3) if r[0].value == "Azure Costs SunGard" and r[1].value == "2020")
    actual = row[headers.index("Actual (GBP)")]
    assert actual.value == 135000 and '"GBP"' in actual.number_format
    source = row[headers.index("Where the figures come from")].value
    assert "line azure-costs-sungard, 2020" in source and "sum of EffectiveCost in cost store" in source
    assert "3 months to 2021-01 (tag 4 rows)" in source and "estimate: forecast" in source
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/charts/chart")]
    monthly = next(chart for chart in charts if "Monthly Azure spend vs case" in chart)
    # Bars of actual spend with the case and the estimate drawn over them, from the Monthly sheet's cells.
    assert "<barChart>" in monthly and "<lineChart>" in monthly
    assert {"'Monthly'!$B$3:$B$6", "'Monthly'!$C$3:$C$6", "'Monthly'!$D$3:$D$6"} <= set(
        re.findall(r"<f>([^<]*\$\d+)</f>", monthly))
    assert all('<delete val="0" />' in chart for chart in charts)  # axes shown
    unallocated = book["Unallocated"]
    assert unallocated["A3"].value == "Azure Support" and float(unallocated["E3"].value) == pytest.approx(999.99)


def test_html_is_one_file_with_inline_svg_and_nothing_fetched(example):
    html = _run(example, "html").read_text(encoding="utf-8")

    assert html.count("<svg") == 2
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html)
    assert not re.search(r"url\((?!#)", html) and "@import" not in html  # only in-document url(#clip) references
    assert "SYNTHETIC DATA" in html and "EffectiveCost" in html
    assert "Actual (GBP)" in html and "Estimate to date (GBP)" in html
    # Provenance on figures: the actual cell says which store, column and months it sums.
    assert re.search(r'title="cost store [^"]+: sum of EffectiveCost, \d+ of 12 months with actuals', html)
    assert "Azure Support" in html  # the unallocated spend is shown


def test_csv_has_a_row_per_line_and_period_with_the_currency(example):
    rows = list(csv.DictReader(io.StringIO(_run(example, "csv").read_text(encoding="utf-8"))))

    periods = 6
    assert len(rows) == (9 + 2 + 3) * periods  # nine case lines, unallocated, the Azure total, capital/revenue/all
    assert {row["currency"] for row in rows} == {"GBP"} and {row["synthetic"] for row in rows} == {"yes"}
    sungard_2020 = next(r for r in rows if r["line"] == "azure-costs-sungard" and r["period"] == "2020")
    assert (sungard_2020["actual"], sungard_2020["case"], sungard_2020["case_to_date"]) == (
        "135000", "517000", "129250")


def test_text_and_json_name_the_cost_column_and_say_synthetic(example):
    _, store, _ = example
    text = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--cost-column", "BilledCost")
    report = json.loads(run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--format", "json").stdout)

    assert "SYNTHETIC DATA" in text.stdout and "BilledCost" in text.stdout and "(GBP)" in text.stdout
    assert report["synthetic"] is True and report["cost_column"] == "EffectiveCost"


def test_xlsx_needs_an_out_file(example):
    _, store, _ = example
    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--format", "xlsx")
    assert result.exit_code == 2 and "--out" in result.stderr


def test_a_missing_store_exits_2_naming_cost_load(tmp_path):
    result = run_cli("cost", "reconcile", "--case", CASE, "--store", tmp_path / "nowhere")
    assert result.exit_code == 2 and "estate cost load" in result.stderr
