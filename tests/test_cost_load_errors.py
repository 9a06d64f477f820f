"""Broken exports: exit 2, a message naming the file (and row), and a store byte-identical to before."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.cost_helpers import FOCUS_HEADER, focus_row, load, store_checksums, write_focus_export


@pytest.fixture
def loaded_store(tmp_path):
    """A store that already holds one good month, so 'untouched' means something."""
    good = tmp_path / "good.csv"
    good.write_text(FOCUS_HEADER + "\n" + focus_row("10.50", "2025-04-03"))
    store = tmp_path / "store"
    assert load(good, store).exit_code == 0
    return store


def _assert_refused(result, store, before, *expected):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    assert store_checksums(store) == before


def test_truncated_gzip_is_refused_and_the_store_untouched(tmp_path, loaded_store):
    body = FOCUS_HEADER + "\n" + "".join(focus_row(f"{i}.25", "2025-05-02") for i in range(2000))
    packed = gzip.compress(body.encode())
    broken = tmp_path / "part_0_0001.csv.gz"
    broken.write_bytes(packed[: len(packed) // 2])
    before = store_checksums(loaded_store)

    _assert_refused(load(broken, loaded_store), loaded_store, before, "part_0_0001.csv.gz", "truncated or corrupt")


def test_wrong_header_is_refused_naming_what_is_missing(tmp_path, loaded_store):
    wrong = tmp_path / "people.csv"
    wrong.write_text("Name,Department,Salary\nAda,IT,100\n")
    before = store_checksums(loaded_store)

    _assert_refused(load(wrong, loaded_store), loaded_store, before, "people.csv", "neither a FOCUS cost export",
                    "Name, Department, Salary")


def test_focus_header_missing_effective_cost_is_refused(tmp_path, loaded_store):
    wrong = tmp_path / "focus.csv"
    wrong.write_text("BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory\n"
                     "1,GBP,2025-05-01,2025-05-02,Usage\n")
    before = store_checksums(loaded_store)

    _assert_refused(load(wrong, loaded_store), loaded_store, before, "focus.csv", "missing EffectiveCost")


def test_non_numeric_cost_is_refused_naming_file_row_and_column(tmp_path, loaded_store):
    bad = tmp_path / "export.csv"
    rows = [focus_row("1.00", "2025-05-01"), focus_row("2.00", "2025-05-02"), focus_row("n/a", "2025-05-03")]
    bad.write_text(FOCUS_HEADER + "\n" + "".join(rows))
    before = store_checksums(loaded_store)

    _assert_refused(load(bad, loaded_store), loaded_store, before, "export.csv", "data row 3 (line 4)",
                    "BilledCost is 'n/a', which is not a number")


def test_bad_date_is_refused_naming_the_row(tmp_path, loaded_store):
    bad = tmp_path / "export.csv"
    bad.write_text(FOCUS_HEADER + "\n" + focus_row("1.00", "2025-05-01") + focus_row("1.00", "2025-05-45"))
    before = store_checksums(loaded_store)

    _assert_refused(load(bad, loaded_store), loaded_store, before, "export.csv", "data row 2",
                    "ChargePeriodStart", "ISO 8601")


def test_empty_export_and_empty_file_are_refused(tmp_path, loaded_store):
    header_only = tmp_path / "header-only.csv"
    header_only.write_text(FOCUS_HEADER + "\n")
    zero_bytes = tmp_path / "zero.csv"
    zero_bytes.write_bytes(b"")
    before = store_checksums(loaded_store)

    _assert_refused(load(header_only, loaded_store), loaded_store, before, "header-only.csv", "no rows")
    _assert_refused(load(zero_bytes, loaded_store), loaded_store, before, "zero.csv", "empty")


def test_one_broken_file_in_a_folder_loads_nothing_from_the_folder(tmp_path, loaded_store):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a-good.csv").write_text(FOCUS_HEADER + "\n" + focus_row("5", "2025-06-01"))
    (folder / "b-bad.csv").write_text(FOCUS_HEADER + "\n" + focus_row("five", "2025-06-02"))
    before = store_checksums(loaded_store)

    _assert_refused(load(folder, loaded_store), loaded_store, before, "b-bad.csv", "data row 1")


def test_row_count_short_of_the_manifest_is_refused(tmp_path, loaded_store):
    run = write_focus_export(tmp_path / "exports", "monthly", "2025-05-01..2025-05-31", "run-1",
                             "2025-06-01T02:00:00Z", [focus_row("1", "2025-05-01") * 3], FOCUS_HEADER)
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["blobs"][0]["dataRowCount"] = 4
    (run / "manifest.json").write_text(json.dumps(manifest))
    before = store_checksums(loaded_store)

    _assert_refused(load(tmp_path / "exports", loaded_store), loaded_store, before, "part_0_0001.csv.gz",
                    "3 data rows, but the export manifest says 4")


def test_a_failed_first_load_does_not_create_the_store(tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_text(FOCUS_HEADER + "\n" + focus_row("x", "2025-05-01"))

    result = load(bad, tmp_path / "new-store")

    assert result.exit_code == 2
    assert not (tmp_path / "new-store").exists()


def test_missing_source_is_refused(tmp_path):
    result = load(tmp_path / "nowhere", tmp_path / "store")

    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
