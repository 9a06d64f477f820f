"""`--engine spark`: the same store reconciled and summarised by Spark (local mode) and by DuckDB, same bytes.

One local Spark session serves the whole module (`local[2]`, two shuffle partitions, no UI); the CLI's
`--engine spark` finds it through `getOrCreate`, as it would find a notebook's.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.conftest import run_cli
from tests.reconcile_helpers import Row, write_case, write_store

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("estate-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "512m").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# Amounts with all 24 decimal places, and large ones: a float or a lossy decimal would change the pennies.
TINY = "0.000000000000000000000001"
ROWS = [
    Row("2024-04", "1000.10", line="azure-run"),
    Row("2024-04", TINY, line="azure-run"),
    Row("2024-04", "12345678901.123456789012345678901234", line="azure-run", billed="12345678901.12"),
    Row("2024-05", "99.99", line="azure-other", subscription="sub-2"),
    Row("2024-05", "0.333333333333333333333333", tags={"Business-Case-Line": "azure-run"}),
    Row("2024-06", "50", service="Storage Accounts", resource_group="rg-other-1"),
    Row("2024-06", "7.5", resource_group=None, subscription=None),
    Row("2024-07", "-20.05", line="azure-run", currency="GBP"),
    Row("2025-04", "10", line="no-such-line"),
    Row("2025-05", "1", tags={"BUSINESS-CASE-LINE": "azure-other", "owner": "x"}),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark")
    write_case(folder / "case.yaml")
    return write_store(folder / "store", ROWS)


def _reconcile(store, engine: str, *extra: str) -> str:
    result = run_cli("cost", "reconcile", "--case", store.parent / "case.yaml", "--store", store, "--format", "json",
                     "--engine", engine, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_spark_and_duckdb_give_byte_identical_reconciliation_json(spark, store):
    duckdb_json = _reconcile(store, "duckdb")
    spark_json = _reconcile(store, "spark")

    assert spark_json == duckdb_json
    report = json.loads(spark_json)
    total = sum(Decimal(row.effective) for row in ROWS)
    assert Decimal(report["monthly"][0]["actual"]) + sum(Decimal(m["actual"]) for m in report["monthly"][1:]) \
        == total.quantize(Decimal("0.000001"))
    # The differently spelt tag found its line on Spark too.
    lines = {line["id"]: line for line in report["lines"]}
    assert sum(found["rows"] for found in lines["azure-run"]["found_by"]) == 5
    assert {m["month"]: m["unallocated"] for m in report["monthly"]}["2024-05"] == "0"


def test_spark_and_duckdb_agree_with_billed_cost_and_as_of(spark, store):
    args = ("--cost-column", "BilledCost", "--as-of", "2024-06")
    assert _reconcile(store, "spark", *args) == _reconcile(store, "duckdb", *args)


def test_summary_on_spark_equals_duckdb_to_every_decimal_place(spark, store):
    from costing.actuals.summary import exact

    outputs = {}
    for engine in ("duckdb", "spark"):
        result = run_cli("cost", "summary", "--store", store, "--by", "month,business-case-line,service",
                         "--format", "json", "--engine", engine)
        assert result.exit_code == 0, result.output
        outputs[engine] = result.stdout
    assert outputs["spark"] == outputs["duckdb"]
    total = json.loads(outputs["spark"])["total"]
    assert total["effective_cost"] == exact(sum(Decimal(row.effective) for row in ROWS))
    assert len(total["effective_cost"].split(".")[1]) == 17  # ...0.99679012234567901: no digit lost or rounded


def test_python_api_with_a_session_the_caller_has_leaves_its_settings_alone(spark, store):
    from costing.actuals.engines import DuckDBEngine, SparkEngine
    from costing.reconcile import ReconcileRequest, reconcile
    from costing.reports.json_report import to_json

    spark.conf.set("spark.sql.session.timeZone", "Europe/London")
    try:
        request = ReconcileRequest(case_file=store.parent / "case.yaml", store=store)
        on_spark = to_json(reconcile(request, engine=SparkEngine(spark)))
        assert spark.conf.get("spark.sql.session.timeZone") == "Europe/London"
    finally:
        spark.conf.unset("spark.sql.session.timeZone")
    assert on_spark == to_json(reconcile(request, engine=DuckDBEngine()))


def test_the_spark_sql_is_a_transpilation_of_the_one_query():
    from costing.actuals.engines import to_spark_sql
    from costing.reconcile.actuals import spend_query

    duckdb_sql = spend_query("EffectiveCost")
    spark_sql = to_spark_sql(duckdb_sql, "estate_costs_x")

    assert "->>" in duckdb_sql and "GET_JSON_OBJECT(Tags, '$.business-case-line')" in spark_sql
    assert "UNIX_MICROS(ChargePeriodStart) DIV 86400000000" in spark_sql
    assert "FROM estate_costs_x" in spark_sql


def test_spark_remote_without_spark_is_a_usage_error(store):
    result = run_cli("cost", "summary", "--store", store, "--spark-remote", "sc://127.0.0.1:1")
    assert result.exit_code == 2
    assert "--spark-remote is for --engine spark" in result.stderr and "Traceback" not in result.output
