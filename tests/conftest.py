"""Shared test helpers: where things are, and running the CLI the way a user does."""

from __future__ import annotations

import contextlib
import gc
import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIRD_PARTY = ROOT / "tests" / "data" / "third_party"
EXAMPLE_ESTATE = ROOT / "stacks" / "estate.yaml"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str) -> CliResult:
    """Run `estate ARGS` in-process through the real entry point and capture what it prints."""
    from estate.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(arg) for arg in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliResult(code, out.getvalue(), err.getvalue())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files (tests/golden/) instead of comparing with them; review the diff")


@pytest.fixture(autouse=True)
def _collector_back_after_each_test():
    """`estate synth` leaves its garbage to process exit (gc.freeze); in-process tests give it back to the collector."""
    yield
    gc.unfreeze()


@pytest.fixture
def third_party() -> Path:
    """The third-party fixtures kept in the repository (tests/data/third_party; origins in its README.md)."""
    return THIRD_PARTY


MINIMAL_ESTATE = textwrap.dedent(
    """\
    organisation:
      name: Test Council
      short_name: tc
      cost_centre: IT
    landing_zone:
      business_case_line: platform
      hub:
        address_space: [10.1.0.0/16]
        subnets:
          - {name: GatewaySubnet, prefix: 10.1.0.0/27}
          - {name: apps, prefix: 10.1.1.0/24}
    connectivity:
      expressroute:
        service_provider: Jisc
        peering_location: London
        bandwidth_mbps: 200
        on_premises_prefixes: [192.168.0.0/16]
        private_peering: {peer_asn: 65010, primary_prefix: 172.31.255.0/30, secondary_prefix: 172.31.255.4/30,
                          vlan_id: 100}
    waves:
      - name: one
        planned_month: 2025-01
        subnet: apps
        vms:
          - name: tc-app-01
            size: Standard_D2s_v5
            os: windows-server
            os_version: "2022"
            application: payroll
            business_case_line: azure-run
          - count: 3
            name_pattern: "tc-web-{n:02}"
            size: Standard_B2ms
            os: ubuntu
            os_version: "22.04"
            application: website
            business_case_line: azure-run
    retained:
      - name: latency
        site: Town Hall
        count: 4
        os: windows-server
        os_version: "2016"
        reason: latency
        annual_run_cost: 4000
        business_case_line: on-prem
    """
)


@pytest.fixture
def write_estate(tmp_path: Path):
    """Write an estate file (the minimal valid one unless given text) and return its path."""

    def write(text: str = MINIMAL_ESTATE, name: str = "estate.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
