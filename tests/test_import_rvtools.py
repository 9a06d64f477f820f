"""`estate import rvtools`: a 40+ VM workbook in RVTools' layout -> sized, validated estate; sizes from the table."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from estate.foundation.reference import disk_tiers, vm_sizes
from tests.conftest import run_cli
from tests.inventory_workbooks import VINFO_COLUMNS, Vm, vinfo_row, write_rvtools

FAMILIES = ("Bsv2", "Dsv5", "Esv5")
GIB = 1024


def expected_size(cpus: float, memory_gib: float, families: tuple[str, ...] = FAMILIES) -> str:
    """The cheapest-ranked size covering the VM, from vm_sizes.csv (fewest vCPU, least memory, family order)."""
    fitting = [s for s in vm_sizes().values()
               if s.family in families and s.vcpus >= cpus and s.memory_gib >= memory_gib]
    return min(fitting, key=lambda s: (s.vcpus, s.memory_gib, families.index(s.family))).size


def expected_tier(size_gib: float, sku: str) -> int:
    family = {"Premium_LRS": "Premium", "StandardSSD_LRS": "StandardSSD"}[sku]
    return min(limit for limit, _ in disk_tiers()[family] if limit >= size_gib)


def estate_vms() -> list[Vm]:
    vms: list[Vm] = []
    shapes = [(1, 2), (2, 4), (2, 8), (2, 16), (4, 8), (4, 16), (4, 32), (8, 32), (8, 64), (16, 64), (6, 24), (3, 5)]
    systems = ["Microsoft Windows Server 2016 (64-bit)", "Microsoft Windows Server 2019 (64-bit)",
               "Microsoft Windows Server 2012 R2 (64-bit)", "Microsoft Windows Server 2008 R2 (64-bit)",
               "Red Hat Enterprise Linux 8 (64-bit)", "Microsoft Windows Server 2022 (64-bit)"]
    for number in range(30):
        cpus, memory = shapes[number % len(shapes)]
        vms.append(Vm(f"app{number:02d}", cpus, memory * GIB, systems[number % len(systems)],
                      disks_mib=[40 * GIB + number * 100], folder=f"/Apps/app-{number % 5}", ip=f"10.1.0.{number}"))
    # multi-disk databases, foldered as databases -> premium
    vms.append(Vm("SQLDB01", 8, 64 * GIB, "Microsoft Windows Server 2016 (64-bit)", folder="/Databases/SQL",
                  disks_mib=[100 * GIB, 700 * GIB, 200 * GIB, 1500 * GIB]))
    vms.append(Vm("oradb01", 16, 128 * GIB, "Red Hat Enterprise Linux 8 (64-bit)", folder="/Databases/Oracle",
                  disks_mib=[50 * GIB, 3000 * GIB]))
    # Linux identified by VMware Tools only
    vms.append(Vm("ubu01", 2, 4 * GIB, "Ubuntu Linux (64-bit)", os_tools="Ubuntu 22.04.3 LTS"))
    vms.append(Vm("sles01", 4, 16 * GIB, "SUSE Linux Enterprise 15 (64-bit)"))
    # cannot run in Azure -> retained
    vms.append(Vm("legacy-2003a", 1, 2 * GIB, "Microsoft Windows Server 2003 Standard (32-bit)"))
    vms.append(Vm("legacy-2003b", 2, 4 * GIB, "Microsoft Windows Server 2003 Standard (64-bit)"))
    vms.append(Vm("w2008x86", 2, 4 * GIB, "Microsoft Windows Server 2008 (32-bit)"))
    # unknown OS -> skipped
    vms.append(Vm("centos01", 2, 4 * GIB, "CentOS 7 (64-bit)"))
    # powered off and a template -> skipped
    vms.append(Vm("off01", 2, 8 * GIB, "Microsoft Windows Server 2016 (64-bit)", power="poweredOff"))
    vms.append(Vm("off02", 2, 8 * GIB, "Red Hat Enterprise Linux 8 (64-bit)", power="poweredOff"))
    vms.append(Vm("off03", 4, 8 * GIB, "Microsoft Windows Server 2019 (64-bit)", power="suspended"))
    vms.append(Vm("TPL-W2019", 2, 4 * GIB, "Microsoft Windows Server 2019 (64-bit)", template=True))
    # odd names: spaces and symbols, an over-long Windows name, and two that collide once cleaned
    vms.append(Vm("Finance App #1 (prod)", 2, 8 * GIB, "Microsoft Windows Server 2019 (64-bit)"))
    vms.append(Vm("web_01", 2, 4 * GIB, "Microsoft Windows Server 2016 (64-bit)"))
    vms.append(Vm("WEB-01", 2, 4 * GIB, "Microsoft Windows Server 2016 (64-bit)"))
    vms.append(Vm("hr-payroll-application-server-01", 4, 16 * GIB, "Microsoft Windows Server 2019 (64-bit)"))
    vms.append(Vm("linux-reporting-batch-processing-node-with-a-long-name-01.corp.example.gov.uk", 2, 8 * GIB,
                  "Red Hat Enterprise Linux 9 (64-bit)"))
    return vms


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_rvtools(tmp_path / "rvtools.xlsx", estate_vms())


def imported(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text())


def servers_of(document: dict) -> dict[str, dict]:
    return {vm["name"]: vm for wave in document["waves"] for vm in wave["vms"]}


def test_import_sizes_every_vm_from_the_size_table_and_validates(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    result = run_cli("import", "rvtools", workbook, "--out", out, "--planned-month", "2027-01")
    assert result.exit_code == 0, result.output
    assert len(estate_vms()) >= 40
    servers = servers_of(imported(out))
    originals = {vm["tags"].get("original-name", name): vm for name, vm in servers.items()}
    movers = [vm for vm in estate_vms() if vm.name in originals]
    # 3 that cannot run in Azure and 10 out of support in January 2027 (2008 R2, 2012 R2) retained, 1 unknown OS,
    # 3 powered off, 1 template
    assert len(movers) == len(estate_vms()) - 18
    for vm in movers:
        assert originals[vm.name]["size"] == expected_size(vm.cpus, vm.memory_mib / GIB), vm.name
    validated = run_cli("validate", out)
    assert validated.exit_code == 0, validated.output
    assert f"{len(movers)} servers to migrate, 13 hosts retained" in validated.stdout


def test_databases_get_premium_disks_rounded_up_to_tiers(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    assert run_cli("import", "rvtools", workbook, "--out", out, "--out-of-support", "keep").exit_code == 0
    servers = servers_of(imported(out))
    sql = servers["sqldb01"]
    assert sql["os_disk"] == {"size_gb": expected_tier(100, "Premium_LRS"), "sku": "Premium_LRS"}
    assert sql["data_disks"] == [{"size_gb": expected_tier(size, "Premium_LRS"), "sku": "Premium_LRS"}
                                 for size in (700, 200, 1500)]
    assert sql["complexity"] == "complex"
    assert servers["oradb01"]["data_disks"] == [{"size_gb": expected_tier(3000, "Premium_LRS"), "sku": "Premium_LRS"}]
    app = servers["app03"]
    assert app["os_disk"] == {"size_gb": expected_tier(max(40 + 300 / GIB, 128), "StandardSSD_LRS"),
                              "sku": "StandardSSD_LRS"}
    linux = servers["app04"]  # RHEL 8: the Linux minimum (32) is below the 40 GiB disk
    assert linux["os_disk"]["size_gb"] == expected_tier(40 + 400 / GIB, "StandardSSD_LRS")


def test_exact_retained_and_skipped_lists(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    result = run_cli("import", "rvtools", workbook, "--out", out, "--planned-month", "2027-01")
    assert result.exit_code == 0, result.output
    retained = {group["name"]: group for group in imported(out)["retained"]}
    assert sorted(retained) == ["out-of-support-windows-server-2008-r2", "out-of-support-windows-server-2012-r2",
                                "unsupported-windows-server-2003", "unsupported-windows-server-2008"]
    # Azure's extended security updates for 2008 R2 ended 2024-01-09, for 2012 R2 2026-10-13: before 2027-01
    assert retained["out-of-support-windows-server-2008-r2"]["hosts"] == ["app03", "app09", "app15", "app21", "app27"]
    assert retained["out-of-support-windows-server-2012-r2"]["hosts"] == ["app02", "app08", "app14", "app20", "app26"]
    assert retained["unsupported-windows-server-2003"]["hosts"] == ["legacy-2003a", "legacy-2003b"]
    assert retained["unsupported-windows-server-2003"]["count"] == 2
    assert retained["unsupported-windows-server-2008"]["hosts"] == ["w2008x86"]
    assert {group["reason"] for group in retained.values()} == {"unsupported-os"}
    skipped_lines = [line for line in result.stdout.splitlines() if "sheet vInfo row" in line]
    skipped = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in skipped_lines}
    assert skipped == {"centos01": "unknown-os (CentOS 7 (64-bit))", "off01": "powered-off",
                       "off02": "powered-off", "off03": "powered-off", "TPL-W2019": "template"}
    names = set(servers_of(imported(out)))
    assert not names & {"centos01", "off01", "off02", "off03", "tpl-w2019", "legacy-2003a", "w2008x86"}


def test_out_of_support_keep_imports_them_with_a_note(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    result = run_cli("import", "rvtools", workbook, "--out", out, "--out-of-support", "keep", "--planned-month",
                     "2027-01")
    assert result.exit_code == 0, result.output
    servers = servers_of(imported(out))
    assert servers["app03"]["os_version"] == "2008-r2" and servers["app02"]["os_version"] == "2012-r2"
    assert sorted(g["name"] for g in imported(out)["retained"]) == ["unsupported-windows-server-2003",
                                                                    "unsupported-windows-server-2008"]
    assert out.read_text().count("[check] OS out of support at go-live") == 10


def test_include_powered_off_imports_them(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    assert run_cli("import", "rvtools", workbook, "--out", out, "--include-powered-off").exit_code == 0
    assert {"off01", "off02", "off03"} <= set(servers_of(imported(out)))


def test_names_are_made_valid_with_the_original_kept(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    assert run_cli("import", "rvtools", workbook, "--out", out).exit_code == 0
    servers = servers_of(imported(out))
    by_original = {vm["tags"]["original-name"]: name for name, vm in servers.items() if "original-name" in vm["tags"]}
    assert by_original["Finance App #1 (prod)"] == "finance-app-1-p"  # 15 characters: a Windows computer name
    # sorted by original name: "WEB-01" < "web_01", so WEB-01 keeps web-01 and web_01 gets the suffix
    assert by_original["WEB-01"] == "web-01" and by_original["web_01"] == "web-01-2"
    assert by_original["hr-payroll-application-server-01"] == "hr-payroll-appl"
    long_linux = by_original["linux-reporting-batch-processing-node-with-a-long-name-01.corp.example.gov.uk"]
    assert long_linux == "linux-reporting-batch-processing-node-with-a-long-name-01"
    for name, vm in servers.items():
        assert all(c.isascii() and (c.isalnum() or c == "-") for c in name)
        if vm["os"] == "windows-server":
            assert len(name) <= 15, name


def test_comments_name_source_and_assumptions(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    assert run_cli("import", "rvtools", workbook, "--out", out).exit_code == 0
    text = out.read_text()
    rows = {vm.name: row for row, vm in enumerate(estate_vms(), start=2)}
    assert f"- name: sqldb01  # [imported from rvtools.xlsx sheet vInfo row {rows['SQLDB01']}]" in text
    assert "[assumption]" in text.split("landing_zone:")[1].split("waves:")[0]
    assert "annual_run_cost: 0 # [assumption]" in text


def test_utilisation_sizing_times_comfort_factor(tmp_path: Path) -> None:
    vms = [Vm("busy", 8, 32 * GIB, "Microsoft Windows Server 2019 (64-bit)", cpu_overall_mhz=int(8 * 2600 * 0.25),
              memory_active_mib=8 * GIB),
           Vm("idle", 4, 16 * GIB, "Microsoft Windows Server 2019 (64-bit)", cpu_overall_mhz=10, memory_active_mib=64),
           Vm("unknown", 4, 16 * GIB, "Microsoft Windows Server 2019 (64-bit)")]
    workbook = write_rvtools(tmp_path / "util.xlsx", vms)
    out = tmp_path / "estate.yaml"
    result = run_cli("import", "rvtools", workbook, "--out", out, "--sizing", "utilisation", "--comfort-factor", "1.3")
    assert result.exit_code == 0, result.output
    servers = servers_of(imported(out))
    assert servers["busy"]["size"] == expected_size(math.ceil(8 * 0.25 * 1.3), 32 * 0.25 * 1.3)
    smallest = min((s for s in vm_sizes().values() if s.family in FAMILIES), key=lambda s: (s.vcpus, s.memory_gib))
    assert servers["idle"]["size"] == smallest.size
    assert servers["unknown"]["size"] == expected_size(4, 16)  # no utilisation: as on premises, marked
    assert "[assumption] no utilisation figures" in out.read_text()


def test_families_option_limits_the_sizes(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "estate.yaml"
    assert run_cli("import", "rvtools", workbook, "--out", out, "--families", "Dsv5,Esv5").exit_code == 0
    for vm in estate_vms():
        match = [s for s in servers_of(imported(out)).values() if s["tags"].get("original-name", s["name"]) == vm.name]
        if match:
            assert match[0]["size"] == expected_size(vm.cpus, vm.memory_mib / GIB, ("Dsv5", "Esv5"))


def test_a_folder_of_csvs_with_mb_headers_and_shuffled_columns_reads_the_same(workbook: Path, tmp_path: Path) -> None:
    folder = tmp_path / "csvs"
    folder.mkdir()
    vms = estate_vms()
    columns = [*reversed(VINFO_COLUMNS), "Custom attribute: Backup"]
    with (folder / "RVTools_tabvInfo.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.replace("MiB", "MB") for c in columns])
        for vm in vms:
            row = dict(zip(VINFO_COLUMNS, vinfo_row(vm), strict=True))
            writer.writerow([row.get(c, "daily") for c in columns])
    with (folder / "vDisk.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["VM", "Disk", "Capacity MB"])
        for vm in vms:
            for number, size in enumerate(vm.disks_mib, start=1):
                writer.writerow([vm.name, f"Hard disk {number}", size])
    from_csv, from_xlsx = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first = run_cli("import", "rvtools", folder, "--out", from_csv, "--planned-month", "2027-01")
    assert first.exit_code == 0, first.output
    assert run_cli("import", "rvtools", workbook, "--out", from_xlsx, "--planned-month", "2027-01").exit_code == 0
    def without_ips(document: dict) -> list[dict]:  # the CSV folder has no vNetwork sheet, so no IP tags
        servers = list(servers_of(document).values())
        for vm in servers:
            vm.get("tags", {}).pop("on-premises-ip", None)
        return servers

    assert without_ips(imported(from_csv)) == without_ips(imported(from_xlsx))
    assert servers_of(imported(from_xlsx))["app05"]["tags"]["on-premises-ip"] == "10.1.0.5"
