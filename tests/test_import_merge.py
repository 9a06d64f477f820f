"""`estate import ... --merge-into`: servers updated or added; the user's other edits and comments kept."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from tests.conftest import run_cli
from tests.inventory_workbooks import Vm, write_rvtools
from tests.test_import_rvtools import expected_size


def test_merge_updates_servers_and_keeps_everything_else(tmp_path: Path) -> None:
    first = write_rvtools(tmp_path / "first.xlsx", [
        Vm("app01", 2, 4096, "Microsoft Windows Server 2019 (64-bit)"),
        Vm("app02", 2, 4096, "Microsoft Windows Server 2019 (64-bit)")])
    estate = tmp_path / "estate.yaml"
    assert run_cli("import", "rvtools", first, "--out", estate, "--planned-month", "2027-01").exit_code == 0
    # the user's edits: an organisation, a comment, an application name on app01
    text = estate.read_text().replace("name: Imported estate", "name: Test Council  # we are the council")
    text = text.replace("application: Servers  # [assumption] from the VMware folder\n"
                        "        business_case_line: azure-run\n"
                        "        tags: {vmware-folder: /Servers, vmware-cluster: CL01}\n      - name: app02",
                        "application: payroll  # set by hand\n        business_case_line: azure-run\n"
                        "        tags: {vmware-folder: /Servers, vmware-cluster: CL01}\n      - name: app02", 1)
    assert "application: payroll" in text
    estate.write_text(text)
    second = write_rvtools(tmp_path / "second.xlsx", [
        Vm("app01", 8, 65536, "Microsoft Windows Server 2022 (64-bit)"),
        Vm("app03", 4, 16384, "Red Hat Enterprise Linux 9 (64-bit)")])
    result = run_cli("import", "rvtools", second, "--merge-into", estate)
    assert result.exit_code == 0, result.output
    assert "1 servers updated, 1 added" in result.stdout
    merged = estate.read_text()
    assert "name: Test Council  # we are the council" in merged
    assert "application: payroll  # set by hand" in merged
    servers = {vm["name"]: vm for wave in YAML(typ="safe").load(merged)["waves"] for vm in wave["vms"]}
    assert servers["app01"]["size"] == expected_size(8, 64) and servers["app01"]["os_version"] == "2022"
    assert servers["app01"]["application"] == "payroll"
    assert servers["app02"]["size"] == expected_size(2, 4)  # not in the new inventory: left as it was
    assert servers["app03"]["os"] == "rhel"
    assert "[updated from second.xlsx sheet vInfo row 2]" in merged
    assert run_cli("validate", estate).exit_code == 0
