"""`estate waves plan` on an imported estate with an Azure Migrate dependency export (its published columns:
Source server name, Source IP, Source application, Source process, Destination server name, Destination IP,
Destination application, Destination process, Destination port)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import run_cli
from tests.inventory_workbooks import write_rvtools
from tests.test_import_rvtools import estate_vms

DEPENDENCY_HEADER = ["Time slot", "Source server name", "Source IP", "Source application", "Source process",
                     "Destination server name", "Destination IP", "Destination application", "Destination process",
                     "Destination port"]
LINKS = [("app00", "SQLDB01.corp.local", 1433), ("app01", "SQLDB01", 1433), ("app05", "app00", 443),
         ("app10", "oradb01", 1521), ("app11", "legacy-2003a", 1433), ("app12", "legacy-2003b", 80),
         ("app13", "nowhere.example", 443)]


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    out = tmp_path / "estate.yaml"
    workbook = write_rvtools(tmp_path / "rvtools.xlsx", estate_vms())
    assert run_cli("import", "rvtools", workbook, "--out", out, "--planned-month", "2027-01").exit_code == 0
    return out


@pytest.fixture
def dependencies(tmp_path: Path) -> Path:
    path = tmp_path / "deps.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(DEPENDENCY_HEADER)
        for source, destination, port in LINKS:
            writer.writerow(["0-6", source, "10.0.0.1", "", "app.exe", destination, "10.0.0.2", "", "db.exe", port])
    return path


def waves_of(path: Path) -> dict[str, str]:
    document = YAML(typ="safe").load(path.read_text())
    return {vm["name"]: wave["name"] for wave in document["waves"] for vm in wave["vms"]}


def test_plan_keeps_dependencies_together_flags_retained_links_and_validates(estate: Path, dependencies: Path) -> None:
    servers_before = set(waves_of(estate))
    result = run_cli("waves", "plan", "--estate", estate, "--dependencies", dependencies, "--max-servers-per-wave",
                     "10", "--first-wave-month", "2027-02", "--months-between-waves", "2")
    assert result.exit_code == 0, result.output
    wave = waves_of(estate)
    assert set(wave) == servers_before
    assert wave["app00"] == wave["sqldb01"] == wave["app01"] == wave["app05"]
    assert wave["app10"] == wave["oradb01"]
    assert "No dependency was cut" in result.stdout
    assert "flag: app11 has a latency-critical link to retained host legacy-2003a (port 1433)" in result.stdout
    assert "flag: app12" not in result.stdout  # port 80 is not latency-critical
    assert "1 of 7 links name servers that are in neither" in result.stdout
    assert "[flag] latency-critical link to retained host legacy-2003a:1433" in estate.read_text()
    document = YAML(typ="safe").load(estate.read_text())
    assert document["waves"][0]["name"] == "pilot"
    assert wave["app11"] != "pilot"
    assert [w["planned_month"] for w in document["waves"][:3]] == ["2027-02", "2027-04", "2027-06"]
    assert all(len(w["vms"]) <= 10 for w in document["waves"])
    assert run_cli("validate", estate).exit_code == 0


def test_a_cap_below_a_component_reports_every_cut(estate: Path, dependencies: Path) -> None:
    result = run_cli("waves", "plan", "--estate", estate, "--dependencies", dependencies,
                     "--max-servers-per-wave", "2", "--first-wave-month", "2027-02")
    assert result.exit_code == 0, result.output
    wave = waves_of(estate)
    # app00, app01, app05 and sqldb01 are one component of 4: it cannot fit in a wave of 2
    together = [("app00", "sqldb01"), ("app01", "sqldb01"), ("app00", "app05")]
    cut = [pair for pair in together if wave[pair[0]] != wave[pair[1]]]
    assert cut
    table = result.stdout.split("Dependencies cut")[1]
    for a, b in cut:
        assert any(a in line and b in line and "exceeds --max-servers-per-wave 2" in line
                   for line in table.splitlines()), (a, b)
    assert wave["app10"] == wave["oradb01"]  # a component of 2 fits: not cut


def test_plans_are_deterministic(estate: Path, dependencies: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    shutil.copy(estate, copy)
    args = ("--dependencies", dependencies, "--max-servers-per-wave", "7", "--first-wave-month", "2027-02",
            "--keep-together", "folder")
    assert run_cli("waves", "plan", "--estate", estate, *args).exit_code == 0
    assert run_cli("waves", "plan", "--estate", copy, *args).exit_code == 0
    assert estate.read_text() == copy.read_text()


def test_keep_together_by_folder(estate: Path) -> None:
    result = run_cli("waves", "plan", "--estate", estate, "--max-servers-per-wave", "20", "--keep-together",
                     "folder", "--first-wave-month", "2027-02")
    assert result.exit_code == 0, result.output
    document = YAML(typ="safe").load(estate.read_text())
    by_folder: dict[str, set[str]] = {}
    for wave in document["waves"]:
        for vm in wave["vms"]:
            by_folder.setdefault(vm["tags"].get("vmware-folder", ""), set()).add(wave["name"])
    assert all(len(waves) == 1 for folder, waves in by_folder.items() if folder.startswith("/Apps/"))


def test_a_bad_dependency_file(estate: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("from_server,to_server\na,b\n")
    before = estate.read_text()
    result = run_cli("waves", "plan", "--estate", estate, "--dependencies", bad)
    assert result.exit_code == 2
    assert "needs a source and a destination column" in result.stderr
    assert estate.read_text() == before


def test_links_match_by_ip_address_where_the_name_is_unknown(estate: Path, tmp_path: Path) -> None:
    servers = {vm["name"]: vm for wave in YAML(typ="safe").load(estate.read_text())["waves"] for vm in wave["vms"]}
    assert servers["app19"]["tags"]["on-premises-ip"] == "10.1.0.19"  # from vNetwork
    deps = tmp_path / "by-ip.csv"
    deps.write_text(",".join(DEPENDENCY_HEADER) + "\n" + "0-6,app18,10.1.0.18,,a.exe,,10.1.0.19,,b.exe,443\n")
    before = run_cli("waves", "plan", "--estate", estate, "--max-servers-per-wave", "2", "--first-wave-month",
                     "2026-12", "--out", tmp_path / "without.yaml")
    assert before.exit_code == 0
    result = run_cli("waves", "plan", "--estate", estate, "--dependencies", deps, "--max-servers-per-wave", "2",
                     "--first-wave-month", "2026-12")
    assert result.exit_code == 0, result.output
    wave = waves_of(estate)
    assert wave["app18"] == wave["app19"]
    assert waves_of(tmp_path / "without.yaml")["app18"] != waves_of(tmp_path / "without.yaml")["app19"]
