"""Bad inventories: exit 2 naming sheet, row and column; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.conftest import run_cli
from tests.inventory_workbooks import VINFO_COLUMNS, Vm, vinfo_row, write_rvtools

GOOD = [Vm("app01", 2, 4096, "Microsoft Windows Server 2019 (64-bit)"),
        Vm("app02", 4, 8192, "Microsoft Windows Server 2019 (64-bit)")]


def raw_vinfo(path: Path, header: list[str], rows: list[list[object]], sheet: str = "vInfo") -> Path:
    book = Workbook()
    book.active.title = sheet
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def import_fails(tmp_path: Path, file: Path, *fragments: str) -> str:
    out = tmp_path / "estate.yaml"
    result = run_cli("import", "rvtools", file, "--out", out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert not out.exists()
    return result.stderr


def test_a_workbook_without_vinfo(tmp_path: Path) -> None:
    file = raw_vinfo(tmp_path / "x.xlsx", ["VM", "CPUs"], [["a", 1]], sheet="Sheet1")
    import_fails(tmp_path, file, "no vInfo sheet", "Sheet1")


def test_a_missing_required_column(tmp_path: Path) -> None:
    header = [c for c in VINFO_COLUMNS if c != "CPUs"]
    rows = [[dict(zip(VINFO_COLUMNS, vinfo_row(vm), strict=True))[c] for c in header] for vm in GOOD]
    file = raw_vinfo(tmp_path / "x.xlsx", header, rows)
    import_fails(tmp_path, file, "sheet vInfo row 1", "no column 'CPUs'")


def test_a_non_numeric_cpu_count(tmp_path: Path) -> None:
    rows = [vinfo_row(vm) for vm in GOOD]
    rows[1][VINFO_COLUMNS.index("CPUs")] = "four"
    file = raw_vinfo(tmp_path / "x.xlsx", VINFO_COLUMNS, rows)
    import_fails(tmp_path, file, "sheet vInfo row 3 column 'CPUs'", "'four' is not a number")


def test_duplicate_vm_names(tmp_path: Path) -> None:
    file = write_rvtools(tmp_path / "x.xlsx", [*GOOD, Vm("APP01", 2, 4096, "Microsoft Windows Server 2019 (64-bit)")])
    import_fails(tmp_path, file, "sheet vInfo row 4 column 'VM'", "'APP01' is listed twice (first at row 2)")


def test_an_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    file = tmp_path / "x.xlsx"
    file.write_text("VM,CPUs\napp,2\n")
    import_fails(tmp_path, file, "is not an Excel workbook")


def test_a_non_numeric_disk_capacity_names_the_vdisk_sheet(tmp_path: Path) -> None:
    file = write_rvtools(tmp_path / "x.xlsx", GOOD, write_only=False)
    from openpyxl import load_workbook

    book = load_workbook(file)
    book["vDisk"]["F3"] = "lots"
    book.save(file)
    import_fails(tmp_path, file, "sheet vDisk row 3 column 'Capacity MiB'", "'lots' is not a number")


@pytest.mark.parametrize("existing", [True, False])
def test_nothing_is_overwritten_on_bad_input(tmp_path: Path, existing: bool) -> None:
    out = tmp_path / "estate.yaml"
    if existing:
        out.write_text("# my estate\n")
    rows = [vinfo_row(vm) for vm in GOOD]
    rows[0][VINFO_COLUMNS.index("Memory")] = "n/a"
    file = raw_vinfo(tmp_path / "x.xlsx", VINFO_COLUMNS, rows)
    result = run_cli("import", "rvtools", file, "--out", out)
    assert result.exit_code == 2
    assert "sheet vInfo row 2 column 'Memory'" in result.stderr
    assert (out.read_text() == "# my estate\n") if existing else not out.exists()


def test_an_unknown_family(tmp_path: Path) -> None:
    file = write_rvtools(tmp_path / "x.xlsx", GOOD)
    result = run_cli("import", "rvtools", file, "--out", tmp_path / "e.yaml", "--families", "Dsv9")
    assert result.exit_code == 2 and "unknown family Dsv9" in result.stderr
