"""Hostile files and places: repeated headers, impossible dates, damaged stores, unwritable or unreadable paths."""

from __future__ import annotations

import datetime
import errno
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import EXAMPLE_ESTATE, ROOT, run_cli
from tests.cost_helpers import FOCUS_HEADER, focus_row, load
from tests.hostile_helpers import assert_refused

CASE = ROOT / "stacks" / "business-case.yaml"


def _csv_export(tmp_path, header=FOCUS_HEADER, row=None):
    folder = tmp_path / "exports"
    folder.mkdir(exist_ok=True)
    (folder / "a.csv").write_text(header + "\n" + (row or focus_row("1.00", "2025-05-02")))
    return folder


def test_a_repeated_csv_header_is_refused(tmp_path):
    folder = _csv_export(tmp_path, FOCUS_HEADER + ",BilledCost", focus_row("1.00", "2025-05-02").rstrip() + ",2\n")
    assert_refused(load(folder, tmp_path / "store"), "a.csv", "'BilledCost' more than once")


def _parquet(tmp_path, start):
    folder = tmp_path / "exports"
    folder.mkdir()
    table = pa.table({"BilledCost": ["1.00"], "EffectiveCost": ["1.00"], "BillingCurrency": ["GBP"],
                      "ChargeCategory": ["Usage"], "ChargePeriodStart": start, "ChargePeriodEnd": start,
                      "ResourceId": ["/r"], "SubAccountId": ["/s"], "Tags": ["{}"]})
    pq.write_table(table, folder / "a.parquet")
    return folder


@pytest.mark.parametrize("start", [pa.array([datetime.datetime(9999, 12, 31)], pa.timestamp("us")),
                                   pa.array([2 ** 60], pa.timestamp("ms")),
                                   pa.array([datetime.datetime(1970, 1, 1)], pa.timestamp("us"))])
def test_impossible_charge_dates_in_parquet_are_refused(tmp_path, start):
    result = load(_parquet(tmp_path, start), tmp_path / "store")
    assert_refused(result, "a.parquet", "ChargePeriodStart", "not a date from 2000 to 2100")


def test_a_store_whose_listed_file_is_missing_is_named_as_damaged(tmp_path):
    store = tmp_path / "store"
    assert load(_csv_export(tmp_path), store).exit_code == 0
    victim = next(store.rglob("*.parquet"))
    victim.unlink()
    assert_refused(run_cli("cost", "summary", "--store", store), "the cost store is damaged", victim.name)
    assert_refused(run_cli("cost", "reconcile", "--store", store, "--case", CASE), victim.name)


def test_out_onto_a_directory_is_refused(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"steps": []}))
    folder = tmp_path / "reports"
    folder.mkdir()
    result = run_cli("forecast", plan, "--prices", ROOT / "stacks" / "rates.yaml", "--out", folder)
    assert_refused(result, "is a directory")
    store = tmp_path / "store"
    assert load(_csv_export(tmp_path), store).exit_code == 0
    result = run_cli("cost", "reconcile", "--store", store, "--case", CASE, "--format", "xlsx", "--out", folder)
    assert_refused(result, "is a directory")


def test_out_where_nothing_can_be_written_is_refused(tmp_path, monkeypatch):
    # Tests run as root, which ignores a folder's mode: a read-only folder is simulated where the temp file is made.
    import estate.foundation.files as files

    def refuse(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"steps": []}))
    forecast = ("forecast", plan, "--prices", ROOT / "stacks" / "rates.yaml", "--out")
    assert_refused(run_cli(*forecast, "/proc/version"), "/proc/version", "cannot write the report")
    monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", refuse)
    assert_refused(run_cli(*forecast, tmp_path / "ro" / "report.txt"), "report.txt", "Permission denied")


@pytest.mark.parametrize("store", ["/proc/version", "/proc/version/store"])
def test_a_store_that_cannot_be_written_is_refused_before_reading(tmp_path, store):
    assert_refused(load(_csv_export(tmp_path), store), store, "cannot be written")


def test_an_unreadable_input_is_refused(tmp_path, monkeypatch):
    # chmod 000 does not stop root: the refusal the kernel would give is simulated at the open.
    import estate.foundation.limits as limits

    real_open = os.open
    estate = tmp_path / "estate.yaml"
    estate.write_text(EXAMPLE_ESTATE.read_text())

    def guarded(path, *args, **kwargs):
        if str(path) == str(estate):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(limits.os, "open", guarded)
    assert_refused(run_cli("validate", estate), "estate.yaml", "Permission denied")
