"""`estate forecast` and `estate forecast diff` on hand-made plans in the synthesised-plan shape."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.plan_builders import plan, platform_plan, step, vm_inputs, write_plan

RATES_GBP = textwrap.dedent("""\
    rate_card: 1
    name: test rates
    currency: GBP
    source: hand-made figures for tests
    retrieved: 2026-08-01
    prices:
      - key: {serviceName: Virtual Machines, armSkuName: Standard_D2s_v3, armRegionName: uksouth,
              productName: Virtual Machines DSv3 Series, meterId: 11111111-aaaa}
        price: 0.1
        unit: 1 Hour
        source: test linux rate
      - key: {serviceName: Virtual Machines, armSkuName: Standard_D2s_v3, armRegionName: uksouth,
              productName: Virtual Machines DSv3 Series Windows}
        price: 0.2
        unit: 1 Hour
        source: test windows rate
      - key: {serviceName: Virtual Machines, armSkuName: Standard_D2s_v3, armRegionName: uksouth,
              productName: Virtual Machines DSv3 Series}
        type: Reservation
        reservation_term: 3 Years
        price: 1314
        unit: 1 Hour
        source: test 3-year reservation, whole-term price
      - key: {serviceName: Storage, productName: Standard SSD Managed Disks, skuName: E10 LRS,
              meterName: E10 LRS Disk, armRegionName: uksouth}
        price: 8
        unit: 1/Month
        source: test E10
      - key: {serviceName: ExpressRoute, productName: ExpressRoute, skuName: Standard Metered Data,
              meterName: Standard Metered Data 1 Gbps Circuit, armRegionName: Zone 1}
        price: 400
        unit: 1/Month
        source: test circuit
      - key: {serviceName: ExpressRoute, productName: ExpressRoute Gateway, skuName: ErGw1AZ,
              meterName: ErGw1AZ Gateway, armRegionName: uksouth}
        price: 0.3
        unit: 1 Hour
        source: test gateway
    """)


@pytest.fixture
def rates(tmp_path: Path) -> Path:
    path = tmp_path / "rates.yaml"
    path.write_text(RATES_GBP)
    return path


def wave_plan(stack: str = "wave-pilot", *vms: tuple[str, dict]) -> dict:
    steps = [step(stack, "azure-native:compute:VirtualMachine", name, inputs) for name, inputs in vms]
    steps.append(step(stack, "azure-native:network:NetworkInterface", "nic-1", {"location": "uksouth"}))
    return plan(stack, steps)


def forecast_json(*args: object) -> dict:
    result = run_cli("forecast", *args, "--format", "json", "--as-of", "2026-08-22")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_vm_prices_hybrid_benefit_at_linux_rate_and_windows_at_windows_rate(tmp_path: Path, rates: Path) -> None:
    path = write_plan(tmp_path / "wave.json", wave_plan(
        "wave-pilot", ("vm-ahb", vm_inputs("vm-ahb", hybrid=True)), ("vm-win", vm_inputs("vm-win", hybrid=False))))
    document = forecast_json(path, "--prices", rates)
    by_resource = {}
    for line in document["lines"]:
        by_resource.setdefault(line["resource"], []).append(line)
    ahb, win = by_resource["vm-ahb"], by_resource["vm-win"]
    assert (ahb[0]["unit_price"], ahb[0]["monthly"]) == ("0.10", "73.00")
    assert "Hybrid Benefit" in ahb[0]["component"] and "test linux rate" in ahb[0]["price_source"]
    assert (win[0]["unit_price"], win[0]["monthly"]) == ("0.20", "146.00")
    assert ahb[1]["component"] == "OS disk (E10 LRS, 128 GiB)" and ahb[1]["monthly"] == "8.00"
    assert document["monthly_total"] == "235.00" and document["annual_total"] == "2820.00"
    assert document["currency"] == "GBP"


def test_json_lines_carry_exactly_the_named_fields_plus_tags(tmp_path: Path, rates: Path) -> None:
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-1", vm_inputs("vm-1"))))
    document = forecast_json(path, "--prices", rates)
    assert {"currency", "monthly_total", "annual_total", "lines", "unpriced"} <= set(document)
    line = document["lines"][0]
    assert {"urn", "type", "component", "quantity", "unit", "unit_price", "monthly", "price_source"} <= set(line)
    assert (line["wave"], line["business_case_line"], line["stack"]) == ("pilot", "azure-costs-sungard",
                                                                          "wave-pilot")
    assert all(isinstance(line[key], str) for key in ("quantity", "unit_price", "monthly"))


def test_reservation_tag_prices_the_term_spread_monthly(tmp_path: Path, rates: Path) -> None:
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-ri", vm_inputs("vm-ri",
                                                                                         reservation="3y"))))
    line = forecast_json(path, "--prices", rates)["lines"][0]
    # 1314 for three years = 1314 / 36 a month.
    assert Decimal(line["monthly"]) == (Decimal(1314) / 36).quantize(Decimal("0.000001"))
    assert "reserved 3y" in line["component"] and "3 Years term price 1314" in line["price_source"]


def test_unknown_size_is_unpriced_with_a_reason_not_an_error(tmp_path: Path, rates: Path) -> None:
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-odd", vm_inputs(
        "vm-odd", size="Standard_Q99z_v9"))))
    document = forecast_json(path, "--prices", rates)
    reasons = [item["reason"] for item in document["unpriced"] if item["resource"] == "vm-odd"]
    assert len(reasons) == 1 and "Standard_Q99z_v9" in reasons[0] and "no price" in reasons[0]
    assert document["monthly_total"] == "8.00"  # the OS disk is still priced


def test_platform_plan_prices_what_it_can_and_lists_the_rest(tmp_path: Path, rates: Path) -> None:
    path = write_plan(tmp_path / "platform.json", platform_plan())
    document = forecast_json(path, "--prices", rates, "--by", "service")
    priced = {line["component"]: line["monthly"] for line in document["lines"]}
    assert priced == {"circuit (Standard Metered Data, 1 Gbps)": "400.00", "ExpressRoute gateway (ErGw1AZ)": "219.00"}
    unpriced = {(item["type"].rsplit(":", 1)[-1], item["component"]) for item in document["unpriced"]}
    assert ("Workspace", "ingestion") in unpriced
    assert ("PublicIPAddress", "public IP (Standard IPv4 Static)") in unpriced
    assert all(item["reason"] for item in document["unpriced"])
    assert document["free_resources"] == 3  # resource group, virtual network, policy assignment
    assert {group["key"] for group in document["groups"]} >= {"Azure ExpressRoute", "Virtual Network"}


def test_usage_file_prices_usage_components(tmp_path: Path) -> None:
    rates = tmp_path / "rates.yaml"
    rates.write_text(textwrap.dedent("""\
        rate_card: 1
        name: t
        currency: GBP
        source: test
        retrieved: 2026-08-01
        prices:
          - key: {serviceName: ExpressRoute, productName: ExpressRoute, skuName: Standard Metered Data,
                  meterName: Standard Metered Data Data Transfer Out, armRegionName: Zone 1}
            price: 0.02
            unit: 1 GB
            source: test egress
        """))
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\nresources:\n  er: {outbound_data_gb: 1500}\n")
    document = forecast_json(write_plan(tmp_path / "p.json", platform_plan()), "--prices", rates, "--usage", usage)
    egress = [line for line in document["lines"] if line["component"].startswith("outbound data")]
    assert [(line["quantity"], line["monthly"]) for line in egress] == [("1500", "30.00")]


def test_prices_in_another_currency_need_a_dated_fx_rate(tmp_path: Path, write_estate) -> None:
    estate = write_estate()
    document = plan("wave-one", [step("wave-one", "azure-native:compute:VirtualMachine", "vm", vm_inputs("vm"))],
                    estate_file=str(estate))
    path = write_plan(tmp_path / "wave.json", document)
    result = run_cli("forecast", path, "--prices", ROOT / "stacks" / "rates.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "USD" in result.stderr and "billed in GBP" in result.stderr and "fx:" in result.stderr
    stacks = ROOT / "stacks"
    converted = forecast_json(path, "--prices", stacks / "rates.yaml", "--usage", stacks / "usage.yaml")
    disk = next(line for line in converted["lines"] if line["component"].startswith("OS disk"))
    assert (converted["currency"], disk["monthly"]) == ("GBP", "7.92")  # 10.56 USD x 0.75
    assert "USD converted at 1 USD = 0.75 GBP on 2026-08-22" in disk["price_source"]
    assert converted["fx"] and "2026-08-22" in converted["fx"][0]


def test_retained_stack_adds_on_premises_fixed_cost_from_the_estate(tmp_path: Path, write_estate, rates) -> None:
    estate = write_estate()
    retained = plan("retained", [step("retained", "azure-native:resources:ResourceGroup", "rg-arc",
                                      {"location": "uksouth"})], estate_file=str(estate))
    document = forecast_json(write_plan(tmp_path / "retained.json", retained), "--prices", rates, "--by",
                             "business-case-line")
    line = document["lines"][0]
    assert (line["type"], line["quantity"], line["unit"]) == ("estate:onprem:RetainedHosts", "4", "hosts")
    assert (line["monthly"], line["annual"]) == ("333.333333", "4000.00")
    assert "retained[0].annual_run_cost" in line["price_source"]
    assert document["groups"] == [{"key": "on-prem", "monthly": "333.333333", "annual": "4000.00", "lines": 1,
                                   "unpriced": 0}]


def test_csv_output_has_currency_on_every_row(tmp_path: Path, rates: Path) -> None:
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-1", vm_inputs("vm-1"))))
    result = run_cli("forecast", path, "--prices", rates, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0 and len(rows) == 2
    assert {row["currency"] for row in rows} == {"GBP"} and rows[0]["monthly"] == "73.00"


def test_text_output_shows_totals_currency_and_sources(tmp_path: Path, rates: Path) -> None:
    path = write_plan(tmp_path / "platform.json", platform_plan())
    result = run_cli("forecast", path, "--prices", rates, "--by", "wave")
    assert result.exit_code == 0, result.output
    assert "619.00 GBP" in result.stdout and "test gateway" in result.stdout
    assert "Unpriced (listed, never counted as zero)" in result.stdout


def test_malformed_plan_exits_2(tmp_path: Path, rates: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"steps": [ {"op": "create"')
    result = run_cli("forecast", bad, "--prices", rates)
    assert result.exit_code == 2 and "truncated" in result.stderr and "Traceback" not in result.output


def test_bad_usage_key_is_located(tmp_path: Path, rates: Path) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("version: 1\ntypes:\n  azure-native:keyvault:Vault:\n    operations: 5\n")
    result = run_cli("forecast", write_plan(tmp_path / "p.json", platform_plan()), "--prices", rates,
                     "--usage", usage)
    assert result.exit_code == 2
    assert f"{usage}:4:5: types.azure-native:keyvault:Vault.operations: unknown usage key" in result.stderr


def test_bad_rate_card_is_located(tmp_path: Path) -> None:
    card = tmp_path / "rates.yaml"
    card.write_text(RATES_GBP.replace("price: 0.3", "price: cheap"))
    result = run_cli("forecast", write_plan(tmp_path / "p.json", platform_plan()), "--prices", card)
    assert result.exit_code == 2 and f"{card}:36:12: prices[5].price: Input should be a valid decimal" in result.stderr


def test_price_sheet_replaces_a_retail_price_by_meter_id(tmp_path: Path, rates: Path) -> None:
    sheet = tmp_path / "pricesheet.csv"
    sheet.write_text("MeterId,MeterName,MeterCategory,MeterRegion,UnitOfMeasure,UnitPrice,BillingCurrency,PriceType\n"
                     "11111111-AAAA,D2s v3,Virtual Machines,UK South,1 Hour,0.08,GBP,Consumption\n")
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-1", vm_inputs("vm-1"))))
    line = forecast_json(path, "--prices", rates, "--prices", sheet)["lines"][0]
    assert line["monthly"] == "58.40" and f"price sheet {sheet} row 2" in line["price_source"]


def test_rate_card_discount_applies_to_other_sources(tmp_path: Path, rates: Path, third_party: Path) -> None:
    card = tmp_path / "discount.yaml"
    card.write_text("rate_card: 1\nname: contract\ncurrency: USD\nsource: test\nretrieved: 2026-08-01\n"
                    "discounts:\n  - {match: {serviceName: Storage}, percent: 10, source: clause 4}\n")
    snapshot = third_party / "azure-prices-snapshot" / "azure_prices.json"
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-1", vm_inputs("vm-1"))))
    document = forecast_json(path, "--prices", card, "--prices", snapshot)
    disk = next(line for line in document["lines"] if line["component"].startswith("OS disk"))
    assert disk["monthly"] == "9.504" and "less 10% (" in disk["price_source"]


def test_forecast_diff_prints_the_monthly_delta(tmp_path: Path, rates: Path) -> None:
    old = write_plan(tmp_path / "old.json", wave_plan("wave-pilot", ("vm-1", vm_inputs("vm-1")),
                                                      ("vm-2", vm_inputs("vm-2"))))
    new = write_plan(tmp_path / "new.json", wave_plan("wave-pilot", ("vm-1", vm_inputs("vm-1", hybrid=False)),
                                                      ("vm-3", vm_inputs("vm-3"))))
    result = run_cli("forecast", "diff", old, new, "--prices", rates, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["old_monthly_total"], document["new_monthly_total"], document["monthly_delta"]) == (
        "162.00", "235.00", "73.00")
    changes = {item["urn"].rsplit("::", 1)[-1]: (item["change"], item["monthly_delta"])
               for item in document["resources"]}
    assert changes == {"vm-1": ("changed", "73.00"), "vm-2": ("removed", "-81.00"), "vm-3": ("added", "81.00")}
    markdown = run_cli("forecast", "diff", old, new, "--prices", rates, "--format", "markdown").stdout
    assert "**Monthly: 162.00 GBP → 235.00 GBP (+73.00 GBP)**" in markdown
    assert "| `vm-2` | `azure-native:compute:VirtualMachine` | removed | 81.00 GBP | - | -81.00 GBP |" in markdown
    text = run_cli("forecast", "diff", old, new, "--prices", rates)
    assert text.exit_code == 0 and "73.00 GBP" in text.stdout


def test_diff_is_a_subcommand_that_needs_two_plans(tmp_path: Path) -> None:
    result = run_cli("forecast", "diff", tmp_path / "only.json")
    assert result.exit_code == 2 and "Missing argument 'NEW'" in result.stderr
    assert "csv" in run_cli("forecast", "diff", "a", "b", "--format", "csv").stderr
    assert "OLD" in run_cli("forecast", "diff", "--help").stdout


def test_a_plan_named_diff_is_not_needed_to_reach_the_default_command(tmp_path: Path) -> None:
    # `estate forecast PLAN...` is the group's default command; its help lists its options and names `diff`.
    help_text = run_cli("forecast", "--help").stdout
    assert "--prices" in help_text and "estate forecast diff" in help_text


def test_forecast_writes_json_atomically_with_out(tmp_path: Path, rates: Path) -> None:
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-1", vm_inputs("vm-1"))))
    out = tmp_path / "out" / "forecast.json"
    result = run_cli("forecast", path, "--prices", rates, "--format", "json", "--out", out)
    assert result.exit_code == 0 and json.loads(out.read_text())["monthly_total"] == "81.00"
    assert [p.name for p in out.parent.iterdir()] == ["forecast.json"]


def test_forecast_needs_a_price_source(tmp_path: Path) -> None:
    result = run_cli("forecast", write_plan(tmp_path / "p.json", platform_plan()))
    assert result.exit_code == 2 and "--prices" in result.stderr


def test_price_sheet_without_meter_ids_is_refused(tmp_path: Path, rates: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Name,Price\nx,1\n")
    result = run_cli("forecast", write_plan(tmp_path / "p.json", platform_plan()), "--prices", rates,
                     "--prices", sheet)
    assert result.exit_code == 2 and "not an EA/MCA price sheet: no column for meterId" in result.stderr


def test_spot_vm_asks_for_the_spot_meter_and_rhel_adds_its_licence(tmp_path: Path, rates: Path) -> None:
    spot = vm_inputs("vm-spot", os="ubuntu") | {"priority": "Spot"}
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-spot", spot),
                                                        ("vm-rhel", vm_inputs("vm-rhel", os="rhel"))))
    document = forecast_json(path, "--prices", rates)
    reasons = {(item["resource"], item["component"].split(" (")[0]): item["reason"] for item in document["unpriced"]}
    assert "skuName contains 'Spot'" in reasons[("vm-spot", "compute")]
    assert "Red Hat Enterprise Linux" in reasons[("vm-rhel", "Red Hat Enterprise Linux licence")]
    rhel_compute = next(line for line in document["lines"] if line["resource"] == "vm-rhel" and "compute" in
                        line["component"])
    assert rhel_compute["monthly"] == "73.00"  # the base (Linux) rate; the licence is a separate meter


def test_unsupported_type_is_unpriced_not_free(tmp_path: Path, rates: Path) -> None:
    steps = [step("wave-pilot", "azure-native:sql:Server", "sql-1", {"location": "uksouth"})]
    document = forecast_json(write_plan(tmp_path / "p.json", plan("wave-pilot", steps)), "--prices", rates)
    assert document["unpriced"][0]["reason"].startswith("no cost model for azure-native:sql:Server")
    assert document["free_resources"] == 0 and document["monthly_total"] == "0.00"


def test_prices_refresh_rejects_an_unknown_region(tmp_path: Path) -> None:
    result = run_cli("prices", "refresh", "--region", "atlantis", "--out-dir", tmp_path)
    assert result.exit_code == 2 and "not an Azure region" in result.stderr


def test_example_rate_card_and_usage_price_the_cited_items(tmp_path: Path, write_estate) -> None:
    estate = write_estate()
    stacks = ROOT / "stacks"
    document = forecast_json(write_plan(tmp_path / "platform.json", platform_plan(str(estate))),
                             "--prices", stacks / "rates.yaml", "--usage", stacks / "usage.yaml")
    priced = {line["component"].split(" (")[0]: line["monthly"] for line in document["lines"]}
    # 730 h x 0.005 USD x 0.75; 10 GB a day kept 59 days beyond the free 31 x 0.1 USD x 0.75.
    assert priced == {"public IP": "2.7375", "retention beyond 31 days": "44.25"}
    assert all("EA cost export row" in line["price_source"] or "EA cost export rows" in line["price_source"]
               for line in document["lines"])


def test_price_sheet_dates_month_first_are_honoured(tmp_path: Path, rates: Path) -> None:
    sheet = tmp_path / "pricesheet.csv"
    sheet.write_text("MeterId,UnitOfMeasure,UnitPrice,BillingCurrency,EffectiveStartDate,EffectiveEndDate\n"
                     "11111111-aaaa,1 Hour,0.05,GBP,01/01/2024,06/30/2026\n"
                     "11111111-aaaa,1 Hour,0.06,GBP,07/01/2026,\n")
    path = write_plan(tmp_path / "wave.json", wave_plan("wave-pilot", ("vm-1", vm_inputs("vm-1"))))
    line = forecast_json(path, "--prices", rates, "--prices", sheet)["lines"][0]
    assert line["unit_price"] == "0.06" and "row 3" in line["price_source"]
