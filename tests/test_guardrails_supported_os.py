"""supported-os: a VM image out of support at its wave's go-live is mandatory; within 12 months, advisory."""

from __future__ import annotations

from datetime import date

import pytest

from estate.foundation.reference import operating_systems
from policies.plan_check import check_plan
from policies.rules import RULES
from policies.rules.base import GuardrailSettings
from policies.rules.supported_os import NAME, identify_os, support_problem
from tests.guardrail_plans import SERVER_TAGS, make_plan, vm

RULE = [RULES[NAME]]


def _settings(**waves):
    return GuardrailSettings(go_live_by_wave={name: date.fromisoformat(day) for name, day in waves.items()},
                             today=date(2026, 11, 23))


def _violations(*steps, settings):
    return check_plan(make_plan(*steps), settings, RULE).violations


def _server(sku="2016-Datacenter", wave="pilot", **image):
    return vm(sku=sku, tags={**SERVER_TAGS, "wave": wave}, **image)


@pytest.mark.parametrize(("sku", "os_version"), [
    ("2008-R2-SP1", "2008-r2"), ("2012-R2-Datacenter", "2012-r2"), ("2012-Datacenter", "2012"),
    ("2016-Datacenter", "2016"), ("2016-datacenter-smalldisk", "2016"), ("2019-datacenter-gensecond", "2019"),
    ("2022-datacenter-azure-edition", "2022"),
])
def test_windows_images_are_identified_from_the_table(sku, os_version):
    system = identify_os({"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": sku})
    assert (system.os, system.version) == ("windows-server", os_version)


def test_linux_images_are_identified_and_unknown_images_are_not():
    jammy = identify_os({"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts"})
    assert (jammy.os, jammy.version) == ("ubuntu", "22.04")
    rhel = identify_os({"publisher": "RedHat", "offer": "RHEL", "sku": "7.9"})
    assert (rhel.os, rhel.version) == ("rhel", "7")
    assert identify_os({"publisher": "Someone", "offer": "appliance", "sku": "1"}) is None


def test_the_end_of_support_table_matches_the_issue_and_names_its_source():
    table = operating_systems()
    ends = {version: table[("windows-server", version)].support_ends(in_azure=True)
            for version in ("2008", "2008-r2", "2012", "2012-r2", "2016", "2019", "2022")}
    assert ends == {"2008": date(2024, 1, 9), "2008-r2": date(2024, 1, 9), "2012": date(2026, 10, 13),
                    "2012-r2": date(2026, 10, 13), "2016": date(2027, 1, 12), "2019": date(2029, 1, 9),
                    "2022": date(2031, 10, 14)}
    assert all(system.source.startswith("https://") for system in table.values())


def test_out_of_support_at_the_waves_go_live_is_mandatory():
    (violation,) = _violations(_server("2008-R2-SP1"), settings=_settings(pilot="2024-02-01"))
    assert (violation.rule, violation.enforcement) == ("supported-os", "mandatory")
    assert violation.path == "inputs.storageProfile.imageReference"
    assert violation.value["sku"] == "2008-R2-SP1"
    assert "Windows Server 2008 R2 SP1 is out of support at go-live 2024-02-01" in violation.message
    assert "ended 2024-01-09" in violation.message and "[wave pilot]" in violation.message


def test_within_twelve_months_of_the_end_is_advisory():
    (violation,) = _violations(_server("2012-R2-Datacenter"), settings=_settings(pilot="2025-11-01"))
    assert violation.enforcement == "advisory"
    assert "ends 2026-10-13, within 12 months of go-live 2025-11-01" in violation.message


def test_supported_well_beyond_go_live_passes():
    assert _violations(_server("2022-datacenter-azure-edition"), settings=_settings(pilot="2026-01-01")) == []
    assert _violations(_server("2012-R2-Datacenter"), settings=_settings(pilot="2025-10-01")) == []


def test_azure_extended_security_updates_count():
    system = operating_systems()[("windows-server", "2012-r2")]
    assert support_problem(system, date(2024, 1, 1)) is None  # ended on-premises 2023-10-10, ESU in Azure
    assert support_problem(system, date(2026, 11, 1))[0] == "mandatory"


def test_a_vm_whose_wave_is_not_in_the_estate_is_judged_at_today():
    (violation,) = _violations(_server("2012-R2-Datacenter", wave="unplanned"), settings=_settings())
    assert violation.enforcement == "mandatory"
    assert "go-live 2026-11-23" in violation.message and "today" in violation.message


def test_the_council_example_waves_pass():
    from estate.definition.loader import load_estate
    from tests.conftest import EXAMPLE_ESTATE

    settings = GuardrailSettings.from_estate(load_estate(EXAMPLE_ESTATE))
    servers = [_server("2008-R2-SP1", wave="orchard-2008"), _server("2012-R2-Datacenter", wave="medium"),
               _server("18.04-LTS", wave="pilot", ), _server("7-LVM", wave="complex-a")]
    servers[2]["newState"]["inputs"]["storageProfile"]["imageReference"].update(publisher="Canonical",
                                                                                  offer="UbuntuServer")
    servers[3]["newState"]["inputs"]["storageProfile"]["imageReference"].update(publisher="RedHat", offer="RHEL")
    for index, server in enumerate(servers):
        server["urn"] = server["newState"]["urn"] = server["urn"] + str(index)
    assert _violations(*servers, settings=settings) == []
