"""`estate cost pull` end to end: the real SDK and credential against the loopback stand-in, into the real store."""

from __future__ import annotations

import calendar
import json
from decimal import Decimal

import pytest

from costing.actuals.store import read_manifest, relation
from tests.conftest import run_cli
from tests.support.cost_api_server import QPU_RETRY_HEADER, CostApiServer, Fault

pytestmark = pytest.mark.integration
SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"


@pytest.fixture
def synthetic(third_party, monkeypatch):
    with CostApiServer(third_party, mode="synthetic", rows_per_page=250, synthetic_resources=12) as server:
        for key, value in server.identity_env.items():
            monkeypatch.setenv(key, value)
        yield server


def _pull(server, store, *extra):
    return run_cli("cost", "pull", "--scope", SUBSCRIPTION, "--from", "2024-01", "--to", "2024-03",
                   "--store", store, "--endpoint", server.endpoint, "--as-of", "2024-03", "--format", "json", *extra)


def _totals(store):
    """Rows and exact cost per month and business-case line, read back through DuckDB."""
    rows = relation(store).aggregate(
        "strftime(ChargePeriodStart, '%Y-%m') AS month, Tags->>'business-case-line' AS line, "
        "count(*) AS n, sum(BilledCost) AS billed, sum(EffectiveCost) AS effective",
        "strftime(ChargePeriodStart, '%Y-%m'), Tags->>'business-case-line'").fetchall()
    return sorted((month, line, n, Decimal(billed), Decimal(effective)) for month, line, n, billed, effective in rows)


def _expected(server, months=("2024-01", "2024-02", "2024-03")):
    """What the stand-in generated: rows and cost per month and line, from its own row generator."""
    expected = {}
    for month in months:
        year, number = month.split("-")
        last = calendar.monthrange(int(year), int(number))[1]
        body = {"timePeriod": {"from": f"{month}-01T00:00:00+00:00", "to": f"{month}-{last}T23:59:59+00:00"}}
        server.rows_per_page = 10**9
        rows = server.query_response("s", body, None)["properties"]["rows"]
        for cost, _resource, _key, line, _day, _currency in rows:
            n, total = expected.get((month, line), (0, Decimal(0)))
            expected[(month, line)] = (n + 1, total + Decimal(str(cost)))
    server.rows_per_page = 250
    return sorted((month, line, n, total, total) for (month, line), (n, total) in expected.items())


def test_a_pull_fills_the_store_with_every_row_and_exact_costs(synthetic, tmp_path):
    store = tmp_path / "store"
    result = _pull(synthetic, store)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [p["month"] for p in summary["pulled"]] == ["2024-01", "2024-02", "2024-03"]
    assert _totals(store) == _expected(synthetic)
    # Paging: 12 resources x 31 days = 372 rows in January come in two pages of 250 and 122.
    january = [q for q in synthetic.log.queries if q["body"]["timePeriod"]["from"].startswith("2024-01")]
    assert [q["skiptoken"] for q in january] == [None, "250"]
    assert summary["queries"] == len(synthetic.log.queries)
    # Only two groupings were ever asked for, as the API's contract says.
    assert all(len(q["body"]["dataset"]["grouping"]) == 2 for q in synthetic.log.queries)


def test_a_rerun_keeps_closed_months_and_refreshes_the_open_one(synthetic, tmp_path):
    store = tmp_path / "store"
    assert _pull(synthetic, store).exit_code == 0
    before = _totals(store)
    sent = len(synthetic.log.queries)
    rerun = _pull(synthetic, store)
    assert rerun.exit_code == 0, rerun.output
    summary = json.loads(rerun.stdout)
    assert [k["month"] for k in summary["kept"]] == ["2024-01", "2024-02"]
    assert [p["month"] for p in summary["pulled"]] == ["2024-03"]
    assert len(synthetic.log.queries) - sent == 2  # March only: 12 x 31 rows, in pages of 250 and 122
    assert _totals(store) == before  # the open month was replaced, not added to


