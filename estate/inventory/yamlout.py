"""The imported estate as commented YAML (ruamel round-trip), new or merged into an existing estate file.

Every server says where it came from (`[imported from FILE sheet ROW]`) and every value estate chose
where the inventory is silent says `[assumption]`.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from estate.foundation.errors import InputError
from estate.foundation.files import write_atomic
from estate.foundation.yamlfile import read_yaml
from estate.inventory.build import RETAINED_BUSINESS_CASE_LINE, ImportResult, PlannedServer, RetainedGroup
from estate.inventory.fastyaml import comment, flow_map, quote, validated

IMPORT_WAVE = "imported"
HEADER = """\
Estate imported by `estate import {tool}` from {file}.

  [imported from FILE sheet ROW]  a server as the inventory describes it, sized for Azure
  [assumption]                    a value estate chose where the inventory is silent; change it to your own

Fill in before you deploy: the landing zone's address space (placeholders below), connectivity (an
ExpressRoute circuit, see stacks/estate.yaml for an example), the retained hosts' run cost, and the
organisation. Plan the waves with `estate waves plan --estate THIS_FILE --dependencies deps.csv`.
"""


def flow(items: dict[str, Any] | list[Any]) -> CommentedMap | CommentedSeq:
    node: CommentedMap | CommentedSeq = CommentedMap(items) if isinstance(items, dict) else CommentedSeq(items)
    node.fa.set_flow_style()
    return node


def next_month(today: date | None = None) -> str:
    today = today or date.today()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year}-{month:02d}"


def server_entry(server: PlannedServer, business_case_line: str) -> CommentedMap:
    """The entry as a ruamel node (for merging into an existing file), with the same data and comments."""
    data, notes = server_data(server, business_case_line)
    entry = CommentedMap()
    for key, value in data.items():
        if isinstance(value, dict):
            entry[key] = flow(value)
        elif isinstance(value, list):
            entry[key] = flow([flow(item) for item in value])
        else:
            entry[key] = value
        if notes.get(key):
            entry.yaml_add_eol_comment(notes[key], key)
    return entry


def server_data(server: PlannedServer, business_case_line: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The entry as plain data, and the comment for each of its keys."""
    data: dict[str, Any] = {"name": server.name, "size": server.size, "os": server.os,
                            "os_version": server.os_version,
                            "os_disk": {"size_gb": server.os_disk_gb, "sku": server.os_disk_sku}}
    if server.data_disks:
        data["data_disks"] = [{"size_gb": gb, "sku": sku} for gb, sku in server.data_disks]
    data.update(complexity=server.complexity, application=server.application,
                business_case_line=business_case_line)
    if server.tags:
        data["tags"] = dict(server.tags)
    notes = {"name": f"[imported from {server.source}]", "size": server.size_basis,
             "os_version": f"from {server.os_text!r}",
             "os_disk": server.disk_rule + ("; " + "; ".join(server.assumptions) if server.assumptions else ""),
             "complexity": "[assumption] from disks and vCPUs"}
    if server.application_assumed:
        notes["application"] = "[assumption] from the VMware folder" if server.application != "unassigned" else \
            "[assumption] the inventory names no application"
    return data, notes


def entry_text(data: dict[str, Any], notes: dict[str, str], indent: int = 6) -> str:
    """One VM entry as block YAML text: scalars plain or quoted, mappings and lists of mappings in flow style."""
    lines = []
    for number, (key, value) in enumerate(data.items()):
        if isinstance(value, dict):
            written = flow_map(value)
        elif isinstance(value, list):
            written = "[" + ", ".join(flow_map(item) for item in value) + "]"
        elif key == "os_version":
            written = "'" + str(value).replace("'", "''") + "'"
        else:
            written = quote(value)
        lead = " " * indent + "- " if number == 0 else " " * (indent + 2)
        lines.append(f"{lead}{key}: {written}{comment(notes.get(key, ''))}")
    return "\n".join(lines) + "\n"


def retained_entry(group: RetainedGroup) -> CommentedMap:
    entry = CommentedMap()
    entry["name"] = group.name
    entry.yaml_add_eol_comment(f"[imported from {group.sources[0].file}, {len(group.hosts)} VMs]", "name")
    entry["site"] = "on-premises"
    entry.yaml_add_eol_comment("[assumption] where they stay", "site")
    entry["count"] = len(group.hosts)
    entry["os"] = group.os
    entry["os_version"] = group.os_version
    entry["reason"] = "unsupported-os"
    entry["reason_detail"] = group.detail
    entry["hosts"] = flow(list(group.hosts))
    entry["arc"] = False
    entry["dr"] = "none"
    entry.yaml_add_eol_comment("[assumption]", "dr")
    entry["annual_run_cost"] = 0
    entry.yaml_add_eol_comment("[assumption] fill in their yearly run cost on site", "annual_run_cost")
    entry["business_case_line"] = RETAINED_BUSINESS_CASE_LINE
    entry.yaml_add_eol_comment("[assumption]", "business_case_line")
    return entry


