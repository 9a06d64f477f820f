"""`estate case show`: its JSON shape, --strict, and bad case files answered with exit 2 and file:line."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.conftest import ROOT, run_cli

EXAMPLE_CASE = ROOT / "stacks" / "business-case.yaml"

GOOD_CASE = textwrap.dedent("""\
    name: Test case
    organisation: Test Council
    currency: GBP
    unit: thousands
    periods: [2024/25, 2025/26, 2026/27]
    lines:
      - id: baseline
        label: Baseline
        kind: baseline
        classification: revenue
        values: [500, 500, 500]
      - id: azure-run
        label: Azure
        kind: cloud-run
        classification: revenue
        values: [500, 300, 300]
      - id: migration
        label: Migration
        kind: one-off
        classification: capital
        values: [200, 0, 0]
    stated:
      - {figure: cumulative, values: [-200, 0, 200], source: the table}
    """)


@pytest.fixture
def write_case(tmp_path):
    def write(text: str = GOOD_CASE) -> str:
        path = tmp_path / "case.yaml"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_json_has_the_issues_shape_with_amounts_as_decimal_strings():
    result = run_cli("case", "show", EXAMPLE_CASE, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"currency", "unit", "periods", "lines", "derived", "warnings"} <= set(document)
    assert (document["currency"], document["unit"]) == ("GBP", "thousands")
    assert document["periods"] == ["2019", "2020", "2021", "2022", "2023", "2024"]
    line = document["lines"][2]
    assert {"name", "kind", "classification", "values"} <= set(line)
    assert line["name"] == "azure-costs-sungard"
    assert line["values"] == ["0", "517", "642", "642", "642", "642"]
    derived = document["derived"]
    assert derived["benefit"] == ["0", "172", "897", "897", "897", "897"]
    assert derived["cumulative"] == ["-373", "-991", "-94", "803", "1700", "2597"]
    assert derived["payback"] == {"period": "2022", "months": "37.26"}
    assert derived["npv"] == "2213.23"
    assert "year 0 and is not discounted" in derived["convention"]
    assert derived["savings_measures_annual"] == "218.4"
    assert len(document["warnings"]) == 4
    assert all(isinstance(warning, str) for warning in document["warnings"])


def test_text_shows_the_table_the_derived_figures_and_the_warnings():
    result = run_cli("case", "show", EXAMPLE_CASE)
    assert result.exit_code == 0, result.output
    for expected in ("Transformed cost", "Cumulative position", "2,597", "in 2022, 37.26 months", "2,213.23",
                     "Green Book", "MISMATCH", "Warnings: 4", "1,165", "1,163", "azure-costs-sungard"):
        assert expected in result.stdout


def test_strict_turns_warnings_into_exit_1():
    result = run_cli("case", "show", EXAMPLE_CASE, "--strict")
    assert result.exit_code == 1
    assert "4 stated figures disagree" in result.stderr


def test_strict_passes_a_consistent_case(write_case):
    result = run_cli("case", "show", write_case(), "--strict", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["warnings"] == []
    assert document["derived"]["payback"] == {"period": "2025/26", "months": "24.00"}


def test_a_mismatching_stated_figure_names_both_figures(write_case):
    result = run_cli("case", "show", write_case(GOOD_CASE.replace("[-200, 0, 200]", "[-200, 0, 250]")),
                     "--format", "json")
    assert result.exit_code == 0
    (warning,) = json.loads(result.stdout)["warnings"]
    assert "-200 / 0 / 250" in warning and "-200 / 0 / 200" in warning and "2026/27" in warning


@pytest.mark.parametrize(
    ("change", "line", "expected"),
    [
        (("periods: [2024/25, 2025/26, 2026/27]\n", ""), 1, "required key 'periods' is missing"),
        (("values: [500, 300, 300]", "values: [500, 300]"), 16, "has 2 values but the case has 3 periods"),
        (("kind: cloud-run", "kind: cloud"), 14, "Input should be"),
        (("values: [200, 0, 0]", 'values: ["200", 0, 0]'), 21, "amounts must be numbers, not text"),
        (("values: [200, 0, 0]", 'values: [£200, 0, 0]'), 21, "amounts must be numbers, not text"),
        (("unit: thousands\n", ""), 1, "required key 'unit' is missing"),
        (("[2024/25, 2025/26, 2026/27]", "[2024/25, 2026/27, 2027/28]"), 5, "does not follow '2024/25'"),
        (("[2024/25, 2025/26, 2026/27]", "[2024/25, 2025/26, 2026]"), 5, "is a calendar-year"),
        (("[2024/25, 2025/26, 2026/27]", "[2024/25, 2025/26, FY27]"), 5, "'FY27' is not a period"),
        (("{figure: cumulative, values: [-200, 0, 200], source: the table}",
          "{figure: sum-of-lines, lines: [azure], amount: 1, source: x}"), 23, "no line called 'azure'"),
        (("stated:", "rules:\n  - {line: azure-run}\nstated:"), 23, "at least one of 'service'"),
        (("kind: baseline", "kind: legacy-run"), 6, "no line of kind 'baseline'"),
        (("id: migration", "id: azure-run"), 17, "id 'azure-run' is used twice"),
        (("values: [-200, 0, 200]", "values: [-200, 0]"), 23, "2 values stated but the case has 3 periods"),
        (("unit: thousands", "unit: pounds"), 4, "Input should be"),
    ],
)
def test_bad_case_files_exit_2_with_file_and_line(write_case, change, line, expected):
    old, new = change
    assert old in GOOD_CASE
    path = write_case(GOOD_CASE.replace(old, new, 1))
    result = run_cli("case", "show", path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{path}:{line}:" in result.stderr
    assert expected in result.stderr


def test_a_missing_case_file_exits_2_and_says_which_file(tmp_path):
    result = run_cli("case", "show", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "nope.yaml: no such file" in result.stderr
    assert "business-case" in result.stderr


def test_a_yaml_syntax_error_exits_2_with_its_line(write_case):
    path = write_case(GOOD_CASE.replace("unit: thousands", "unit: [thousands"))
    result = run_cli("case", "show", path)
    assert result.exit_code == 2
    assert f"{path}:" in result.stderr and "YAML syntax error" in result.stderr


def test_case_budgets_shows_what_the_platform_stack_would_create():
    result = run_cli("case", "budgets", EXAMPLE_CASE, "--financial-year", "2020/21", "--email", "imt@example.gov.uk",
                     "--format", "json")
    assert result.exit_code == 0, result.output
    budgets = {budget["line"]: budget for budget in json.loads(result.stdout)}
    assert budgets["azure-costs-sungard"]["amount"] == "548250.00"
    assert budgets["azure-costs-sungard"]["start_date"] == "2020-04-01"
    assert budgets["azure-costs-sungard"]["end_date"] == "2021-03-31"
    assert budgets["orchard-house-costs"]["contact_emails"] == ["imt@example.gov.uk"]


def test_case_budgets_outside_the_case_exits_2_and_offers_carry_forward():
    result = run_cli("case", "budgets", EXAMPLE_CASE, "--financial-year", "2030/31", "--email", "imt@example.gov.uk")
    assert result.exit_code == 2
    assert "not covered by the business case" in result.stderr and "--carry-forward" in result.stderr
    carried = run_cli("case", "budgets", EXAMPLE_CASE, "--financial-year", "2030/31", "--email", "imt@example.gov.uk",
                      "--carry-forward")
    assert carried.exit_code == 0, carried.output
    assert "642,000.00" in carried.stdout