def test_an_interrupted_pull_resumes_to_the_same_store(synthetic, tmp_path, third_party, monkeypatch):
    whole = tmp_path / "whole"
    assert _pull(synthetic, whole).exit_code == 0
    expected = _totals(whole)
    synthetic.log.queries.clear()
    synthetic.kill_after_queries = 3  # January's two pages, then February's first page: the service goes away
    interrupted = tmp_path / "interrupted"
    failed = _pull(synthetic, interrupted, "--refresh", "--max-retries", "1")
    assert failed.exit_code == 2
    assert "Traceback" not in failed.output
    assert f"{SUBSCRIPTION} for 2024-02" in failed.stderr and "rerun the same command to resume" in failed.stderr
    assert sorted(read_manifest(interrupted)["sources"].popitem()[1]["partitions"]) == ["2024-01"]
    synthetic.kill_after_queries = None
    resumed = _pull(synthetic, interrupted)
    assert resumed.exit_code == 0, resumed.output
    assert [k["month"] for k in json.loads(resumed.stdout)["kept"]] == ["2024-01"]
    assert _totals(interrupted) == expected


def test_throttling_and_outages_are_ridden_out(synthetic, tmp_path):
    synthetic.faults += [Fault(429, {QPU_RETRY_HEADER: "1"}), Fault(503)]
    store = tmp_path / "store"
    result = _pull(synthetic, store)
    assert result.exit_code == 0, result.output
    assert synthetic.log.count(429) == 1 and synthetic.log.count(503) == 1
    assert _totals(store) == _expected(synthetic)


def test_a_refused_credential_says_which_credential_and_which_role(synthetic, tmp_path):
    synthetic.faults.append(Fault(401, times=3))  # never retried: one is enough to stop
    result = _pull(synthetic, tmp_path / "store")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "DefaultAzureCredential" in result.stderr and "Cost Management Reader" in result.stderr
    assert f"{SUBSCRIPTION} (month 2024-01" in result.stderr
    assert "loopback-token" not in result.output  # never print a token


def test_mixing_metrics_of_one_scope_in_one_store_is_refused(synthetic, tmp_path):
    store = tmp_path / "store"
    assert _pull(synthetic, store).exit_code == 0
    result = _pull(synthetic, store, "--metric", "AmortizedCost")
    assert result.exit_code == 2
    assert "already holds ActualCost" in result.stderr


@pytest.mark.parametrize(("args", "phrase"), [
    (("--scope", "/subscriptions/not-a-guid"), "is not a Cost Management scope"),
    (("--scope", SUBSCRIPTION, "--group-by", "A", "--group-by", "B", "--group-by", "C"), "at most 2 group-by"),
    (("--scope", SUBSCRIPTION, "--endpoint", "http://example.com"), "plain http is accepted for 127.0.0.1 only"),
])
def test_bad_pull_options_exit_2(tmp_path, args, phrase):
    base = ["cost", "pull", "--from", "2024-01", "--to", "2024-02", "--store", str(tmp_path / "s")]
    result = run_cli(*base, *args)
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr
    assert not (tmp_path / "s").exists()


def test_cost_details_fill_the_same_store_as_loading_the_export(third_party, tmp_path, monkeypatch):
    export = third_party / "finops-toolkit" / "cost-exports" / "EA_ActualCost_Small.csv"
    loaded = tmp_path / "loaded"
    assert run_cli("cost", "load", export, "--store", loaded).exit_code == 0
    with CostApiServer(third_party, blob_bytes=export.read_bytes()) as server:
        for key, value in server.identity_env.items():
            monkeypatch.setenv(key, value)
        pulled = tmp_path / "pulled"
        result = run_cli("cost", "pull", "--scope", "/subscriptions/00000000-0000-0000-0000-000000000000",
                         "--from", "2023-09", "--to", "2023-09", "--store", pulled, "--endpoint", server.endpoint,
                         "--method", "details", "--as-of", "2023-10", "--format", "json")
        assert result.exit_code == 0, result.output
    columns = "count(*), sum(BilledCost), sum(EffectiveCost), count(DISTINCT ResourceId)"
    assert relation(pulled).aggregate(columns).fetchall() == relation(loaded).aggregate(columns).fetchall()
    assert relation(pulled).aggregate("count(*)").fetchall() == [(11,)]
