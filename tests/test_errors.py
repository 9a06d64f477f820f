"""One exception tree: every stage raises its own InputError subclass, with its context and the cause chained."""

from __future__ import annotations

import pytest

from estate.foundation.errors import (
    CostDataError,
    DefinitionError,
    EstateError,
    InputError,
    PlanError,
    PriceError,
    ServiceError,
)


def test_each_stage_has_its_own_subclass_of_the_one_tree():
    for stage in (DefinitionError, PlanError, PriceError, CostDataError):
        assert issubclass(stage, InputError) and issubclass(stage, EstateError)
    assert issubclass(ServiceError, EstateError) and not issubclass(ServiceError, InputError)
    error = PlanError("p.json: no steps", file="p.json", line=3, column=7, field="steps")
    assert (error.file, error.line, error.column, error.field, error.exit_code) == ("p.json", 3, 7, "steps", 2)


def test_a_plan_that_is_not_plan_shaped_is_a_plan_error():
    from estate.foundation.plan import parse_plan

    with pytest.raises(PlanError, match="not a plan"):
        parse_plan('{"config": {}}', "p.json")


def test_a_price_sheet_without_meter_ids_is_a_price_error(tmp_path):
    from costing.prices.price_sheet import load_price_sheet

    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Name,Price\nx,1\n")
    with pytest.raises(PriceError, match="no column for meterId"):
        load_price_sheet(sheet)


def test_a_broken_fx_table_is_cost_data_error_with_its_cause_chained(tmp_path):
    from costing.actuals.fx import parse_fx_table

    with pytest.raises(CostDataError) as raised:
        parse_fx_table(b"from_currency,to_currency,month,rate\nUSD,GBP,2025-01,not-a-number\n", "fx.csv")
    assert "fx.csv" in raised.value.message


def test_service_errors_name_the_service():
    from costing.prices.retail_api import RetailApiError

    assert issubclass(RetailApiError, ServiceError)
    error = RetailApiError("429 after 6 retries", service="Retail Prices API", status=429)
    assert (error.service, error.status) == ("Retail Prices API", 429)
