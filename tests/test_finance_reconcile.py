"""Finance-grade reconciliation of a second case: ledger + Azure actuals, profile and run-rate re-forecasts,
favourable/adverse, both threshold pairs, capital vs revenue, NPV and paybacks, every figure worked out here."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from costing.business_case.derive import payback
from estate.foundation.periods import financial_year
from tests.conftest import run_cli
from tests.finance_helpers import (
    AZURE_MIGRATION,
    AZURE_PROGRAMME,
    AZURE_RUN,
    CASE_VALUES,
    MONTHS_2025,
    PERIODS,
    UNIT,
    UNTAGGED,
    D,
    build,
    ledger_total,
    pennies,
    total,
)

COVERED = 6  # April to September 2025 of the open year 2025/26
REMAINING = 6


def _report(case, store, *extra):
    result = run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _line(report, line_id):
    return next(line for line in [*report["lines"], report["unallocated"], report["azure_total"],
                                  *report["totals"]] if line["id"] == line_id)


def _period(line, label="2025/26"):
    return next(period for period in line["periods"] if period["period"] == label)


def _case(line_id, index=1) -> Decimal:
    return D(CASE_VALUES[line_id][index]) * UNIT


def _to_date(line_id) -> Decimal:
    return _case(line_id) * COVERED / 12


@pytest.fixture
def finance(tmp_path):
    return build(tmp_path)


def test_each_line_takes_its_actuals_from_azure_the_ledger_or_both_and_says_which(finance):
    report = _report(*finance)

    sources = {line["id"]: line["actuals_source"] for line in report["lines"]}
    assert sources == {"baseline": "none", "legacy-hosting": "ledger", "azure-run": "azure",
                       "managed-service": "ledger", "migration": "both", "programme": "azure"}
    migration = _period(_line(report, "migration"))
    assert D(migration["actual_ledger"]) == ledger_total("migration")
    assert D(migration["actual_azure"]) == total(AZURE_MIGRATION.values())
    assert D(migration["actual"]) == ledger_total("migration") + total(AZURE_MIGRATION.values())
    legacy = _period(_line(report, "legacy-hosting"))
    assert D(legacy["actual"]) == ledger_total("legacy-hosting") and legacy["actual_azure"] is None
    assert D(_period(_line(report, "azure-run"))["actual"]) == total(AZURE_RUN.values())


def test_a_period_before_any_actuals_is_no_actuals_yet_never_the_case(finance):
    report = _report(*finance)

    for line_id in ("legacy-hosting", "azure-run", "migration"):
        closed = _period(_line(report, line_id), "2024/25")
        assert closed["actual"] is None and closed["actuals_status"] == "no actuals yet"
        assert closed["variance"] is None and closed["direction"] is None
    assert _period(_line(report, "azure-run"))["actuals_status"] == "actuals to date"
    text = run_cli("cost", "reconcile", "--case", finance[0], "--store", finance[1]).stdout
    assert "no actuals yet" in text


def test_variances_say_favourable_or_adverse(finance):
    report = _report(*finance)

    for line_id, expected in (("azure-run", "adverse"), ("legacy-hosting", "favourable"),
                              ("managed-service", "favourable"), ("migration", "adverse")):
        period = _period(_line(report, line_id))
        actual = D(period["actual"])
        assert D(period["variance"]) == actual - _to_date(line_id)
        assert period["direction"] == expected
    assert "underspend" in report["sign_convention"] and "favourable" in report["sign_convention"]
    text = run_cli("cost", "reconcile", "--case", finance[0], "--store", finance[1]).stdout
    over = total(AZURE_RUN.values()) - _to_date("azure-run")
    under = ledger_total("legacy-hosting") - _to_date("legacy-hosting")
    assert f"{over:,.2f} (A)" in text and f"{under:,.2f} (F)" in text


def test_underspend_has_its_own_thresholds_and_within_them_is_not_red(finance):
    # Legacy hosting: 27,000 against 30,000 to date, 10 % under.
    legacy = _period(_line(_report(*finance), "legacy-hosting"))
    percent = (ledger_total("legacy-hosting") - _to_date("legacy-hosting")) * 100 / _to_date("legacy-hosting")
    assert D(legacy["variance_percent"]) == percent
    assert legacy["rag"] == "green"  # within the default underspend green (10 %); an overspend of 10 % is amber
    strict = _period(_line(_report(*finance, "--underspend-green", "5", "--underspend-amber", "8"), "legacy-hosting"))
    assert strict["rag"] == "red"
    amber = _period(_line(_report(*finance, "--underspend-green", "5", "--underspend-amber", "12"), "legacy-hosting"))
    assert amber["rag"] == "amber"
    # The overspend pair leaves underspends alone, and governs the Azure line's 2.5 % overspend.
    tight = _report(*finance, "--green", "1", "--amber", "2")
    assert _period(_line(tight, "legacy-hosting"))["rag"] == "green"
    assert _period(_line(tight, "azure-run"))["rag"] == "red"
    bad = run_cli("cost", "reconcile", "--case", finance[0], "--store", finance[1], "--underspend-green", "30",
                  "--underspend-amber", "20")
    assert bad.exit_code == 2 and "underspend green threshold" in bad.stderr


def _ytd_factor(actual: Decimal, line_id: str) -> Decimal:
    return actual / _to_date(line_id)


def test_profile_reforecast_keeps_the_cases_ramp_up_and_carries_the_ytd_variance(finance):
    report = _report(*finance)  # default: profile, ytd-variance
    assert report["reforecast"]["method"] == "profile" and report["reforecast"]["adjust"] == "ytd-variance"

    actual = total(AZURE_RUN.values())
    factor = _ytd_factor(actual, "azure-run")
    line = _line(report, "azure-run")
    open_year = _period(line)
    assert D(open_year["outturn"]) == pennies(actual + _case("azure-run") * REMAINING / 12 * factor)
    assert open_year["reforecast_basis"] == "actual + case profile"
    future = _period(line, "2026/27")  # the case's ramp-up to 144k stays, adjusted by the same factor
    assert D(future["outturn"]) == pennies(_case("azure-run", 2) * factor)
    assert future["reforecast_basis"] == "re-forecast (case profile)"
    flat = _report(*finance, "--reforecast-adjust", "none")
    assert D(_period(_line(flat, "azure-run"))["outturn"]) == actual + _case("azure-run") * REMAINING / 12
    assert D(_period(_line(flat, "azure-run"), "2026/27")["outturn"]) == _case("azure-run", 2)


def test_run_rate_reforecast_is_still_there_and_labelled(finance):
    report = _report(*finance, "--reforecast", "run-rate")

    rate = total(list(AZURE_RUN.values())[-3:]) / 3
    line = _line(report, "azure-run")
    assert D(_period(line)["outturn"]) == pennies(total(AZURE_RUN.values()) + rate * REMAINING)
    assert D(_period(line, "2026/27")["outturn"]) == pennies(rate * 12)
    assert _period(line)["reforecast_basis"] == "actual + run rate"
    assert report["reforecast"]["labelled"] == "run-rate re-forecast"
    assert all(period["basis"].endswith("[run-rate]") for period in report["benefit"]["periods"])
    text = run_cli("cost", "reconcile", "--case", finance[0], "--store", finance[1], "--reforecast", "run-rate")
    assert "run-rate re-forecast" in text.stdout


def test_a_one_off_line_with_partial_azure_actuals_keeps_its_non_azure_remainder(finance):
    report = _report(*finance)

    programme = _line(report, "programme")
    assert programme["actuals_source"] == "azure" and programme["notes"]
    period = _period(programme)
    assert D(period["actual"]) == total(AZURE_PROGRAMME.values())
    assert D(period["outturn"]) == _case("programme")  # not 1,500 + a scaled-down remainder
    assert "non-Azure remainder" in period["outturn_basis"]
    # A one-off with ledger actuals carries its variance into its remaining profile.
    migration = _period(_line(report, "migration"))
    actual = ledger_total("migration") + total(AZURE_MIGRATION.values())
    assert D(migration["outturn"]) == pennies(actual + _case("migration") * REMAINING / 12
                                              * _ytd_factor(actual, "migration"))


def _outturns_2025(flat: bool) -> dict[str, Decimal]:
    """Each cost line's outturn for 2025/26 under the profile re-forecast, worked out from the inputs."""
    def profile(line_id, actual):
        factor = Decimal(1) if flat else _ytd_factor(actual, line_id)
        return pennies(actual + _case(line_id) * REMAINING / 12 * factor)

    migration = ledger_total("migration") + total(AZURE_MIGRATION.values())
    return {"legacy-hosting": profile("legacy-hosting", ledger_total("legacy-hosting")),
            "azure-run": profile("azure-run", total(AZURE_RUN.values())),
            "managed-service": profile("managed-service", ledger_total("managed-service")),
            "migration": profile("migration", migration), "programme": _case("programme"),
            "(unallocated)": total(UNTAGGED.values())}


