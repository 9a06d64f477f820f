"""`estate validate` and `estate show`: read the estate definition, report its problems or describe it."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from estate.app.definition import describe_estate
from estate.cli.app import app
from estate.cli.console import data_console
from estate.definition.loader import DEFAULT_ESTATE_FILE
from estate.definition.model import Estate, region_display
from estate.definition.summary import EstateSummary

EstateFile = Annotated[
    Path, typer.Argument(help="The estate definition (YAML).", show_default=True)
]


@app.command()
def validate(file: EstateFile = DEFAULT_ESTATE_FILE) -> None:
    """Check an estate definition; list every problem as FILE:LINE:COL: field: what is wrong; what to do."""
    described = describe_estate(file)
    estate, summary = described.estate, described.summary
    typer.echo(
        f"{file}: valid: {len(estate.waves)} waves, {summary.servers} servers to migrate, "
        f"{summary.retained_hosts} hosts retained on site, stacks: {', '.join(estate.stacks())}"
    )


@app.command()
def show(
    file: EstateFile = DEFAULT_ESTATE_FILE,
    output_format: Annotated[
        Literal["text", "json"], typer.Option("--format", help="text (tables) or json.")
    ] = "text",
) -> None:
    """Describe the estate: waves x servers x sizes x OS, retained hosts by site and reason, regions, network."""
    described = describe_estate(file)
    estate, summary = described.estate, described.summary
    if output_format == "json":
        json.dump(_as_json(estate, summary), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    # Piped output (CI logs, `make demo` into out/) gets a fixed width wide enough for the tables.
    console = data_console(width=None if sys.stdout.isatty() else 150)  # names and tags are data: no markup
    for table in (_overview(estate, summary), _waves(summary), _sizes(summary), _retained(estate, summary),
                  _network(estate)):
        console.print(table)


def _overview(estate: Estate, summary: EstateSummary) -> Table:
    org = estate.organisation
    table = Table(title=f"{org.name}: estate overview", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    fy_month = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"][org.financial_year_start_month - 1]
    table.add_row("Billing currency", org.billing_currency)
    table.add_row("Financial year starts", fy_month)
    table.add_row("Allowed regions", ", ".join(region_display(r) for r in estate.regions.allowed))
    table.add_row("Primary / secondary", f"{region_display(estate.regions.primary)} / "
                  f"{region_display(estate.regions.secondary) if estate.regions.secondary else '-'}")
    table.add_row("Servers to migrate", f"{summary.servers} in {len(summary.waves)} waves")
    table.add_row("Retained on site", f"{summary.retained_hosts} hosts in {len(summary.retained)} groups")
    table.add_row("Mandatory tags", ", ".join(estate.tags.mandatory))
    table.add_row("Pulumi stacks", ", ".join(estate.stacks()))
    return table


def _waves(summary: EstateSummary) -> Table:
    table = Table(title="Migration waves (one Pulumi stack each)", title_justify="left")
    for column in ("wave", "month", "region"):
        table.add_column(column)
    for column in ("servers", "retired", "rehost/replatform/rebuild", "simple/medium/complex", "AHUB",
                   "RI 1y/3y", "vCPUs", "memory GiB", "disk GB"):
        table.add_column(column, justify="right")
    for wave in summary.waves:
        table.add_row(
            wave.name, wave.planned_month, wave.region, str(wave.servers), str(wave.retired),
            _split(wave.strategies, ("rehost", "replatform", "rebuild")),
            _split(wave.complexities, ("simple", "medium", "complex")),
            str(wave.hybrid_benefit), _split(wave.reservations, ("1y", "3y")), str(wave.vcpus),
            f"{wave.memory_gib:,g}", f"{wave.disk_gb:,}",
        )
    waves = summary.waves
    table.add_section()
    table.add_row(
        "total", "", "", str(summary.servers), str(sum(w.retired for w in waves)),
        _split(sum((w.strategies for w in waves), Counter()), ("rehost", "replatform", "rebuild")),
        _split(sum((w.complexities for w in waves), Counter()), ("simple", "medium", "complex")),
        str(sum(w.hybrid_benefit for w in waves)),
        _split(sum((w.reservations for w in waves), Counter()), ("1y", "3y")),
        str(sum(w.vcpus for w in waves)), f"{sum(w.memory_gib for w in waves):,g}",
        f"{sum(w.disk_gb for w in waves):,}",
    )
    return table


def _split(counts: Counter[str], keys: tuple[str, ...]) -> str:
    return "/".join(str(counts[key]) for key in keys)


def _sizes(summary: EstateSummary) -> Table:
    table = Table(title="Servers by wave, size and OS", title_justify="left")
    for column in ("wave", "size", "operating system"):
        table.add_column(column)
    table.add_column("servers", justify="right")
    for wave in summary.waves:
        for (size, os_name), count in sorted(wave.size_os.items()):
            table.add_row(wave.name, size, os_name, str(count))
    return table


def _retained(estate: Estate, summary: EstateSummary) -> Table:
    currency = estate.organisation.billing_currency
    table = Table(title=f"Retained on site (annual run cost in {currency})", title_justify="left")
    for column in ("site", "group", "reason", "operating system", "Arc", "DR", "business-case line"):
        table.add_column(column)
    table.add_column("hosts", justify="right")
    table.add_column(f"{currency} a year", justify="right")
    for group in summary.retained:
        table.add_row(group.site, group.name, group.reason, group.os, "yes" if group.arc else "no", group.dr,
                      group.business_case_line, str(group.count), f"{group.annual_run_cost:,.2f}")
    table.add_section()
    for (site, reason), count in summary.retained_by_site_and_reason().items():
        table.add_row(site, "", reason, "", "", "", "", str(count), "")
    table.add_row("total", "", "", "", "", "", "", str(summary.retained_hosts),
                  f"{summary.retained_run_cost:,.2f}")
    return table


def _network(estate: Estate) -> Table:
    zone = estate.landing_zone
    table = Table(title="Landing zone and connectivity", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("Hub region", region_display(estate.primary_region))
    table.add_row("Hub address space", ", ".join(str(space) for space in zone.hub.address_space))
    table.add_row("Subnets", ", ".join(f"{s.name} {s.prefix}" for s in zone.hub.subnets))
    table.add_row("Log Analytics retention", f"{zone.log_analytics.retention_days} days")
    vault = zone.recovery_vault
    table.add_row("Backup", f"{vault.storage_redundancy}, policy {vault.backup_policy.name} at "
                  f"{vault.backup_policy.time_utc} UTC, {vault.backup_policy.daily_retention_days} days daily")
    circuit = estate.connectivity.expressroute
    if circuit is None:
        table.add_row("ExpressRoute", "none")
    else:
        table.add_row("ExpressRoute", f"{circuit.service_provider} at {circuit.peering_location}, "
                      f"{circuit.bandwidth_mbps} Mbps, {circuit.sku_tier} / {circuit.sku_family}")
        table.add_row("ExpressRoute gateway", f"{circuit.gateway_sku}"
                      + (" (with public IP)" if circuit.gateway_needs_public_ip else ""))
        table.add_row("On-premises prefixes", ", ".join(str(p) for p in circuit.on_premises_prefixes))
    return table


def _as_json(estate: Estate, summary: EstateSummary) -> dict[str, object]:
    return {
        "organisation": estate.organisation.name,
        "currency": estate.organisation.billing_currency,
        "regions": {"allowed": estate.regions.allowed, "primary": estate.regions.primary,
                    "secondary": estate.regions.secondary},
        "stacks": estate.stacks(),
        "servers": summary.servers,
        "retained_hosts": summary.retained_hosts,
        "retained_annual_run_cost": str(summary.retained_run_cost),
        "waves": [
            {"name": w.name, "stack": w.stack, "planned_month": w.planned_month, "region": w.region,
             "servers": w.servers, "retired": w.retired, "strategies": dict(w.strategies),
             "complexities": dict(w.complexities), "reservations": dict(w.reservations),
             "hybrid_benefit": w.hybrid_benefit, "vcpus": w.vcpus, "memory_gib": w.memory_gib, "disk_gb": w.disk_gb,
             "size_os": [{"size": s, "os": o, "servers": n} for (s, o), n in sorted(w.size_os.items())]}
            for w in summary.waves
        ],
        "retained": [
            {"name": g.name, "site": g.site, "reason": g.reason, "count": g.count, "os": g.os, "arc": g.arc,
             "dr": g.dr, "annual_run_cost": str(g.annual_run_cost), "business_case_line": g.business_case_line}
            for g in summary.retained
        ],
    }
