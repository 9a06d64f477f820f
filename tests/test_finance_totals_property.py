"""Property: in the JSON report, every total equals the sum of its rows in every money column of every period,
and the benefit's costs, net, cumulative and NPV follow from the all-costs total, for random cases and stores."""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costing.reconcile.model import MONEY_FIELDS
from tests.finance_helpers import HEADER
from tests.reconcile_helpers import Row, write_store

KINDS = ["legacy-run", "cloud-run", "retained-run", "management", "one-off"]
FIRST_YEAR = 2024


@st.composite
def scenarios(draw):
    years = draw(st.integers(1, 3))
    count = draw(st.integers(1, 5))
    lines = [{"id": "baseline", "kind": "baseline", "classification": "revenue", "in_totals": True,
              "values": [draw(st.integers(0, 900)) for _ in range(years)]}]
    for index in range(count):
        lines.append({"id": f"line-{index}", "kind": draw(st.sampled_from(KINDS)),
                      "classification": draw(st.sampled_from(["capital", "revenue"])),
                      "in_totals": draw(st.booleans()) or index == 0,
                      "values": [draw(st.integers(0, 500)) for _ in range(years)]})
    months = [f"{FIRST_YEAR + (3 + offset) // 12:04d}-{(3 + offset) % 12 + 1:02d}" for offset in range(12 * years)]
    cents = st.integers(-5_000_00, 60_000_00)
    ids = [line["id"] for line in lines[1:]]
    rows = draw(st.lists(st.tuples(st.sampled_from(months), st.sampled_from([None, *ids]), cents, st.booleans(),
                                   st.integers(0, 999_999)), max_size=25))
    ledger = draw(st.lists(st.tuples(st.sampled_from(months), st.sampled_from([line["id"] for line in lines[1:]]),
                                     cents), max_size=15))
    as_of = draw(st.one_of(st.none(), st.sampled_from(months)))
    method = draw(st.sampled_from([("profile", "ytd-variance"), ("profile", "none"), ("run-rate", "none")]))
    unit = draw(st.sampled_from(["units", "thousands"]))
    return {"years": years, "lines": lines, "rows": rows, "ledger": ledger, "as_of": as_of, "method": method,
            "unit": unit}


def _case_text(scenario) -> str:
    periods = ", ".join(f"{FIRST_YEAR + year}/{(FIRST_YEAR + year + 1) % 100:02d}" for year in range(scenario["years"]))
    lines = "".join(
        f"  - {{id: {line['id']}, label: {line['id']}, kind: {line['kind']}, classification: "
        f"{line['classification']}, in_totals: {str(line['in_totals']).lower()}, values: {line['values']}}}\n"
        for line in scenario["lines"])
    return (f"name: Random case\norganisation: Test\ncurrency: GBP\nunit: {scenario['unit']}\nperiods: [{periods}]\n"
            f"lines:\n{lines}rules:\n  - {{line: line-0, service: 'Storage*'}}\n")


def _rows(scenario) -> list[Row]:
    rows = []
    for month, line, cents, capitalised, micro in scenario["rows"]:
        amount = str(Decimal(cents) / 100 + Decimal(micro) / 10**8)
        tags = {"Business-Case-Line" if capitalised else "business-case-line": line} if line else {}
        rows.append(Row(month, amount, tags=tags, service="Storage" if micro % 3 == 0 else "Compute"))
    return rows


def _run(scenario, folder: Path) -> dict:
    from costing.reconcile.model import RagThresholds
    from costing.reconcile.run import ReconcileRequest, reconcile
    from costing.reports.json_report import to_json
    from tests.conftest import run_cli

    case = folder / "case.yaml"
    case.write_text(_case_text(scenario), encoding="utf-8")
    store = write_store(folder / "store", _rows(scenario))
    if scenario["ledger"]:
        ledger = folder / "ledger.csv"
        entries = "".join(f"{month},{line},{Decimal(cents) / 100},GBP,Supplier,R{index},revenue\n"
                          for index, (month, line, cents) in enumerate(scenario["ledger"]))
        ledger.write_text(HEADER + "\n" + entries, encoding="utf-8")
        loaded = run_cli("actuals", "load", ledger, "--store", store, "--case", case)
        assert loaded.exit_code == 0, loaded.output
    if not scenario["rows"] and not scenario["ledger"] and scenario["as_of"] is None:
        scenario = dict(scenario, as_of="2024-06")
    method, adjust = scenario["method"]
    result = reconcile(ReconcileRequest(case_file=case, store=store, as_of=scenario["as_of"],
                                        thresholds=RagThresholds(), reforecast=method, reforecast_adjust=adjust))
    return json.loads(json.dumps(to_json(result)))


def _value(text):
    return None if text is None else Decimal(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_total_in_the_json_is_the_sum_of_its_rows(scenario):
    with tempfile.TemporaryDirectory(prefix="estate-totals-") as temp:
        report = _run(scenario, Path(temp))

    rows = {line["id"]: line for line in [*report["lines"], report["unallocated"], *report["totals"]]}
    totals = [report["azure_total"], *report["totals"]]
    assert {total["id"] for total in totals} == {"(azure-total)", "(capital)", "(revenue)", "(all-costs)"}
    for total in totals:
        members = [rows[name] for name in total["sums"]]
        for index, period in enumerate(total["periods"]):
            for name in MONEY_FIELDS:
                values = [_value(member["periods"][index][name]) for member in members]
                present = [value for value in values if value is not None]
                expected = sum(present, Decimal(0)) if present else None
                if name in ("case", "outturn", "outturn_variance") and expected is None:
                    expected = Decimal(0)
                assert _value(period[name]) == expected, (total["id"], period["period"], name)
    counted = {line["id"] for line in report["lines"] if line["in_totals"] and line["kind"] != "baseline"}
    assert set(rows["(capital)"]["sums"]) | set(rows["(revenue)"]["sums"]) == counted | {"(unallocated)"}
    # The benefit is the baseline less the all-costs total; cumulative and NPV are running sums of its rows.
    costs = rows["(all-costs)"]
    cumulative = discounted = Decimal(0)
    for index, period in enumerate(report["benefit"]["periods"]):
        assert _value(period["reforecast_costs"]) == _value(costs["periods"][index]["outturn"])
        assert _value(period["plan_costs"]) == _value(costs["periods"][index]["case"])
        assert _value(period["reforecast_net"]) == _value(period["baseline"]) - _value(period["reforecast_costs"])
        cumulative += _value(period["reforecast_net"])
        discounted += _value(period["reforecast_discounted_net"])
        assert _value(period["reforecast_cumulative"]) == cumulative
        assert _value(period["reforecast_discounted_cumulative"]) == discounted
    assert _value(report["benefit"]["reforecast_npv"]) == discounted
    for line in report["lines"]:
        for period in line["periods"]:
            assert (period["actual"] is None) == (period["actuals_status"] == "no actuals yet")
            if period["variance"] is not None:
                assert period["direction"] in ("favourable", "adverse")