def _outturns_2026() -> dict[str, Decimal]:
    factor = _ytd_factor(total(AZURE_RUN.values()), "azure-run")
    managed = _ytd_factor(ledger_total("managed-service"), "managed-service")
    return {"legacy-hosting": Decimal(0), "azure-run": pennies(_case("azure-run", 2) * factor),
            "managed-service": pennies(_case("managed-service", 2) * managed), "migration": Decimal(0),
            "programme": Decimal(0), "(unallocated)": Decimal(0)}


def test_capital_and_revenue_are_shown_separately_as_the_case_classifies_them(finance):
    report = _report(*finance)

    capital, revenue, costs = (_line(report, name) for name in ("(capital)", "(revenue)", "(all-costs)"))
    assert capital["sums"] == ["migration"]
    assert revenue["sums"] == ["legacy-hosting", "azure-run", "managed-service", "programme", "(unallocated)"]
    assert costs["sums"] == ["(capital)", "(revenue)"]
    outturns = _outturns_2025(flat=False)
    assert D(_period(capital)["outturn"]) == outturns["migration"]
    assert D(_period(revenue)["outturn"]) == sum(v for k, v in outturns.items() if k != "migration")
    assert D(_period(capital)["case"]) == _case("migration")
    for label_index, label in enumerate(PERIODS):
        assert D(_period(costs, label)["case"]) == sum(
            D(values[label_index]) * UNIT for line_id, values in CASE_VALUES.items() if line_id != "baseline")


