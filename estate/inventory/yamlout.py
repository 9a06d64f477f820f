"""The imported estate as commented YAML (ruamel round-trip), new or merged into an existing estate file.

Every server says where it came from (`[imported from FILE sheet ROW]`) and every value estate chose
where the inventory is silent says `[assumption]`.
"""

from __future__ import annotations

import io
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
    entry = CommentedMap()
    entry["name"] = server.name
    entry.yaml_add_eol_comment(f"[imported from {server.source}]", "name")
    entry["size"] = server.size
    entry.yaml_add_eol_comment(server.size_basis, "size")
    entry["os"] = server.os
    entry["os_version"] = server.os_version
    entry.yaml_add_eol_comment(f"from {server.os_text!r}", "os_version")
    entry["os_disk"] = flow({"size_gb": server.os_disk_gb, "sku": server.os_disk_sku})
    entry.yaml_add_eol_comment(server.disk_rule + ("; " + "; ".join(server.assumptions) if server.assumptions
                                                   else ""), "os_disk")
    if server.data_disks:
        entry["data_disks"] = CommentedSeq([flow({"size_gb": gb, "sku": sku}) for gb, sku in server.data_disks])
        entry["data_disks"].fa.set_flow_style()
    entry["complexity"] = server.complexity
    entry.yaml_add_eol_comment("[assumption] from disks and vCPUs", "complexity")
    entry["application"] = server.application
    if server.application_assumed:
        entry.yaml_add_eol_comment("[assumption] from the VMware folder" if server.application != "unassigned"
                                   else "[assumption] the inventory names no application", "application")
    entry["business_case_line"] = business_case_line
    if server.tags:
        entry["tags"] = flow(dict(server.tags))
    return entry


def server_text(server: PlannedServer, business_case_line: str, indent: int = 6) -> str:
    """The same entry as `server_entry`, written as text (fast for thousands of servers)."""
    pad, inner = " " * indent, " " * (indent + 2)
    disk_note = server.disk_rule + ("; " + "; ".join(server.assumptions) if server.assumptions else "")
    lines = [f"{pad}- name: {quote(server.name)}{comment(f'[imported from {server.source}]')}",
             f"{inner}size: {server.size}{comment(server.size_basis)}",
             f"{inner}os: {server.os}",
             f"{inner}os_version: '{server.os_version}'{comment(f'from {server.os_text!r}')}",
             f"{inner}os_disk: {flow_map({'size_gb': server.os_disk_gb, 'sku': server.os_disk_sku})}"
             f"{comment(disk_note)}"]
    if server.data_disks:
        disks = ", ".join(flow_map({"size_gb": gb, "sku": sku}) for gb, sku in server.data_disks)
        lines.append(f"{inner}data_disks: [{disks}]")
    lines.append(f"{inner}complexity: {server.complexity}{comment('[assumption] from disks and vCPUs')}")
    note = ""
    if server.application_assumed:
        note = "[assumption] from the VMware folder" if server.application != "unassigned" else \
            "[assumption] the inventory names no application"
    lines.append(f"{inner}application: {quote(server.application)}{comment(note)}")
    lines.append(f"{inner}business_case_line: {business_case_line}")
    if server.tags:
        lines.append(f"{inner}tags: {flow_map(server.tags)}")
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
                    business_case_line: str) -> str:
    skeleton = dump(new_estate(result, org=org, short_name=short_name, region=region, planned_month=planned_month,
                               business_case_line=business_case_line))
    if not result.servers:
        return skeleton
    marker = "\n    vms: []\n"
    assert skeleton.count(marker) == 1
    servers = "".join(server_text(server, business_case_line) for server in result.servers)
    return skeleton.replace(marker, "\n    vms:\n" + servers, 1)


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


def write_validated(path: Path, text: str) -> Path:
    """Validate the estate text as `estate validate` would, then write it atomically; nothing is written if invalid."""
    validated(text, path)
    return write_atomic(path, text)


def load_root(path: Path) -> CommentedMap:
    return read_yaml(path, what="estate definition").root
