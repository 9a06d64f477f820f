"""`estate actuals load`: the finance ledger into the cost store, exactly, idempotently, all or nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_cli
from tests.finance_helpers import FINANCE_CASE, HEADER, LEDGER_ROWS, ledger_csv
from tests.reconcile_helpers import write_case


def _tree(store: Path) -> dict[str, str]:
    """Every file of the store and a hash of its bytes: what 'untouched' is checked against."""
    if not store.exists():
        return {}
    return {str(path.relative_to(store)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(store.rglob("*")) if path.is_file()}


@pytest.fixture
def case(tmp_path):
    return write_case(tmp_path / "case.yaml", FINANCE_CASE)


def _load(path, store, *extra):
    return run_cli("actuals", "load", path, "--store", store, *extra)


def test_a_ledger_loads_exactly_and_loading_it_again_adds_nothing(tmp_path, case):
    ledger = tmp_path / "ledger.csv"
    adjustment = ("2025-09", "legacy-hosting", "0.10", "GBP", "SunGard", "SG-ADJ", "revenue")
    ledger.write_text(ledger_csv([*LEDGER_ROWS, adjustment]), encoding="utf-8")
    store = tmp_path / "store"

    first = _load(ledger, store, "--case", case, "--format", "json")
    assert first.exit_code == 0, first.output
    loaded = json.loads(first.stdout)["ledgers"][0]
    expected = sum((Decimal(row[2]) for row in LEDGER_ROWS), Decimal("0.10"))
    assert loaded["status"] == "loaded" and loaded["rows"] == len(LEDGER_ROWS) + 1
    assert Decimal(loaded["totals"]["GBP"]) == expected
    assert loaded["months"]["2025-05"] == 2  # a date (2025-05-31) is its month
    manifest = json.loads((store / "manifest.json").read_text())
    (record,) = manifest["ledgers"].values()
    assert (store / record["file"]).is_file() and record["file"].startswith("ledger/")
    before = _tree(store)

    again = _load(ledger, store)
    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert _tree(store) == before


def test_an_xlsx_ledger_with_date_cells_loads_the_same_figures(tmp_path, case):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for period, line, amount, currency, supplier, reference, classification in LEDGER_ROWS:
        sheet.append([date(int(period[:4]), int(period[5:7]), 1), line, float(amount), currency, supplier, reference,
                      classification])
    path = tmp_path / "ledger.xlsx"
    book.save(path)

    result = _load(path, tmp_path / "store", "--case", case, "--format", "json")

    assert result.exit_code == 0, result.output
    loaded = json.loads(result.stdout)["ledgers"][0]
    assert Decimal(loaded["totals"]["GBP"]) == sum((Decimal(row[2]) for row in LEDGER_ROWS), Decimal(0))
    assert sum(loaded["months"].values()) == len(LEDGER_ROWS)


def test_a_corrected_ledger_from_the_same_file_replaces_its_rows(tmp_path, case):
    ledger, store = tmp_path / "ledger.csv", tmp_path / "store"
    ledger.write_text(ledger_csv(), encoding="utf-8")
    assert _load(ledger, store).exit_code == 0
    corrected = [row if row[5] != "AM-002" else (*row[:2], "5500.00", *row[3:]) for row in LEDGER_ROWS]
    ledger.write_text(ledger_csv(corrected), encoding="utf-8")

    result = _load(ledger, store, "--format", "json")

    assert json.loads(result.stdout)["ledgers"][0]["status"] == "replaced"
    manifest = json.loads((store / "manifest.json").read_text())
    assert len(manifest["ledgers"]) == 1
    assert len(list((store / "ledger").iterdir())) == 1  # the superseded file is gone


BAD = [
    ("wrong columns", "period,line,amount,supplier,reference,classification\n2025-04,azure-run,1,SG,R1,revenue\n",
     ["row 1", "missing currency"]),
    ("non-numeric amount", HEADER + "\n2025-04,legacy-hosting,\"£5,000\",GBP,SunGard,SG-1,revenue\n",
     ["row 2", "column 'amount'", "is not a number"]),
    ("bad period", HEADER + "\n2025-04,legacy-hosting,1,GBP,SunGard,SG-1,revenue\nApril,legacy-hosting,1,GBP,S,X,"
     "revenue\n", ["row 3", "column 'period'"]),
    ("duplicate invoice", HEADER + "\n2025-04,legacy-hosting,1,GBP,SunGard,SG-1,revenue\n"
     "2025-05,legacy-hosting,2,GBP,sungard,SG-1,revenue\n", ["row 3", "column 'reference'", "also on row 2"]),
    ("bad classification", HEADER + "\n2025-04,legacy-hosting,1,GBP,SunGard,SG-1,opex\n",
     ["row 2", "column 'classification'"]),
]


@pytest.mark.parametrize(("what", "text", "said"), BAD, ids=[item[0] for item in BAD])
def test_a_broken_ledger_exits_2_naming_file_and_row_and_leaves_the_store_untouched(tmp_path, case, what, text, said):
    store = tmp_path / "store"
    good = tmp_path / "good.csv"
    good.write_text(ledger_csv(), encoding="utf-8")
    assert _load(good, store).exit_code == 0
    before = _tree(store)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")

    result = _load(bad, store)

    assert result.exit_code == 2, result.output
    assert str(bad) in result.stderr and "Traceback" not in result.output
    for words in said:
        assert words in result.stderr
    assert _tree(store) == before


def test_a_line_the_case_lacks_is_refused_at_load_with_case(tmp_path, case):
    bad = tmp_path / "ledger.csv"
    bad.write_text(HEADER + "\n2025-04,legacy-hosting,1,GBP,SunGard,SG-1,revenue\n"
                   "2025-04,serco-managment,1,GBP,Serco,S-1,revenue\n", encoding="utf-8")
    store = tmp_path / "store"

    result = _load(bad, store, "--case", case)

    assert result.exit_code == 2
    assert "row 3" in result.stderr and "'serco-managment' is not a line of" in result.stderr
    assert _tree(store) == {}


def test_a_line_the_case_lacks_is_refused_at_reconcile_without_case(tmp_path, case):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(HEADER + "\n2025-04,azure-run,1,GBP,Microsoft,MS-1,revenue\n"
                      "2025-04,no-such-line,1,GBP,Serco,S-1,revenue\n", encoding="utf-8")
    store = tmp_path / "store"
    loaded = _load(ledger, store)
    assert loaded.exit_code == 0 and "not checked against a case" in loaded.stdout

    result = run_cli("cost", "reconcile", "--case", case, "--store", store)

    assert result.exit_code == 2
    assert str(ledger) in result.stderr and "row 3" in result.stderr and "'no-such-line'" in result.stderr


def test_the_same_invoice_in_another_ledger_exits_2(tmp_path, case):
    store = tmp_path / "store"
    first, second = tmp_path / "april.csv", tmp_path / "may.csv"
    first.write_text(ledger_csv(LEDGER_ROWS[:3]), encoding="utf-8")
    second.write_text(ledger_csv([LEDGER_ROWS[3], LEDGER_ROWS[1]]), encoding="utf-8")
    assert _load(first, store).exit_code == 0
    before = _tree(store)

    result = _load(second, store)

    assert result.exit_code == 2
    assert "row 3" in result.stderr and "SG-0525" in result.stderr and str(first) in result.stderr
    assert _tree(store) == before


def test_ledger_spend_on_the_baseline_is_refused(tmp_path, case):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(HEADER + "\n2025-04,baseline,1,GBP,SunGard,SG-1,revenue\n", encoding="utf-8")

    result = _load(ledger, tmp_path / "store", "--case", case)

    assert result.exit_code == 2 and "baseline" in result.stderr and "row 2" in result.stderr


def test_a_cost_load_after_a_ledger_keeps_the_ledger(tmp_path, case, third_party):
    store = tmp_path / "store"
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(ledger_csv(), encoding="utf-8")
    assert _load(ledger, store, "--case", case).exit_code == 0
    sample = third_party / "focus-sample-data" / "focus_sample_1.0.csv"

    loaded = run_cli("cost", "load", sample, "--store", store)

    assert loaded.exit_code == 0, loaded.output
    manifest = json.loads((store / "manifest.json").read_text())
    assert len(manifest["ledgers"]) == 1 and manifest["sources"]
    (record,) = manifest["ledgers"].values()
    assert (store / record["file"]).is_file()
