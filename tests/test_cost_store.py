"""The cost store: idempotent reloads, export runs, currencies and FX, parquet input, the writer/reader API."""

from __future__ import annotations

import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tests.conftest import run_cli
from tests.cost_helpers import FOCUS_HEADER, focus_row, load, store_checksums, summary, write_focus_export


def _write(path, *rows, header=FOCUS_HEADER):
    path.write_text(header + "\n" + "".join(rows))
    return path


def test_loading_the_same_export_twice_adds_nothing(tmp_path):
    export = _write(tmp_path / "may.csv", focus_row("10", "2025-05-01"), focus_row("2.5", "2025-05-02"))
    store = tmp_path / "store"
    assert load(export, store).exit_code == 0
    before = store_checksums(store)

    again = load(export, store)

    assert again.exit_code == 0 and "unchanged" in again.stdout and "nothing added" in again.stdout
    assert store_checksums(store) == before
    assert summary(store)["total"] == {"billed_cost": "12.5", "effective_cost": "12.5", "rows": 2}


def test_the_same_export_copied_elsewhere_is_recognised_by_content(tmp_path):
    store = tmp_path / "store"
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        _write(tmp_path / folder / "may.csv", focus_row("10", "2025-05-01"))
        assert load(tmp_path / folder / "may.csv", store).exit_code == 0
    assert summary(store)["total"]["rows"] == 1


def test_a_changed_file_replaces_its_earlier_rows(tmp_path):
    export = tmp_path / "may.csv"
    store = tmp_path / "store"
    _write(export, focus_row("10", "2025-05-01"), focus_row("99", "2025-04-30"))
    load(export, store)
    _write(export, focus_row("11", "2025-05-01"))

    assert load(export, store).exit_code == 0

    report = summary(store)
    assert report["rows"] == [{"month": "2025-05", "billed_cost": "11", "effective_cost": "11", "rows": 1}]
    assert not list(store.glob("actuals/*/month=2025-04"))  # the superseded partition file is gone


def test_export_runs_with_manifests_load_once_per_export_and_period(tmp_path):
    exports = tmp_path / "exports"
    write_focus_export(exports, "council-focus", "2025-05-01..2025-05-31", "run-1", "2025-05-20T02:00:00Z",
                       [focus_row("1", "2025-05-01"), focus_row("2", "2025-05-02")], FOCUS_HEADER)
    write_focus_export(exports, "council-focus", "2025-05-01..2025-05-31", "run-2", "2025-06-01T02:00:00Z",
                       [focus_row("1", "2025-05-01"), focus_row("2", "2025-05-02") + focus_row("4", "2025-05-30")],
                       FOCUS_HEADER)
    store = tmp_path / "store"

    result = load(exports, store, "--format", "json")

    assert result.exit_code == 0, result.output
    sources = json.loads(result.stdout)["sources"]
    folder = (exports / "council-focus" / "20250501-20250531").resolve().as_posix()  # holds the run folders
    assert [s["source"] for s in sources] == [f"council-focus/2025-05-01..2025-05-31 at {folder}"]
    assert sources[0]["rows_stored"] == 3  # run-2 only: month-to-date runs supersede each other
    assert any("run-1" in note for note in sources[0]["notes"])
    assert summary(store)["total"]["billed_cost"] == "7"


def test_a_correction_month_export_adds_to_the_charge_month(tmp_path):
    exports = tmp_path / "exports"
    write_focus_export(exports, "council-focus", "2025-05-01..2025-05-31", "r1", "2025-06-01T00:00:00Z",
                       [focus_row("100", "2025-05-10")], FOCUS_HEADER)
    write_focus_export(exports, "council-focus", "2025-06-01..2025-06-30", "r2", "2025-07-01T00:00:00Z",
                       [focus_row("-20", "2025-05-10") + focus_row("50", "2025-06-03")], FOCUS_HEADER)

    assert load(exports, tmp_path / "store").exit_code == 0

    assert [(r["month"], r["billed_cost"]) for r in summary(tmp_path / "store")["rows"]] == [
        ("2025-05", "80"), ("2025-06", "50")]


def test_mixed_currencies_are_refused_without_an_fx_table(tmp_path):
    store = tmp_path / "store"
    load(_write(tmp_path / "gbp.csv", focus_row("100", "2025-05-01")), store)
    before = store_checksums(store)

    result = load(_write(tmp_path / "eur.csv", focus_row("100", "2025-05-01", currency="EUR")), store)

    assert result.exit_code == 2
    assert "more than one billing currency (EUR, GBP)" in result.stderr and "--fx-table" in result.stderr
    assert store_checksums(store) == before


def test_an_fx_table_converts_every_currency_into_one(tmp_path):
    store = tmp_path / "store"
    fx = tmp_path / "fx.csv"
    fx.write_text("from_currency,to_currency,month,rate\nEUR,GBP,2025-05,0.85\nUSD,GBP,2025-05,0.80\n")
    load(_write(tmp_path / "gbp.csv", focus_row("100", "2025-05-01")), store)

    result = load(_write(tmp_path / "eur.csv", focus_row("100", "2025-05-02", currency="EUR")), store,
                  "--fx-table", fx)

    assert result.exit_code == 0, result.output
    report = summary(store)
    assert report["currency"] == "GBP"
    assert Decimal(report["total"]["billed_cost"]) == Decimal("185")


