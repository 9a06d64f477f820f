"""`estate cost reconcile`: the business case, the cost store and (optionally) the forecast, joined line by line.

Reads the case (`costing.business_case`), one GROUP BY over the store (`costing.reconcile.actuals`), allocates
spend to lines (`allocate`), and computes every figure (`figures`, `benefit`); reports only render the
`Reconciliation` this returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costing.business_case import derive, load_business_case
from costing.business_case.model import RUN_KINDS, BusinessCase
from costing.business_case.periods import Month, Period
from costing.reconcile.actuals import COST_COLUMNS, CostColumn, StoreSpend, read_store_spend
from costing.reconcile.allocate import UNALLOCATED, AllocatedSpend, Allocation, allocate
from costing.reconcile.benefit import benefit_position
from costing.reconcile.estimate import ForecastInput, estimate_monthly, read_forecast, wave_start_months
from costing.reconcile.figures import (
    RUN_RATE_MONTHS,
    Series,
    Window,
    add_monthly,
    line_periods,
    monthly_case,
    run_rate,
)
from costing.reconcile.model import LineFigures, Provenance, RagThresholds, Reconciliation
from estate.foundation.errors import InputError, UsageError

if TYPE_CHECKING:
    from costing.actuals.engines import QueryEngine

ZERO = Decimal(0)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ReconcileRequest:
    """What the command line asks for."""

    case_file: Path
    store: Path | Any  # a directory, an az:// or abfs(s):// URL, or a costing.actuals.storage object
    forecast_file: Path | None = None
    estate_file: Path | None = None
    as_of: str | None = None
    cost_column: CostColumn = "EffectiveCost"
    thresholds: RagThresholds = field(default_factory=RagThresholds)


def parse_month(text: str, option: str = "--as-of") -> Month:
    """'2020-06' -> Month(2020, 6); anything else is a usage error."""
    match = _MONTH.match(text.strip())
    if not match:
        raise UsageError(f"{option} {text!r} is not a month; give YYYY-MM (e.g. 2021-03)")
    return Month(int(match[1]), int(match[2]))


def reconcile(request: ReconcileRequest, *, engine: QueryEngine | None = None) -> Reconciliation:
    """Every figure of the reconciliation; the store is read by `engine` (`DuckDBEngine()` unless given, e.g.
    `SparkEngine(spark)` in a notebook), with the same result on any engine."""
    if request.thresholds.green_percent > request.thresholds.amber_percent:
        raise UsageError("the green threshold must not be above the amber threshold")
    case = load_business_case(request.case_file)
    spend = read_store_spend(request.store, request.cost_column, engine)
    allocated = allocate(case, spend)
    months = allocated.months
    if request.as_of:
        as_of = parse_month(request.as_of)
    elif months:
        as_of = months[-1]
    else:
        raise InputError(f"{request.store}: the cost store holds no spend; load an export first, or give --as-of")
    first = min((month for month in months if month <= as_of), default=None)
    forecast = _forecast(request, case)
    window = Window(first, as_of)
    lines, unallocated, azure_total = _line_figures(case, allocated, window, forecast, request)
    derived = derive(case)
    shown = [Month.from_index(index) for index in range(first.index, as_of.index + 1)] if first else []
    periods = case.period_list()
    open_period = next((period.label for period in periods if period.first_month <= as_of < period.last_month),
                       None)
    return Reconciliation(
        case_name=case.name, organisation=case.organisation, currency=case.currency, case_unit=case.money_unit,
        cost_column=request.cost_column, cost_column_meaning=COST_COLUMNS[request.cost_column], as_of=as_of,
        first_actual_month=first, periods=list(case.periods), open_period=open_period,
        thresholds=request.thresholds, lines=lines, unallocated=unallocated,
        unallocated_detail=allocated.unallocated, azure_total=azure_total,
        benefit=benefit_position(case, derived, lines, unallocated, str(as_of)), months=shown,
        run_rate_months=RUN_RATE_MONTHS,
        provenance=_provenance(request, case, spend, allocated, forecast, as_of), three_way=forecast is not None)


def _forecast(request: ReconcileRequest, case: BusinessCase) -> ForecastInput | None:
    if request.forecast_file is None:
        if request.estate_file is not None:
            raise UsageError("--estate phases the forecast in by wave; it needs --forecast FORECAST.json")
        return None
    forecast = read_forecast(request.forecast_file)
    if forecast.currency != case.currency:
        raise InputError(f"{request.forecast_file}: the forecast is in {forecast.currency} but the business case "
                         f"is in {case.currency}; price the forecast in {case.currency} (the estate's "
                         "billing_currency, or an FX rate in the usage file)", file=str(request.forecast_file))
    return forecast


def _line_figures(case: BusinessCase, allocated: AllocatedSpend, window: Window, forecast: ForecastInput | None,
                  request: ReconcileRequest) -> tuple[list[LineFigures], LineFigures, LineFigures]:
    periods = case.period_list()
    all_months = [month for period in periods for month in period.month_list()]
    estimates = (estimate_monthly(forecast, all_months, wave_start_months(request.estate_file))
                 if forecast else None)
    line_ids = {line.id for line in case.lines}
    unplaced_estimate = (add_monthly(series for key, series in estimates.items() if key not in line_ids)
                         if estimates is not None else None)
    thresholds = request.thresholds
    unit = case.unit_multiplier
    lines = []
    for line in case.lines:
        measured = line.kind == "cloud-run" or line.id in allocated.monthly
        series = Series(case=[value * unit for value in line.values],
                        actual=allocated.monthly.get(line.id, {}) if measured else None,
                        estimate=estimates.get(line.id, {}) if estimates is not None else None,
                        runs_on=line.kind in RUN_KINDS)
        lines.append(_figures(line.id, line.label, line.kind, measured, line.in_totals, series, periods, window,
                              thresholds, [item for item in allocated.allocations if item.line == line.id]))
    unallocated_series = Series(case=[ZERO] * len(periods), actual=allocated.unallocated_monthly,
                                estimate=unplaced_estimate, runs_on=True)
    unallocated = _figures(UNALLOCATED, "Unallocated Azure spend (no tag, no rule)", "unallocated", True, True,
                           unallocated_series, periods, window, thresholds, [])
    measured_lines = [line for line in lines if line.measured]
    total_series = Series(
        case=[sum((line.periods[index].case for line in measured_lines), ZERO) for index in range(len(periods))],
        actual=add_monthly([line.actual_monthly for line in measured_lines] + [allocated.unallocated_monthly]),
        estimate=(add_monthly([line.estimate_monthly for line in measured_lines] + [unplaced_estimate])
                  if estimates is not None else None),
        runs_on=True)
    azure_total = _figures("(azure-total)", "All Azure spend (measured lines + unallocated)", "total", True, True,
                           total_series, periods, window, thresholds, [])
    return lines, unallocated, azure_total


def _figures(line_id: str, label: str, kind: str, measured: bool, in_totals: bool, series: Series,
             periods: list[Period], window: Window, thresholds: RagThresholds, found_by: list[Allocation]
             ) -> LineFigures:
    return LineFigures(
        id=line_id, label=label, kind=kind, measured=measured, in_totals=in_totals,
        periods=line_periods(series, periods, window, thresholds),
        run_rate_monthly=run_rate(series.actual, window) if measured else None,
        actual_monthly={month: amount for month, amount in (series.actual or {}).items() if month <= window.as_of},
        case_monthly=monthly_case(series.case, periods), estimate_monthly=series.estimate or {}, found_by=found_by)


def _provenance(request: ReconcileRequest, case: BusinessCase, spend: StoreSpend, allocated: AllocatedSpend,
                forecast: ForecastInput | None, as_of: Month) -> Provenance:
    notes = []
    periods = case.period_list()
    last = max((group.month for group in spend.groups), default=None)
    if last is not None and last < as_of:
        notes.append(f"the cost store has no spend after {last}; the months {last.plus(1)} to {as_of} count as no "
                     "spend (load the later exports, or give an earlier --as-of)")
    later = [group for group in spend.groups if group.month > as_of]
    if later:
        notes.append(f"{sum(group.rows for group in later)} cost rows charged after {as_of} are left out of this "
                     f"reconciliation (as of {as_of}); run without --as-of to include them")
    outside = [group for group in spend.groups
               if group.month <= as_of and not any(period.first_month <= group.month <= period.last_month
                                                   for period in periods)]
    if outside:
        first, last = min(group.month for group in outside), max(group.month for group in outside)
        notes.append(f"{sum(group.rows for group in outside)} cost rows ({first} to {last}) fall outside the case's "
                     f"periods ({case.periods[0]} to {case.periods[-1]}); they are in the monthly figures, not in "
                     "any period")
    synthetic = any("synthetic" in text.lower() for text in spend.sources + spend.files)
    forecast_note = None
    if forecast is not None:
        phased = ("each forecast line from its wave's planned month in " + str(request.estate_file)
                  if request.estate_file else "every forecast line at its full monthly cost in every month "
                  "(give --estate to phase lines in by wave)")
        forecast_note = (f"{len(forecast.lines)} priced lines, {forecast.monthly_total:.2f} {forecast.currency} "
                         f"a month at full deployment, {forecast.unpriced} unpriced items not counted; {phased}")
    fx = None
    if spend.fx is not None:
        fx = f"the store's FX table: monthly rates into {spend.fx.reporting_currency}"
    return Provenance(
        case_file=str(request.case_file), case_source=case.source, store=str(request.store),
        store_sources=spend.sources, files=len(spend.files), rows=allocated.rows,
        store_currencies=allocated.store_currencies, fx=fx,
        forecast_file=str(request.forecast_file) if request.forecast_file else None, forecast_note=forecast_note,
        forecast_unpriced=forecast.unpriced if forecast else 0,
        synthetic=synthetic, notes=notes)
