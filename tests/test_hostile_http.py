"""Hostile HTTP answers: Cost Management and the Retail Prices API, against loopback stand-ins, bounded in time."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tests.hostile_helpers import assert_refused
from tests.support.cost_api_server import QPU_RETRY_HEADER, CostApiServer, Fault

pytestmark = pytest.mark.timeout(120)
SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"
COLUMNS = [{"name": "Cost", "type": "Number"}, {"name": "ResourceId", "type": "String"},
           {"name": "UsageDate", "type": "Number"}, {"name": "Currency", "type": "String"}]


@pytest.fixture
def server(third_party, monkeypatch):
    with CostApiServer(third_party, mode="synthetic", rows_per_page=250, synthetic_resources=2) as stand_in:
        for key, value in stand_in.identity_env.items():
            monkeypatch.setenv(key, value)
        yield stand_in


def pull(server, store, *extra, first="2024-01", last="2024-01"):
    return run_cli("cost", "pull", "--scope", SUBSCRIPTION, "--from", first, "--to", last, "--store", store,
                   "--endpoint", server.endpoint, "--as-of", "2024-03", *extra)


def answer(properties):
    return Fault(200, body={"id": "q", "name": "q", "type": "Microsoft.CostManagement/query",
                            "properties": {"nextLink": None, **properties}})


@pytest.mark.parametrize("properties, said", [
    ({"columns": "Cost,ResourceId", "rows": []}, "2024-01"),
    ({"columns": COLUMNS, "rows": [[float("nan"), "/r", 20240105, "GBP"]]}, "not a finite number"),
    ({"columns": COLUMNS, "rows": [["1e30x", "/r", 20240105, "GBP"]]}, "not a finite number"),
    ({"columns": COLUMNS, "rows": [[1.5, "/r", 20240705, "GBP"]]}, "outside the month 2024-01"),
    ({"columns": COLUMNS, "rows": [[1.5, "/r", {"x": 1}, "GBP"]]}, "UsageDate"),
    ({"columns": COLUMNS, "rows": [7]}, "cannot read"),
])
def test_hostile_query_answers_are_refused_with_the_month(server, tmp_path, properties, said):
    server.faults.append(answer(properties))
    result = pull(server, tmp_path / "store")
    assert_refused(result, "2024-01", said)


def test_a_huge_retry_after_stops_the_pull_instead_of_sleeping(server, tmp_path):
    server.faults.append(Fault(429, headers={"Retry-After": "86400", QPU_RETRY_HEADER: "86400"}))
    result = pull(server, tmp_path / "store")
    assert_refused(result, "86400 s", "ESTATE_MAX_RETRY_AFTER_SECONDS")


@pytest.mark.parametrize("value", ["nan", "-5", "inf", "soon"])
def test_an_unusable_retry_after_is_treated_as_absent(server, tmp_path, value):
    server.faults.append(Fault(429, headers={"Retry-After": value, QPU_RETRY_HEADER: value}))
    result = pull(server, tmp_path / "store", "--format", "json")
    assert result.exit_code == 0, result.output
    assert server.log.count(429) == 1


@pytest.mark.parametrize("first, last, said", [("0001-01", "0001-02", "between 2000-01 and 2100-12"),
                                               ("2000-01", "9999-12", "between 2000-01 and 2100-12"),
                                               ("2000-01", "2099-12", "more than 120")])
def test_the_month_range_is_bounded(server, tmp_path, first, last, said):
    result = pull(server, tmp_path / "store", first=first, last=last)
    assert_refused(result, said)
    assert server.log.queries == []
