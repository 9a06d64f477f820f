"""Bad estate files: every problem at once, as FILE:LINE:COL: field: what; what to do, exit 2, no traceback."""

from __future__ import annotations

import re

import pytest

from tests.conftest import MINIMAL_ESTATE, run_cli


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing `needle`."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def _expect_problem(result, path, line, field, *phrases):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    pattern = re.escape(f"{path}:{line}:") + r"\d+: " + re.escape(field) + ": "
    assert re.search(pattern, result.stderr), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


# (case, text change (old, new), needle marking the expected line, field path, phrases in the message)
CASES = [
    ("unknown key", ("bandwidth_mbps: 200", "bandwith_mbps: 200"), "bandwith_mbps",
     "connectivity.expressroute.bandwith_mbps", ["unknown key 'bandwith_mbps'", "did you mean 'bandwidth_mbps'?"]),
    ("wrong type", ("count: 3", "count: three"), "count: three", "waves[0].vms[1].count",
     ["valid integer", "give a whole number"]),
    ("non-UK region", ("subnet: apps\n", "subnet: apps\n    region: westeurope\n"), "region: westeurope",
     "waves[0].region", ["'westeurope' is not allowed", "allowed regions are uksouth, ukwest"]),
    ("not a region", ("subnet: apps\n", "subnet: apps\n    region: narnia\n"), "region: narnia",
     "waves[0].region", ["'narnia' is not an Azure region"]),
    ("duplicate VM", ("name: tc-app-01", "name: tc-web-02"), 'name_pattern: "tc-web', "waves[0].vms[1].name_pattern",
     ["server name 'tc-web-02' is already used at waves[0].vms[0]"]),
    ("bad bandwidth", ("bandwidth_mbps: 200", "bandwidth_mbps: 300"), "bandwidth_mbps: 300",
     "connectivity.expressroute.bandwidth_mbps", ["does not sell 300 Mbps", "50, 100, 200, 500, 1000"]),
    ("negative cost", ("annual_run_cost: 4000", "annual_run_cost: -4000"), "annual_run_cost",
     "retained[0].annual_run_cost", ["greater than or equal to 0", "-4000"]),
    ("unknown OS", ("os: ubuntu", "os: ubunty"), "os: ubunty", "waves[0].vms[1].os",
     ["unknown operating system 'ubunty'", "did you mean 'ubuntu'?"]),
    ("unknown OS version", ('os_version: "2022"', 'os_version: "2021"'), 'os_version: "2021"',
     "waves[0].vms[0].os_version", ["unknown windows-server version '2021'", "2019"]),
    ("count without pattern", ('        name_pattern: "tc-web-{n:02}"\n', ""), "count: 3", "waves[0].vms[1].count",
     ["count needs a name_pattern"]),
    ("pattern without placeholder", ('"tc-web-{n:02}"', '"tc-web"'), "name_pattern", "waves[0].vms[1].name_pattern",
     ["has no {n} placeholder"]),
    ("unknown VM size", ("Standard_D2s_v5", "Standard_D2s_v9"), "Standard_D2s_v9", "waves[0].vms[0].size",
     ["unknown VM size 'Standard_D2s_v9'", "did you mean"]),
    ("unknown subnet", ("subnet: apps", "subnet: aps"), "subnet: aps", "waves[0].subnet",
     ["no subnet named 'aps'", "did you mean 'apps'?"]),
    ("subnet outside hub", ("prefix: 10.1.1.0/24", "prefix: 10.2.1.0/24"), "10.2.1.0/24",
     "landing_zone.hub.subnets[1].prefix", ["outside the hub address space"]),
    ("wrong enum", ("reason: latency", "reason: slow"), "reason: slow", "retained[0].reason",
     ["'latency'", "(got 'slow')"]),
    ("missing key", ("  cost_centre: IT\n", ""), "organisation:", "organisation.cost_centre",
     ["required key 'cost_centre' is missing"]),
    ("Windows name too long", ("name: tc-app-01", "name: tc-application-server-01"), "tc-application-server-01",
     "waves[0].vms[0].name", ["Windows computer names allow 15"]),
    ("2003 into Azure", ('os_version: "2022"', 'os_version: "2003"'), 'os_version: "2003"',
     "waves[0].vms[0].os_version", ["cannot run in Azure", "retained"]),
    ("premium disk on a non-s size", ("size: Standard_D2s_v5\n", "size: Standard_D2_v3\n"
                                      "        os_disk: {size_gb: 64, sku: Premium_LRS}\n"),
     "Premium_LRS", "waves[0].vms[0].os_disk.sku", ["cannot attach Premium_LRS"]),
]


@pytest.mark.parametrize(("change", "needle", "field", "phrases"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_bad_estate_is_reported_with_file_line_and_field(write_estate, change, needle, field, phrases):
    old, new = change
    assert old in MINIMAL_ESTATE
    text = MINIMAL_ESTATE.replace(old, new, 1)
    path = write_estate(text)
    result = run_cli("validate", path)
    _expect_problem(result, path, _line_of(text, needle), field, *phrases)


def test_all_problems_are_reported_at_once(write_estate):
    text = (MINIMAL_ESTATE.replace("bandwidth_mbps: 200", "bandwidth_mbps: 300")
            .replace("os: ubuntu", "os: ubunty").replace("subnet: apps", "subnet: aps"))
    result = run_cli("validate", write_estate(text))
    assert result.exit_code == 2
    assert "3 problems found" in result.stderr
    assert result.stderr.count("estate.yaml:") >= 4  # the heading and one line per problem


def test_schema_errors_are_all_reported_too(write_estate):
    text = MINIMAL_ESTATE.replace("count: 3", "count: three").replace("reason: latency", "reason: slow")
    result = run_cli("validate", write_estate(text))
    assert result.exit_code == 2
    assert "2 problems found" in result.stderr
    assert "waves[0].vms[1].count" in result.stderr and "retained[0].reason" in result.stderr


def test_yaml_syntax_error_names_file_and_line(write_estate):
    text = MINIMAL_ESTATE.replace("  short_name: tc\n", "  short_name: [tc\n")
    path = write_estate(text)
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert re.search(re.escape(str(path)) + r":\d+:\d+: YAML syntax error", result.stderr), result.stderr


def test_empty_file(write_estate):
    path = write_estate("# nothing here yet\n\n")
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert f"{path}:1:1: the file is empty" in result.stderr


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert f"{path}: no such file" in result.stderr
    assert "Traceback" not in result.output


def test_directory_instead_of_file(tmp_path):
    result = run_cli("validate", tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path}: is a directory, not a file" in result.stderr


def test_a_list_instead_of_a_mapping(write_estate):
    path = write_estate("- just\n- a list\n")
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert f"{path}:1:1: the estate definition must be a YAML mapping" in result.stderr


def test_unknown_command_option_is_a_usage_error():
    result = run_cli("validate", "--no-such-flag")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_entry_point_runs_as_a_program(write_estate):
    """The real console script path: a subprocess, so nothing of pytest's capture hides a traceback."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = write_estate(MINIMAL_ESTATE.replace("os: ubuntu", "os: ubunty"))
    completed = subprocess.run([sys.executable, "-m", "estate", "validate", str(path)], capture_output=True,
                               text=True, cwd=ROOT, timeout=60)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "unknown operating system 'ubunty'" in completed.stderr
