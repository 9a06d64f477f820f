"""Cost store format 2: what the files hold, how readers see them, and the exact decimal rescale."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli
from tests.cost_helpers import FOCUS_HEADER, focus_row, load, store_checksums, summary


def _partition_files(store):
    return sorted(store.rglob("actuals/**/*.parquet"))


def test_partition_files_hold_the_core_columns_and_those_the_export_carries(tmp_path):
    from costing.actuals.schema import CORE_COLUMNS, normalised_schema

    export = tmp_path / "focus.csv"
    export.write_text(FOCUS_HEADER + "\n" + focus_row("1.50", "2025-05-03") + focus_row("2.25", "2025-05-04"))
    assert load(export, tmp_path / "store").exit_code == 0

    (part,) = _partition_files(tmp_path / "store")
    stored = pq.read_schema(part)
    carried = set(FOCUS_HEADER.split(",")) | {"RegionName"}  # RegionName is derived from RegionId
    assert set(stored.names) == carried | set(CORE_COLUMNS)
    assert len(stored.names) < len(normalised_schema()) / 3
    # The file's own schema is plain: text is text, costs are decimal(38, 24), times are UTC.
    assert stored.field("ServiceName").type == pa.string()
    assert stored.field("Tags").type == pa.string()
    assert stored.field("BilledCost").type == pa.decimal128(38, 24)
    assert stored.field("ChargePeriodStart").type == pa.timestamp("us", tz="UTC")


def test_readers_give_back_every_column_of_the_schema_with_nulls_where_a_file_has_none(tmp_path, third_party):
    from costing.actuals.schema import normalised_schema
    from costing.actuals.store import open_dataset, relation

    # Two sources with different columns: a thin FOCUS file and the EA cost details (SubAccountName, x_ columns).
    export = tmp_path / "focus.csv"
    export.write_text(FOCUS_HEADER + "\n" + focus_row("1.50", "2025-05-03", currency="USD"))  # as the EA file
    store = tmp_path / "store"
    assert load(export, store).exit_code == 0
    assert load(third_party / "finops-toolkit" / "cost-exports" / "EA_ActualCost_Small.csv", store).exit_code == 0
    assert len({tuple(pq.read_schema(p).names) for p in _partition_files(store)}) == 2

    table = relation(store).to_arrow_table()
    assert table.column_names == normalised_schema().names
    assert table.num_rows == 12
    by_source = {row["x_SourceFile"].rsplit("/", 1)[-1]: row for row in table.to_pylist()}
    thin = by_source["focus.csv"]
    assert thin["BilledCost"] == Decimal("1.5") and thin["x_SkuMeterCategory"] is None
    assert thin["x_BillingProfileId"] is None and thin["PricingQuantity"] is None
    assert relation(store).aggregate("count(x_SkuMeterCategory)").fetchall() == [(11,)]

    dataset = open_dataset(store).to_table()
    assert dataset.schema == normalised_schema() and dataset.num_rows == 12

    # The reconciliation's one GROUP BY reads the same files by name.
    from costing.reconcile.actuals import read_store_spend

    spend = read_store_spend(store, "EffectiveCost")
    assert sum(group.rows for group in spend.groups) == 12
    assert sum(group.amount for group in spend.groups) == Decimal("1.5") + Decimal("8.5450077867419368")


def test_an_empty_store_relation_has_the_full_schema(tmp_path):
    from costing.actuals.schema import normalised_schema
    from costing.actuals.store import relation

    assert relation(tmp_path / "nothing-here").columns == normalised_schema().names


def test_tags_are_stored_as_compact_json_text_whatever_form_the_export_wrote(tmp_path):
    from costing.actuals.store import relation

    header = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,Tags"
    rows = [
        '1,1,GBP,Usage,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,"{""business-case-line"": ""azure-run""}"',
        # The same tags spelt another way: one stored value, so one dictionary entry in the file.
        '2,2,GBP,Usage,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,"{ ""business-case-line"":""azure-run"" }"',
        # Legacy cost details write tags without the braces.
        '3,3,GBP,Usage,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,'
        '"""business-case-line"": ""platform"",""env"": ""£ prod"""',
        "4,4,GBP,Usage,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,",
    ]
    export = tmp_path / "focus.csv"
    export.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert load(export, tmp_path / "store").exit_code == 0

    stored = relation(tmp_path / "store").select("x_SourceRow, Tags").order("x_SourceRow").fetchall()
    assert [tags for _, tags in stored] == [
        '{"business-case-line":"azure-run"}',
        '{"business-case-line":"azure-run"}',
        '{"business-case-line":"platform","env":"£ prod"}',
        None,
    ]
    lines = {row["business-case-line"]: row["billed_cost"]
             for row in summary(tmp_path / "store", "business-case-line")["rows"]}
    assert lines == {"azure-run": "3", "platform": "3", "(untagged)": "4"}


def test_a_tag_value_that_is_not_a_json_object_names_its_row(tmp_path):
    header = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,Tags"
    export = tmp_path / "focus.csv"
    export.write_text(header + "\n" + "1,1,GBP,Usage,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,{}\n"
                      + '2,2,GBP,Usage,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,"[1, 2]"\n')
    result = load(export, tmp_path / "store")
    assert result.exit_code == 2
    assert "data row 2" in result.output and "Tags" in result.output and "JSON object" in result.output
    assert store_checksums(tmp_path / "store") == {}


def test_parquet_exports_with_dictionary_text_and_decimal_18_costs_load_like_their_csv(tmp_path):
    from costing.actuals.store import relation

    csv_export = tmp_path / "csv" / "focus.csv"
    csv_export.parent.mkdir()
    body = "".join(focus_row(f"{n}.{n:02d}", f"2025-05-{n:02d}", region=("UK South", "uksouth", "ukwest")[n % 3],
                             line=("azure-run", "platform")[n % 2]) for n in range(1, 29))
    csv_export.write_text(FOCUS_HEADER + "\n" + body)
    # The same rows as a parquet export writes them: text dictionary-encoded, costs DECIMAL(38, 18).
    types = {name: pa.decimal128(38, 18) if name.endswith("Cost") else pa.string() for name in FOCUS_HEADER.split(",")}
    table = pacsv.read_csv(csv_export, convert_options=pacsv.ConvertOptions(column_types=types,
                                                                            strings_can_be_null=True))
    parquet_export = tmp_path / "parquet" / "focus.parquet"
    parquet_export.parent.mkdir()
    pq.write_table(table, parquet_export, use_dictionary=True)

    for export, store in ((csv_export, "store-csv"), (parquet_export, "store-parquet")):
        assert load(export, tmp_path / store).exit_code == 0
    columns = "ChargePeriodStart, RegionId, RegionName, Tags, ServiceName, BilledCost, EffectiveCost, x_SourceRow"
    from_csv = relation(tmp_path / "store-csv").select(columns).order("x_SourceRow").to_arrow_table()
    from_parquet = relation(tmp_path / "store-parquet").select(columns).order("x_SourceRow").to_arrow_table()
    assert from_parquet.equals(from_csv)
    assert set(from_csv.column("RegionId").to_pylist()) == {"uksouth", "ukwest"}


def test_a_store_written_in_format_1_is_refused_with_what_to_do(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "manifest.json").write_text(json.dumps({"store_format": 1, "schema": "estate-focus/1", "sources": {}}))
    export = tmp_path / "focus.csv"
    export.write_text(FOCUS_HEADER + "\n" + focus_row("1.50", "2025-05-03"))
    before = store_checksums(store)

    for result in (load(export, store), run_cli("cost", "summary", "--store", store)):
        assert result.exit_code == 2
        assert "format 1 is not 2" in result.output and "new store" in result.output
    assert store_checksums(store) == before


def test_reloading_an_unchanged_export_is_recognised_even_when_staging_would_fail(tmp_path):
    header = FOCUS_HEADER.replace("BillingCurrency,", "")
    export = tmp_path / "focus.csv"
    export.write_text(header + "\n" + focus_row("1.50", "2025-05-03").replace("GBP,", ""))
    assert load(export, tmp_path / "store", "--currency", "GBP").exit_code == 0
    before = store_checksums(tmp_path / "store")

    # Without --currency this file cannot be read, but the store already has it: nothing to do, nothing changes.
    again = load(export, tmp_path / "store", "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["sources"][0]["status"] == "unchanged"
    assert store_checksums(tmp_path / "store") == before


def _decimal_array(values, scale):
    return pa.array(values, pa.decimal128(38, scale))


@pytest.mark.parametrize("scale", [18, 15, 22, 24 - 9])
def test_the_fast_rescale_is_exactly_arrows_checked_cast(scale):
    from costing.actuals.convert import COST_DECIMAL, _rescaled

    generator = random.Random(scale)
    bound = 10 ** (38 - (24 - scale)) // 2  # well inside what decimal(38, 24) holds after the rescale
    values = [None if generator.random() < 0.1 else Decimal(generator.randrange(-bound, bound)).scaleb(-scale)
              for _ in range(5000)]
    values += [Decimal(0), Decimal(1).scaleb(-scale), Decimal(-1).scaleb(-scale), Decimal(2 ** 64).scaleb(-scale),
               Decimal(-(2 ** 64)).scaleb(-scale), Decimal(2 ** 64 - 1).scaleb(-scale)]
    array = _decimal_array(values, scale)
    for part in (array, array.slice(3, 2000), array.slice(4999)):
        fast = _rescaled(part)
        assert fast is not None
        assert fast.equals(pc.cast(part, COST_DECIMAL))
        assert fast.to_pylist() == [None if v is None else v.scaleb(0) for v in part.to_pylist()]


def test_the_fast_rescale_steps_aside_near_the_limit_and_the_checked_cast_reports():
    from costing.actuals.convert import BadCell, _rescaled, to_decimal

    edge = _decimal_array([Decimal("99999999999999.999999999999999999")], 18)  # fits, but too near to be sure
    assert _rescaled(edge) is None
    assert to_decimal(edge, "BilledCost").to_pylist() == [Decimal("99999999999999.999999999999999999")]
    too_big = _decimal_array([Decimal("100000000000000")], 18)
    with pytest.raises(BadCell, match=r"BilledCost.*below 10\^14"):
        to_decimal(too_big, "BilledCost")
    assert _rescaled(_decimal_array([Decimal(1)], 2)) is None  # 22 places: more than the shortcut handles
    assert _rescaled(_decimal_array([None, None], 18)).null_count == 2


@pytest.mark.parametrize(("written", "stored"), [
    (["2025-05-01T00:00:00Z", "2025-05-31T23:00:00+00:00"], ["2025-05-01T00:00:00+00:00", "2025-05-31T23:00:00+00:00"]),
    # An offset is converted to UTC: 00:30 in UK summer time on 1 June is still a May charge.
    (["2025-06-01T00:30:00+01:00"], ["2025-05-31T23:30:00+00:00"]),
    # Zone-less values (the FOCUS sample's form) are UTC, also mixed with zoned ones.
    (["2024-09-18 22:00:00", "2024-09-18T23:00:00Z"], ["2024-09-18T22:00:00+00:00", "2024-09-18T23:00:00+00:00"]),
    ([None, "2025-05-01"], [None, "2025-05-01T00:00:00+00:00"]),
])
def test_timestamps_become_utc_whatever_zone_form_the_export_wrote(written, stored):
    from costing.actuals.convert import to_timestamp

    result = to_timestamp(pa.array(written, pa.string()), "ChargePeriodStart")
    assert [None if value is None else value.isoformat() for value in result.to_pylist()] == stored


def test_a_timestamp_that_is_not_one_is_named():
    from costing.actuals.convert import BadCell, to_timestamp

    with pytest.raises(BadCell) as raised:
        to_timestamp(pa.array(["2025-05-01T00:00:00Z", "yesterday"]), "ChargePeriodStart")
    assert raised.value.index == 1 and raised.value.value == "yesterday"


def test_a_load_reports_its_progress_file_by_file(tmp_path):
    from costing.actuals.load import LoadOptions, load_sources
    from costing.actuals.sources.local import discover

    csv_export = tmp_path / "exports" / "a.csv"
    csv_export.parent.mkdir()
    csv_export.write_text(FOCUS_HEADER + "\n" + focus_row("1.50", "2025-05-03") + focus_row("2", "2025-05-04"))
    rows = 300_000  # three parquet batches
    MAY_2025 = 1_746_057_600_000_000  # 2025-05-01T00:00Z in microseconds (charges before 2000 are refused)
    table = pa.table({"BilledCost": pa.array([Decimal("0.5")] * rows, pa.decimal128(38, 18)),
                      "EffectiveCost": pa.array([Decimal("0.5")] * rows, pa.decimal128(38, 18)),
                      "BillingCurrency": ["GBP"] * rows, "ChargeCategory": ["Usage"] * rows,
                      "ChargePeriodStart": pa.array([MAY_2025] * rows, pa.timestamp("us", tz="UTC")),
                      "ChargePeriodEnd": pa.array([MAY_2025 + 86_400_000_000] * rows, pa.timestamp("us", tz="UTC"))})
    pq.write_table(table, tmp_path / "exports" / "b.parquet")
    sources = discover(tmp_path / "exports", str)
    steps = []

    load_sources(sources, tmp_path / "store", LoadOptions(), progress=steps.append)

    by_file = {}
    for step in steps:
        by_file.setdefault(step.file.rsplit("/", 1)[-1], []).append(step)
    assert set(by_file) == {"a.csv", "b.parquet"}
    parquet = by_file["b.parquet"]
    assert [s.rows for s in parquet] == sorted(s.rows for s in parquet) and parquet[-1].rows == rows
    assert [s.fraction for s in parquet] == sorted(s.fraction for s in parquet) and len(parquet) >= 3
    assert parquet[-1].done and parquet[-1].fraction == 1.0 and not any(s.done for s in parquet[:-1])
    csv = by_file["a.csv"]
    assert csv[0].fraction == 1.0 and csv[-1].done and csv[-1].rows == 2  # the whole small file read at once
    assert all(s.size == (tmp_path / "exports" / name).stat().st_size for name, ss in by_file.items() for s in ss)

    # Loading them again reads nothing new; each file is reported done.
    again = []
    load_sources(discover(tmp_path / "exports", str), tmp_path / "store", LoadOptions(), progress=again.append)
    assert {s.file.rsplit("/", 1)[-1] for s in again if s.done} == {"a.csv", "b.parquet"}


def test_one_manifest_reader_serves_the_store_and_the_reconciliation():
    # One reader (costing.actuals.manifest, no pyarrow) for the store and everything that reads it.
    from costing.actuals import manifest, store
    from costing.reconcile import actuals

    assert store.read_manifest is manifest.read_manifest and actuals.existing_manifest is manifest.existing_manifest
    assert manifest.STORE_FORMAT == 2 and store.store_files is manifest.store_files


def test_manifest_module_needs_no_pyarrow():
    import subprocess
    import sys

    code = "import sys, costing.actuals.manifest; print('pyarrow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"