def test_npv_and_paybacks_are_reforecast_on_the_same_basis_beside_the_plan(finance):
    report = _report(*finance)
    benefit = report["benefit"]

    periods = [financial_year(2024), financial_year(2025), financial_year(2026)]
    baseline = [D(value) * UNIT for value in CASE_VALUES["baseline"]]
    plan_costs = [sum(D(values[i]) * UNIT for key, values in CASE_VALUES.items() if key != "baseline")
                  for i in range(3)]
    reforecast_costs = [plan_costs[0], sum(_outturns_2025(flat=False).values()), sum(_outturns_2026().values())]
    plan_net = [b - c for b, c in zip(baseline, plan_costs, strict=True)]
    reforecast_net = [b - c for b, c in zip(baseline, reforecast_costs, strict=True)]
    assert [D(p["plan_net"]) for p in benefit["periods"]] == plan_net
    assert [D(p["reforecast_net"]) for p in benefit["periods"]] == reforecast_net
    assert [p["direction"] for p in benefit["periods"]] == ["favourable", "adverse", "adverse"]
    factors = [Decimal(1), 1 / Decimal("1.035"), 1 / Decimal("1.035") ** 2]
    plan_npv = sum(pennies(net * factor) for net, factor in zip(plan_net, factors, strict=True))
    reforecast_npv = sum(pennies(net * factor) for net, factor in zip(reforecast_net, factors, strict=True))
    assert D(benefit["plan_npv"]) == plan_npv and D(benefit["reforecast_npv"]) == reforecast_npv
    assert benefit["npv_direction"] == "adverse"
    assert [D(p["discount_factor"]) for p in benefit["periods"]] == [
        (1 / Decimal("1.035") ** year).quantize(Decimal("1e-12")) for year in (0, 1, 2)]
    assert [p["discount_year"] for p in benefit["periods"]] == [0, 1, 2]
    assert "2024/25 is year 0" in benefit["discounting_convention"]
    # Plan: cumulative -2k, +2k: pays back half-way through 2025/26 (18 months); the re-forecast a year later.
    plan = payback(plan_net, periods)
    assert benefit["plan_payback"] == {"period": plan.period, "months": str(pennies(plan.months))}
    assert plan.months == 18
    later = payback(reforecast_net, periods)
    assert benefit["reforecast_payback"] == {"period": later.period, "months": str(pennies(later.months))}
    assert later.period == "2026/27"
    discounted = payback([pennies(n * f) for n, f in zip(reforecast_net, factors, strict=True)], periods)
    assert benefit["reforecast_discounted_payback"]["period"] == discounted.period


def test_the_cases_own_inconsistencies_are_carried_into_every_report(tmp_path):
    from tests.finance_helpers import FINANCE_CASE, ledger_csv

    case, store = build(tmp_path)
    case.write_text(FINANCE_CASE + "stated:\n  - {figure: net, values: [-2, 4, 90], source: 'table 4: Net'}\n",
                    encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(ledger_csv(), encoding="utf-8")
    report = _report(case, store)
    assert len(report["case_warnings"]) == 1 and "table 4: Net" in report["case_warnings"][0]
    assert report["case_checks"][0]["ok"] is False
    for output_format in ("text", "html", "csv"):
        out = tmp_path / f"report.{output_format}"
        result = run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", output_format,
                         "--out", out)
        assert result.exit_code == 0, result.output
        assert "table 4: Net" in out.read_text(encoding="utf-8")
    xlsx = tmp_path / "report.xlsx"
    assert run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "xlsx", "--out",
                   xlsx).exit_code == 0
    import openpyxl

    summary = openpyxl.load_workbook(xlsx)["Summary"]
    assert any("table 4: Net" in str(cell.value) for row in summary.iter_rows() for cell in row)