def test_an_fx_table_with_a_bad_rate_names_its_line(tmp_path):
    fx = tmp_path / "fx.csv"
    fx.write_text("from_currency,to_currency,month,rate\nEUR,GBP,2025-05,0.85\nUSD,GBP,2025-05,lots\n")

    result = load(_write(tmp_path / "gbp.csv", focus_row("1", "2025-05-01")), tmp_path / "store", "--fx-table", fx)

    assert result.exit_code == 2
    assert "fx.csv:3: rate 'lots' is not a positive number" in result.stderr


def test_parquet_exports_with_float_costs_load_exactly(tmp_path):
    csv_file = _write(tmp_path / "may.csv", focus_row("0.1", "2025-05-01"), focus_row("0.2", "2025-05-02"))
    table = pacsv.read_csv(csv_file)
    assert pa.types.is_floating(table.schema.field("BilledCost").type)
    pq.write_table(table, tmp_path / "may.parquet")

    assert load(tmp_path / "may.parquet", tmp_path / "store").exit_code == 0

    assert summary(tmp_path / "store")["total"]["billed_cost"] == "0.3"  # not 0.30000000000000004


def test_summary_by_business_case_line_reads_the_tags(tmp_path):
    store = tmp_path / "store"
    load(_write(tmp_path / "may.csv", focus_row("10", "2025-05-01", line="azure-run"),
                focus_row("5", "2025-05-01", line="platform"), focus_row("1", "2025-05-01", line="platform")), store)

    report = summary(store, "business-case-line,service")

    assert [(r["business-case-line"], r["service"], r["billed_cost"]) for r in report["rows"]] == [
        ("azure-run", "Virtual Machines", "10"), ("platform", "Virtual Machines", "6")]
    text = run_cli("cost", "summary", "--store", store, "--by", "month,business-case-line")
    assert "billed cost GBP" in text.stdout and "16.00" in text.stdout


def test_summary_rejects_unknown_groupings_and_missing_stores(tmp_path):
    assert run_cli("cost", "summary", "--store", tmp_path, "--by", "colour").exit_code == 2
    missing = run_cli("cost", "summary", "--store", tmp_path / "none")
    assert missing.exit_code == 2 and "estate cost load" in missing.stderr


def test_regions_are_normalised_to_arm_ids(tmp_path):
    load(_write(tmp_path / "may.csv", focus_row("1", "2025-05-01", region="UK West")), tmp_path / "store")
    from costing.actuals.store import relation

    assert relation(tmp_path / "store").aggregate("RegionId, RegionName").fetchall() == [("ukwest", "UK West")]


def test_write_partition_replaces_one_month_of_a_source_and_keeps_the_others(tmp_path):
    from costing.actuals.store import open_dataset, read_manifest, relation, write_partition

    load(_write(tmp_path / "may.csv", focus_row("10", "2025-05-01")), tmp_path / "store")
    may = open_dataset(tmp_path / "store").to_table()
    june = may.set_column(may.schema.get_field_index("ChargePeriodStart"), "ChargePeriodStart",
                          pa.array([pa.scalar(1748736000000000, may.schema.field("ChargePeriodStart").type)]))
    for table, month in ((may, "2025-05"), (june, "2025-06"), (may, "2025-05")):
        write_partition(tmp_path / "store", "query:/subscriptions/s1:ActualCost", month, table, kind="query",
                        origin="https://management.azure.com", data_format="cost-management-query")

    entry = read_manifest(tmp_path / "store")["sources"]["query:/subscriptions/s1:ActualCost"]
    assert sorted(entry["partitions"]) == ["2025-05", "2025-06"] and entry["rows"] == 2
    assert entry["partitions"]["2025-06"]["totals"] == {"GBP": {"billed_cost": "10.000000000000000000000000",
                                                                "effective_cost": "10.000000000000000000000000"}}
    assert relation(tmp_path / "store").aggregate("count(*)").fetchall() == [(3,)]


def test_gzip_csv_of_the_real_focus_sample_loads_like_the_csv(third_party, tmp_path):
    import gzip

    sample = third_party / "focus-sample-data" / "focus_sample_1.0.csv"
    packed = tmp_path / "part_0_0001.csv.gz"
    packed.write_bytes(gzip.compress(sample.read_bytes()))

    assert load(packed, tmp_path / "gz").exit_code == 0
    assert load(sample, tmp_path / "csv").exit_code == 0

    assert summary(tmp_path / "gz")["total"] == summary(tmp_path / "csv")["total"]


def test_more_than_24_decimal_places_are_rounded_and_reported(tmp_path):
    export = _write(tmp_path / "may.csv", focus_row("0.1234567890123456789012345678", "2025-05-01"))

    result = load(export, tmp_path / "store")

    assert result.exit_code == 0, result.output
    assert "BilledCost: 1 value(s) had more than 24 decimal places and were rounded half-even to 24" in result.stdout
    assert summary(tmp_path / "store")["total"]["billed_cost"] == "0.123456789012345678901235"


def test_unknown_cost_type_is_a_usage_error(third_party, tmp_path):
    export = third_party / "finops-toolkit" / "cost-exports" / "EA_ActualCost_Small.csv"

    result = load(export, tmp_path / "store", "--cost-type", "blended")

    assert result.exit_code == 2 and "actual, amortized" in result.stderr
