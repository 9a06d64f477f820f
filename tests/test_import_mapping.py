"""The pieces of an import: OS texts -> model OS ids, names made valid for Azure, YAML scalars that read back."""

from __future__ import annotations

import pytest
import yaml
from ruamel.yaml import YAML

from estate.foundation.reference import operating_systems
from estate.inventory.fastyaml import flow_map, quote
from estate.inventory.names import WINDOWS_LIMIT, assign_names, clean
from estate.inventory.osmap import map_os
from estate.inventory.tables import normalise_header


@pytest.mark.parametrize(("texts", "expected"), [
    (("Microsoft Windows Server 2012 (64-bit)",), ("windows-server", "2012", True)),
    (("Microsoft Windows Server 2008 R2 (64-bit)",), ("windows-server", "2008-r2", True)),
    (("Windows Server 2008 R2 Datacenter",), ("windows-server", "2008-r2", True)),
    (("Microsoft Windows Server 2003 Standard (32-bit)",), ("windows-server", "2003", False)),
    (("Microsoft Windows Server 2016 (32-bit)",), ("windows-server", "2016", False)),
    (("Ubuntu 20.04.6 LTS", "Ubuntu Linux (64-bit)"), ("ubuntu", "20.04", True)),
    (("", "SUSE Linux Enterprise 12 (64-bit)"), ("sles", "12", True)),
    (("Red Hat Enterprise Linux 9 (64-bit)",), ("rhel", "9", True)),
])
def test_os_texts_map_to_known_operating_systems(texts, expected) -> None:
    mapped = map_os(tuple(t for t in texts if t))
    assert mapped is not None
    assert (mapped.os, mapped.version, mapped.runs_in_azure) == expected
    assert (mapped.os, mapped.version) in operating_systems()


@pytest.mark.parametrize("text", ["CentOS 7 (64-bit)", "Red Hat Enterprise Linux 6 (64-bit)", "FreeBSD 12", "Other"])
def test_unknown_os_texts_map_to_nothing(text: str) -> None:
    assert map_os((text,)) is None


def test_names() -> None:
    assert clean("WEB01.corp.local", WINDOWS_LIMIT) == "web01"
    assert clean("  ##  ", WINDOWS_LIMIT) == "vm"
    assert clean("Payroll Server (Live)", WINDOWS_LIMIT) == "payroll-server"
    names = assign_names([("app-server-number-1", True), ("APP-SERVER-NUMBER-1", True), ("app server number 1", True)])
    assert names == {"APP-SERVER-NUMBER-1": "app-server-numb", "app server number 1": "app-server-nu-2",
                     "app-server-number-1": "app-server-nu-3"}
    assert all(len(name) <= WINDOWS_LIMIT for name in names.values())
    assert assign_names([("db", False)], taken={"db"}) == {"db": "db-2"}


@pytest.mark.parametrize("value", ["yes", "No", "on", "null", "2019", "08", "a: b", "x #y", "-lead", "trail-",
                                   "it's", "/Apps/app-0", "Servers", "1.5", "{x}", "[y]", "a,b", "~"])
def test_quoted_scalars_read_back_the_same_in_yaml_1_1_and_1_2(value: str) -> None:
    text = f"k: {quote(value)}\nm: {flow_map({'v': value})}\n"
    assert yaml.safe_load(text) == {"k": value, "m": {"v": value}}
    assert YAML(typ="safe", pure=True).load(text) == {"k": value, "m": {"v": value}}


def test_headers_match_whatever_the_unit_spelling() -> None:
    assert normalise_header("*Memory (In MB)") == normalise_header("Memory MiB") == "memory mib"
    assert normalise_header("Provisioned MB") == normalise_header("Provisioned MiB")
    assert normalise_header("Disk 2 size (In GB)") == "disk 2 size gib"