def test_the_open_year_azure_total_is_the_sum_of_its_lines_under_run_rate(finance):
    # The defect: the total applied one run rate of its own and disagreed with its lines.
    report = _report(*finance, "--reforecast", "run-rate")
    azure = _line(report, "(azure-total)")
    rows = [_line(report, line_id) for line_id in azure["sums"]]
    assert set(azure["sums"]) == {"azure-run", "migration", "programme", "(unallocated)"}
    for label in PERIODS:
        assert D(_period(azure, label)["outturn"]) == sum(D(_period(row, label)["outturn"]) for row in rows)


def test_months_have_actuals_from_the_ledger_too(finance):
    report = _report(*finance)
    assert report["first_actual_month"] == MONTHS_2025[0] and report["as_of"] == MONTHS_2025[-1]
    assert report["provenance"]["ledger_entries"] == 10


def test_ledger_rows_on_a_cloud_run_line_are_added_to_azure_and_flagged(tmp_path):
    from tests.finance_helpers import LEDGER_ROWS, ledger_csv

    extra = ("2025-07", "azure-run", "750.00", "GBP", "Reseller", "CSP-7", "revenue")
    case, store = build(tmp_path, ledger_csv([*LEDGER_ROWS, extra]))
    report = _report(case, store)

    line = _line(report, "azure-run")
    assert line["actuals_source"] == "both"
    assert D(_period(line)["actual"]) == total(AZURE_RUN.values()) + D(extra[2])
    assert any("must not also hold the Azure invoice" in note for note in report["provenance"]["notes"])


def test_net_credits_to_date_forecast_no_spend_rather_than_negative_spend(tmp_path):
    from tests.finance_helpers import LEDGER_ROWS, ledger_csv

    credit = ("2025-09", "managed-service", "-20000.00", "GBP", "Serco", "SER-CN1", "revenue")
    case, store = build(tmp_path, ledger_csv([*LEDGER_ROWS, credit]))
    period = _period(_line(_report(case, store), "managed-service"))

    actual = ledger_total("managed-service") + D(credit[2])
    assert actual < 0 and D(period["actual"]) == actual
    assert D(period["outturn"]) == actual  # the remaining profile times a factor of 0, not a negative factor


def test_a_month_the_azure_exports_do_not_reach_yet_is_re_forecast_not_zero(tmp_path):
    from tests.finance_helpers import FINANCE_CASE, azure_rows, ledger_csv
    from tests.reconcile_helpers import write_case, write_store

    case = write_case(tmp_path / "case.yaml", FINANCE_CASE)
    store = write_store(tmp_path / "store", [row for row in azure_rows() if row.month != "2025-09"])
    (tmp_path / "ledger.csv").write_text(ledger_csv(), encoding="utf-8")  # the ledger runs to September
    assert run_cli("actuals", "load", tmp_path / "ledger.csv", "--store", store).exit_code == 0

    report = _report(case, store)

    assert report["as_of"] == "2025-09"
    azure = _period(_line(report, "azure-run"))
    assert azure["months_with_actuals"] == 5 and azure["status"] == "open"
    actual = total(amount for month, amount in AZURE_RUN.items() if month != "2025-09")
    assert D(azure["case_to_date"]) == _case("azure-run") * 5 / 12
    factor = actual / (_case("azure-run") * 5 / 12)
    assert D(azure["outturn"]) == pennies(actual + _case("azure-run") * 7 / 12 * factor)
    assert _period(_line(report, "legacy-hosting"))["months_with_actuals"] == 6
    # Asked for explicitly, --as-of still counts a month with no Azure rows as no spend, and says so.
    explicit = _report(case, store, "--as-of", "2025-09")
    assert _period(_line(explicit, "azure-run"))["months_with_actuals"] == 6
    assert any("no spend after 2025-08" in note for note in explicit["provenance"]["notes"])
    default_notes = report["provenance"]["notes"]
    assert any("Azure actuals run to 2025-08" in note for note in default_notes)


def test_the_year_to_date_factor_is_a_rolling_year_across_the_period_boundary(tmp_path):
    from tests.reconcile_helpers import SMALL_CASE, Row, write_case, write_store

    ramp = {"2025-01": "90", "2025-02": "100", "2025-03": "110", "2025-04": "120", "2025-05": "130",
            "2025-06": "140"}
    case = write_case(tmp_path / "case.yaml", SMALL_CASE)  # azure-run: 1,200 a year in both years
    store = write_store(tmp_path / "store", [Row(month, amount, line="azure-run") for month, amount in ramp.items()])

    year = _period(_line(_report(case, store), "azure-run"), "2025/26")

    monthly_case = D(1200) / 12
    factor = total(ramp.values()) / (monthly_case * 6)  # January-June, across 2024/25 and 2025/26
    april_to_june = total(list(ramp.values())[3:])
    assert D(year["outturn"]) == pennies(april_to_june + monthly_case * 9 * factor)