def new_estate(result: ImportResult, *, org: str, short_name: str, region: str, planned_month: str,
               business_case_line: str) -> CommentedMap:
    doc = CommentedMap()
    doc.yaml_set_start_comment(HEADER.format(tool=result.tool, file=result.file))
    doc["version"] = 1
    organisation = CommentedMap(name=org, short_name=short_name, cost_centre="unassigned")
    organisation.yaml_add_eol_comment("[assumption] --org", "name")
    organisation.yaml_add_eol_comment("[assumption] --short-name: prefix of every resource name", "short_name")
    organisation.yaml_add_eol_comment("[assumption] fill in", "cost_centre")
    doc["organisation"] = organisation
    other = "ukwest" if region == "uksouth" else "uksouth"
    doc["regions"] = CommentedMap(allowed=flow(["uksouth", "ukwest"]), primary=region, secondary=other)
    doc["regions"].yaml_add_eol_comment("[assumption] the other UK region for backup and DR", "secondary")
    hub = CommentedMap()
    hub["address_space"] = flow(["10.200.0.0/16"])
    hub.yaml_add_eol_comment("[assumption] placeholder: a range clear of your on-premises ones", "address_space")
    hub["subnets"] = CommentedSeq([
        flow({"name": "GatewaySubnet", "prefix": "10.200.0.0/27"}),
        flow({"name": "management", "prefix": "10.200.1.0/24"}),
        flow({"name": "workloads", "prefix": "10.200.16.0/20"}),
    ])
    zone = CommentedMap(business_case_line="azure-platform", hub=hub)
    zone.yaml_add_eol_comment("[assumption] the business-case line platform costs sit in", "business_case_line")
    doc["landing_zone"] = zone
    doc["connectivity"] = CommentedMap()
    doc.yaml_set_comment_before_after_key(
        "connectivity", before="[assumption] no ExpressRoute yet: add connectivity.expressroute (provider, peering\n"
        "location, bandwidth, on_premises_prefixes) before the servers move; see stacks/estate.yaml", indent=0)
    waves = CommentedSeq()
    if result.servers:
        wave = CommentedMap(name=IMPORT_WAVE, planned_month=planned_month,
                            description=f"every server imported from {result.file}; split with `estate waves plan`",
                            subnet="workloads")
        wave.yaml_add_eol_comment("[assumption]", "planned_month")
        wave["vms"] = CommentedSeq()  # filled in as text by new_estate_text
        waves.append(wave)
    doc["waves"] = waves
    doc["retained"] = CommentedSeq([retained_entry(group) for group in result.retained])
    return doc


def new_estate_text(result: ImportResult, *, org: str, short_name: str, region: str, planned_month: str,
                    business_case_line: str) -> tuple[str, dict[str, Any]]:
    """The new estate as text, and the same as plain data (to check without parsing the text again)."""
    root = new_estate(result, org=org, short_name=short_name, region=region, planned_month=planned_month,
                      business_case_line=business_case_line)
    skeleton = dump(root)
    entries = [server_data(server, business_case_line) for server in result.servers]
    data = json.loads(json.dumps(root))
    if not entries:
        return skeleton, data
    data["waves"][0]["vms"] = [entry for entry, _ in entries]
    marker = "\n    vms: []\n"
    assert skeleton.count(marker) == 1
    servers = "".join(entry_text(entry, notes) for entry, notes in entries)
    return skeleton.replace(marker, "\n    vms:\n" + servers, 1), data


def merge_into(root: CommentedMap, result: ImportResult, *, planned_month: str,
               business_case_line: str) -> tuple[int, int]:
    """Update the servers (and unsupported-OS retained groups) of an existing estate in place; returns
    (servers updated, servers added). Everything else in the file, comments included, is kept."""
    waves = root.setdefault("waves", CommentedSeq())
    index: dict[str, CommentedMap] = {}
    for wave in waves:
        for vm in wave.get("vms", []):
            if isinstance(vm, CommentedMap) and vm.get("name"):
                index[str(vm["name"]).lower()] = vm
                original = (vm.get("tags") or {}).get("original-name")
                if original:
                    index[str(original).lower()] = vm
    updated = added = 0
    target: CommentedMap | None = next((w for w in waves if w.get("name") == IMPORT_WAVE), None)
    for server in result.servers:
        existing = index.get(server.original.lower()) or index.get(server.name.lower())
        if existing is not None:
            fresh = server_entry(server, business_case_line)
            for key in ("size", "os", "os_version", "os_disk", "data_disks"):
                if key in fresh:
                    existing[key] = fresh[key]
                elif key in existing:
                    del existing[key]
            existing.yaml_add_eol_comment(f"[updated from {server.source}]", "size")
            updated += 1
            continue
        if target is None:
            subnets = [s.get("name") for s in root.get("landing_zone", {}).get("hub", {}).get("subnets", [])]
            workload = next((s for s in subnets if s and s != "GatewaySubnet"), None)
            if workload is None:
                raise InputError("the estate to merge into has no workload subnet in landing_zone.hub.subnets; add "
                                 "one for the imported servers", file=None)
            target = CommentedMap(name=IMPORT_WAVE, planned_month=planned_month,
                                  description=f"servers imported from {result.file}", subnet=workload)
            target.yaml_add_eol_comment("[assumption]", "planned_month")
            target["vms"] = CommentedSeq()
            waves.append(target)
        target["vms"].append(server_entry(server, business_case_line))
        added += 1
    retained = root.setdefault("retained", CommentedSeq())
    for group in result.retained:
        entry = retained_entry(group)
        position = next((i for i, g in enumerate(retained) if g.get("name") == group.name), None)
        if position is None:
            retained.append(entry)
        else:
            retained[position] = entry
    return updated, added


def dump(root: CommentedMap) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(root, stream)
    return stream.getvalue()


def write_validated(path: Path, text: str, data: Any = None) -> Path:
    """Validate the estate text (`data`: the same as plain data) as `estate validate` would, then write it
    atomically; nothing is written if it is invalid."""
    validated(text, path, data)
    return write_atomic(path, text)


def load_root(path: Path) -> CommentedMap:
    return read_yaml(path, what="estate definition").root
