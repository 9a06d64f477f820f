"""Allocating actual spend to business-case lines: the tag, then the case's rules; the rest unallocated, shown."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.conftest import run_cli
from tests.reconcile_helpers import Row, write_case, write_store


def _reconcile_json(tmp_path, rows, *extra):
    case = write_case(tmp_path / "case.yaml")
    store = write_store(tmp_path / "store", rows)
    result = run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _line(report, line_id):
    return next(line for line in report["lines"] if line["id"] == line_id)


def _period(line, label):
    return next(period for period in line["periods"] if period["period"] == label)


def test_tag_names_the_line_before_any_rule(tmp_path):
    # Resource group rg-other-* would send this row to azure-other by rule 1; its tag wins.
    report = _reconcile_json(tmp_path, [Row("2024-05", "100", line="azure-run", resource_group="rg-other-1")])

    assert _period(_line(report, "azure-run"), "2024/25")["actual"] == "100"
    assert _period(_line(report, "azure-other"), "2024/25")["actual"] == "0"
    assert _line(report, "azure-run")["found_by"] == [{"how": "tag", "rows": 1, "amount": "100"}]


def test_tag_key_in_another_case_still_names_the_line(tmp_path):
    report = _reconcile_json(tmp_path, [Row("2024-05", "42.5", tags={"Business-Case-Line": "azure-run"},
                                            resource_group="rg-nowhere")])

    assert _period(_line(report, "azure-run"), "2024/25")["actual"] == "42.5"


def test_rules_place_untagged_spend_in_order(tmp_path):
    rows = [Row("2024-05", "10", resource_group="rg-other-apps"),        # rule 1 (resource group)
            Row("2024-05", "7", service="Storage Accounts"),             # rule 2 (service)
            Row("2024-05", "3", line="not-a-line", service="Storage")]  # unknown tag value: falls to the rules
    report = _reconcile_json(tmp_path, rows)

    other = _line(report, "azure-other")
    assert _period(other, "2024/25")["actual"] == "20"
    assert {(item["how"], item["rows"], item["amount"]) for item in other["found_by"]} == {
        ("rule 1", 1, "10"), ("rule 2", 2, "10")}


def test_unallocated_spend_is_kept_and_shown_with_what_it_is(tmp_path):
    rows = [Row("2024-05", "100", line="azure-run"),
            Row("2024-05", "12.34", service="Bandwidth", resource_group="rg-mystery"),
            Row("2024-06", "0.66", service="Bandwidth", resource_group="rg-mystery")]
    report = _reconcile_json(tmp_path, rows)

    assert _period(report["unallocated"], "2024/25")["actual"] == "13"
    assert report["unallocated_detail"] == [{"service": "Bandwidth", "resource_group": "rg-mystery",
                                             "subscription": "sub-1-name", "line_tag": "", "amount": "13",
                                             "rows": 2}]
    total = _period(report["azure_total"], "2024/25")
    assert Decimal(total["actual"]) == Decimal("113")  # nothing dropped: tagged + unallocated
    text = run_cli("cost", "reconcile", "--case", tmp_path / "case.yaml", "--store", tmp_path / "store")
    assert "Unallocated" in text.stdout and "rg-mystery" in text.stdout and "13.00" in text.stdout


def test_spend_without_a_subscription_matches_no_subscription_rule(tmp_path):
    case_text = (tmp_path / "x").parent.joinpath("case.yaml")
    from tests.reconcile_helpers import SMALL_CASE

    write_case(case_text, SMALL_CASE + '  - {line: azure-run, subscription: "*"}\n')
    store = write_store(tmp_path / "store", [Row("2024-05", "5", service="Support", resource_group=None,
                                                 subscription=None),
                                             Row("2024-05", "9", service="Compute", resource_group="rg-a")])
    result = run_cli("cost", "reconcile", "--case", case_text, "--store", store, "--format", "json")

    report = json.loads(result.stdout)
    assert _period(_line(report, "azure-run"), "2024/25")["actual"] == "9"
    assert _period(report["unallocated"], "2024/25")["actual"] == "5"


def test_lines_that_azure_does_not_bill_are_taken_at_the_case(tmp_path):
    report = _reconcile_json(tmp_path, [Row("2024-05", "100", line="azure-run")])

    baseline = _line(report, "baseline")
    assert baseline["measured"] is False
    assert _period(baseline, "2024/25")["actual"] is None
    assert _period(baseline, "2024/25")["outturn"] == "2400"
