"""Defect 4: a server moved between waves is warned about, with the `pulumi state move` that keeps it."""

from __future__ import annotations

from estate.foundation.plan import load_plan
from tests.conftest import MINIMAL_ESTATE, run_cli

TWO_WAVES = MINIMAL_ESTATE.replace("retained:", """\
  - name: two
    planned_month: 2025-03
    subnet: apps
    vms:
      - {name: tc-db-01, size: Standard_D2s_v5, os: windows-server, os_version: "2022", application: payroll,
         business_case_line: azure-run}
retained:""", 1)
MOVED = TWO_WAVES.replace("""      - name: tc-app-01
        size: Standard_D2s_v5
        os: windows-server
        os_version: "2022"
        application: payroll
        business_case_line: azure-run
""", "").replace("""         business_case_line: azure-run}
retained:""", """         business_case_line: azure-run}
      - {name: tc-app-01, size: Standard_D2s_v5, os: windows-server, os_version: "2022", application: payroll,
         business_case_line: azure-run}
retained:""")


def test_check_names_the_state_move_whose_urns_the_new_wave_registers(write_estate, tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    assert run_cli("synth", "--all", "--out", before, "--estate", write_estate(TWO_WAVES)).exit_code == 0
    moved = write_estate(MOVED)
    result = run_cli("check", "--estate", moved, "--previous", before)
    assert result.exit_code == 0, result.output  # advisory
    assert "server tc-app-01 moved from wave-one to wave-two" in result.stdout
    assert "pulumi state move --source wave-one --dest wave-two 'urn:pulumi:wave-one::estate::" in result.stdout
    assert "tc-web-01" not in result.stdout.split("wave-moves")[-1]  # servers that stayed are not named
    # After the move, the new wave's program registers exactly the moved URNs (stack name aside).
    assert run_cli("synth", "--all", "--out", after, "--estate", moved).exit_code == 0
    old = {r.urn for r in load_plan(before / "wave-one.json").resources if "tc-app-01" in r.urn}
    new = {r.urn for r in load_plan(after / "wave-two.json").resources if "tc-app-01" in r.urn}
    assert len(old) == 3 and {urn.replace("urn:pulumi:wave-one::", "urn:pulumi:wave-two::") for urn in old} == new
    for urn in old:
        assert f"'{urn}'" in result.stdout


def test_no_warning_without_a_move_and_a_missing_folder_is_exit_2(write_estate, tmp_path):
    estate_file = write_estate(TWO_WAVES)
    assert run_cli("synth", "--all", "--out", tmp_path / "plans", "--estate", estate_file).exit_code == 0
    result = run_cli("check", "--estate", estate_file, "--previous", tmp_path / "plans", "--format", "sarif")
    assert result.exit_code == 0 and "wave-moves" not in result.stdout
    missing = run_cli("check", "--estate", estate_file, "--previous", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "no such folder" in missing.stderr and "Traceback" not in missing.output
