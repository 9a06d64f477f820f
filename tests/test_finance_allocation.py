"""`estate cost summary` and `estate cost reconcile` place the same rows on the same lines."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from tests.conftest import run_cli
from tests.finance_helpers import PERIODS, build
from tests.reconcile_helpers import SMALL_CASE, Row, write_case, write_store

ROWS = [Row("2024-05", "100", tags={"Business-Case-Line": "azure-run"}),
        Row("2024-05", "7.25", tags={"business-case-line": "azure-run"}),
        Row("2024-06", "30", service="Storage Accounts"),  # rule 2: azure-other
        Row("2024-06", "12", resource_group="rg-other-1"),  # rule 1: azure-other
        Row("2024-06", "5", service="Bandwidth", resource_group="rg-mystery")]  # neither


def _summary(store, *extra):
    result = run_cli("cost", "summary", "--store", store, "--by", "business-case-line", "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return {row["business-case-line"]: Decimal(row["effective_cost"]) for row in json.loads(result.stdout)["rows"]}


def test_summary_reads_a_tag_key_in_any_case_as_reconcile_does(tmp_path):
    store = write_store(tmp_path / "store", ROWS)

    assert _summary(store)["azure-run"] == Decimal("107.25")


def test_summary_with_the_case_allocates_every_row_to_the_same_line_as_reconcile(tmp_path):
    store = write_store(tmp_path / "store", ROWS)
    case = write_case(tmp_path / "case.yaml", SMALL_CASE)

    by_summary = _summary(store, "--case", case)
    report = json.loads(run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "json").stdout)

    by_reconcile = {line["id"]: sum((Decimal(item["amount"]) for item in line["found_by"]), Decimal(0))
                    for line in report["lines"] if line["found_by"]}
    by_reconcile["(unallocated)"] = sum((Decimal(item["amount"]) for item in report["unallocated_detail"]),
                                        Decimal(0))
    assert by_summary == by_reconcile == {"azure-run": Decimal("107.25"), "azure-other": Decimal(42),
                                          "(unallocated)": Decimal(5)}


def test_csv_and_text_totals_are_the_sums_of_their_rows(tmp_path):
    case, store = build(tmp_path)
    out = tmp_path / "report.csv"
    assert run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "csv", "--out",
                   out).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    by_line = {(row["line"], row["period"]): row for row in rows}
    text = run_cli("cost", "reconcile", "--case", case, "--store", store).stdout
    for total in ("(capital)", "(revenue)", "(all-costs)", "(azure-total)"):
        members = by_line[(total, PERIODS[0])]["sums"].split(" + ")
        for period in PERIODS:
            for column in ("case", "actual", "variance", "outturn", "outturn_variance"):
                values = [by_line[(member, period)][column] for member in members]
                present = [Decimal(value) for value in values if value]
                shown = by_line[(total, period)][column]
                assert (Decimal(shown) if shown else None) == (sum(present, Decimal(0)) if present else None)
        outturn = Decimal(by_line[(total, PERIODS[1])]["outturn"])
        assert f"{outturn:,.2f}" in text


def test_xlsx_totals_are_the_sums_of_their_rows(tmp_path):
    import openpyxl

    case, store = build(tmp_path)
    out = tmp_path / "report.xlsx"
    assert run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "xlsx", "--out",
                   out).exit_code == 0
    report = json.loads(run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "json").stdout)
    sheet = openpyxl.load_workbook(out)["Lines x periods"]
    headers = [cell.value for cell in sheet[2]]  # row 1 is the sheet's title (with SYNTHETIC when synthetic)
    cells = {(row[0].value, row[1].value): row for row in sheet.iter_rows(min_row=3)}
    labels = {line["id"]: line["label"] for line in [*report["lines"], report["unallocated"], report["azure_total"],
                                                     *report["totals"]]}
    for total in report["totals"]:
        for period in PERIODS:
            for column in ("Case (GBP)", "Outturn (GBP)", "Variance (GBP)"):
                at = headers.index(column)
                parts = [cells[(labels[member], period)][at].value for member in total["sums"]]
                shown = cells[(total["label"], period)][at].value
                present = [Decimal(str(value)) for value in parts if value is not None]
                assert (Decimal(str(shown)) if shown is not None else None) == (
                    sum(present, Decimal(0)) if present else None), (total["id"], period, column)
