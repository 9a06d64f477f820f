"""`estate import azure-migrate`: the CSV layout Microsoft documents for Azure Migrate's server import
(learn.microsoft.com/azure/migrate/tutorial-discover-import, "Prepare the CSV": "Server name", "IP addresses",
"Cores", "Memory (In MB)", "OS name", "OS version", "OS architecture", "Disk N size (In GB)", "CPU utilization
percentage", "Memory utilization percentage"; the template marks mandatory columns with a leading *)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from openpyxl import Workbook
from ruamel.yaml import YAML

from tests.conftest import run_cli
from tests.test_import_rvtools import expected_size, expected_tier

HEADER = ["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version", "OS architecture",
          "Server type", "Hypervisor", "CPU utilization percentage", "Memory utilization percentage", "Number of disks",
          "Disk 1 size (In GB)", "Disk 1 read throughput (MB per second)", "Disk 2 size (In GB)",
          "Disk 2 read throughput (MB per second)", "Boot type", "MAC address"]
SERVERS = [
    ["web01.corp.local", "10.0.0.1", 2, 4096, "Windows Server 2016", "", "x64", "", "", 20, 50, 1, 128, 5, "", "",
     "BIOS", ""],
    ["sql01.corp.local", "10.0.0.2", 8, 65536, "Windows Server 2019", "", "x64", "", "", 60, 80, 2, 127, 5, 900, 50,
     "UEFI", ""],
    ["rhel01", "10.0.0.3", 4, 16384, "Red Hat Enterprise Linux 8", "8.6", "x64", "", "", 10, 30, 1, 64, 1, "", "",
     "BIOS", ""],
    ["old2003", "10.0.0.4", 1, 2048, "Windows Server 2003", "", "x86", "", "", 5, 40, 1, 40, 1, "", "", "BIOS", ""],
    ["ubuntu01", "10.0.0.5", 2, 8192, "Ubuntu Linux", "22.04", "x64", "", "", 15, 25, 1, 30, 1, "", "", "BIOS", ""],
]


def write_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(SERVERS)
    return path


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text())


def test_import_from_the_documented_csv_layout(tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    result = run_cli("import", "azure-migrate", write_csv(tmp_path / "servers.csv"), "--out", out)
    assert result.exit_code == 0, result.output
    document = load(out)
    servers = {vm["name"]: vm for wave in document["waves"] for vm in wave["vms"]}
    assert sorted(servers) == ["rhel01", "sql01", "ubuntu01", "web01"]  # FQDNs cut to the host name
    assert servers["web01"]["tags"]["original-name"] == "web01.corp.local"
    for row in SERVERS:
        name = row[0].split(".")[0]
        if name in servers:
            assert servers[name]["size"] == expected_size(row[2], row[3] / 1024), name
    assert (servers["sql01"]["os"], servers["sql01"]["os_version"]) == ("windows-server", "2019")
    assert servers["sql01"]["data_disks"] == [{"size_gb": expected_tier(900, "Premium_LRS"), "sku": "Premium_LRS"}]
    assert (servers["ubuntu01"]["os"], servers["ubuntu01"]["os_version"]) == ("ubuntu", "22.04")
    assert servers["rhel01"]["os_disk"]["size_gb"] == expected_tier(64, "StandardSSD_LRS")
    assert [g["hosts"] for g in document["retained"]] == [["old2003"]]
    assert run_cli("validate", out).exit_code == 0


def test_utilisation_sizing_uses_the_percentage_columns(tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    result = run_cli("import", "azure-migrate", write_csv(tmp_path / "servers.csv"), "--out", out,
                     "--sizing", "utilisation", "--comfort-factor", "1.5")
    assert result.exit_code == 0, result.output
    servers = {vm["name"]: vm for wave in load(out)["waves"] for vm in wave["vms"]}
    assert servers["sql01"]["size"] == expected_size(math.ceil(8 * 0.60 * 1.5), 64 * 0.80 * 1.5)


def test_the_same_layout_in_a_workbook(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Discovered servers"
    book.active.append(HEADER)
    for row in SERVERS:
        book.active.append(row)
    book.save(tmp_path / "servers.xlsx")
    from_xlsx, from_csv = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert run_cli("import", "azure-migrate", tmp_path / "servers.xlsx", "--out", from_xlsx,
                   "--planned-month", "2027-03").exit_code == 0
    assert run_cli("import", "azure-migrate", write_csv(tmp_path / "servers.csv"), "--out", from_csv,
                   "--planned-month", "2027-03").exit_code == 0
    assert load(from_xlsx)["waves"][0]["vms"] == load(from_csv)["waves"][0]["vms"]


def test_a_non_numeric_core_count_names_row_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "servers.csv")
    path.write_text(path.read_text().replace("rhel01,10.0.0.3,4,", "rhel01,10.0.0.3,four,"))
    result = run_cli("import", "azure-migrate", path, "--out", tmp_path / "e.yaml")
    assert result.exit_code == 2
    assert "sheet Servers row 4 column '*Cores': 'four' is not a number" in result.stderr
    assert not (tmp_path / "e.yaml").exists()
