"""`estate cost reconcile`: the business case, the cost store and (optionally) the forecast, joined line by line.

Reads the case (`costing.business_case`), one GROUP BY over the store (`costing.reconcile.actuals`), allocates
spend to lines (`allocate`), adds the store's ledger entries (`ledger`), computes every line's figures
(`figures`), the totals as sums of their rows (`totals`) and the benefit (`benefit`); reports only render the
`Reconciliation` this returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costing.business_case import check_stated, derive, load_business_case
from costing.business_case.model import RUN_KINDS, BusinessCase
from costing.reconcile.actuals import COST_COLUMNS, CostColumn, StoreSpend, read_store_spend
from costing.reconcile.allocate import UNALLOCATED, AllocatedSpend, allocate
from costing.reconcile.benefit import benefit_position
from costing.reconcile.estimate import ForecastInput, estimate_monthly, read_forecast, wave_start_months
from costing.reconcile.figures import (
    RUN_RATE_MONTHS,
    Reforecast,
    Series,
    Window,
    add_monthly,
    line_periods,
    monthly_case,
    run_rate,
)
from costing.reconcile.ledger import LedgerActuals, ledger_actuals
from costing.reconcile.model import (
    DEFAULT_ADJUST,
    DEFAULT_REFORECAST,
    REFORECAST_ADJUSTS,
    REFORECAST_METHODS,
    ActualsSource,
    Allocation,
    CaseCheck,
    LineFigures,
    Provenance,
    RagThresholds,
    Reconciliation,
)
from costing.reconcile.totals import sum_rows
from estate.foundation.errors import InputError, UsageError
from estate.foundation.periods import Month, Period

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
    reforecast: str = DEFAULT_REFORECAST
    reforecast_adjust: str = DEFAULT_ADJUST


def parse_month(text: str, option: str = "--as-of") -> Month:
    """'2020-06' -> Month(2020, 6); anything else is a usage error."""
    match = _MONTH.match(text.strip())
    if not match:
        raise UsageError(f"{option} {text!r} is not a month; give YYYY-MM (e.g. 2021-03)")
    return Month(int(match[1]), int(match[2]))


def _check_request(request: ReconcileRequest) -> None:
    thresholds = request.thresholds
    if thresholds.green_percent > thresholds.amber_percent:
        raise UsageError("the green threshold must not be above the amber threshold")
    if thresholds.underspend_green_percent > thresholds.underspend_amber_percent:
        raise UsageError("the underspend green threshold must not be above the underspend amber threshold")
    if request.reforecast not in REFORECAST_METHODS:
        raise UsageError(f"--reforecast {request.reforecast!r}: choose {' or '.join(REFORECAST_METHODS)}")
    if request.reforecast_adjust not in REFORECAST_ADJUSTS:
        raise UsageError(f"--reforecast-adjust {request.reforecast_adjust!r}: choose "
                         f"{' or '.join(REFORECAST_ADJUSTS)}")


def reconcile(request: ReconcileRequest, *, engine: QueryEngine | None = None) -> Reconciliation:
    """Every figure of the reconciliation; the store is read by `engine` (`DuckDBEngine()` unless given, e.g.
    `SparkEngine(spark)` in a notebook), with the same result on any engine."""
    _check_request(request)
    case = load_business_case(request.case_file)
    spend = read_store_spend(request.store, request.cost_column, engine)
    allocated = allocate(case, spend)
    asked = parse_month(request.as_of) if request.as_of else None
    ledger = ledger_actuals(case, request.store, spend.fx, str(request.case_file), asked)
    months = allocated.months
    if asked is not None:
        as_of = asked
    elif months or ledger.last:
        as_of = max([*months[-1:], *([ledger.last] if ledger.last else [])])
    else:
        raise InputError(f"{request.store}: the cost store holds no spend; load an export first, or give --as-of")
    azure_first = min((month for month in months if month <= as_of), default=None)
    first = min([month for month in (azure_first, ledger.first) if month is not None], default=None)
    forecast = _forecast(request, case)
    reforecast = Reforecast(request.reforecast, request.reforecast_adjust)
    # Without --as-of each source's actuals end at its own last month: Azure exports and the ledger may stop in
    # different months, and the months after a source's last are not yet actuals of it (they are re-forecast).
    azure_last = min(as_of, months[-1]) if months and asked is None else as_of
    ledger_last = min(as_of, ledger.last) if ledger.last and asked is None else as_of
    windows = _Windows(Window(azure_first, azure_last, as_of), Window(ledger.first, ledger_last, as_of), as_of)
    lines, unallocated = _line_figures(case, allocated, ledger, windows, forecast, request, reforecast)
    thresholds = request.thresholds
    azure_rows = [line for line in lines if line.actuals_source in ("azure", "both")] + [unallocated]
    azure_total = sum_rows("(azure-total)", "All Azure-measured lines + unallocated Azure spend", azure_rows,
                           thresholds, unallocated)
    # Its monthly series (the monthly table and chart of Azure spend) holds Azure spend only, not the ledger
    # rows of a line measured by both.
    azure_monthly = add_monthly([*(allocated.monthly.get(line.id) for line in azure_rows),
                                 allocated.unallocated_monthly])
    azure_total = replace(azure_total, actual_monthly={month: amount for month, amount in azure_monthly.items()
                                                       if month <= as_of})
    counted = [line for line in lines if line.in_totals and line.kind != "baseline"]
    capital = sum_rows("(capital)", "Capital costs (as the case classifies its lines)",
                       [line for line in counted if line.classification == "capital"], thresholds, unallocated)
    revenue = sum_rows("(revenue)", "Revenue costs (as the case classifies its lines; unallocated Azure spend)",
                       [line for line in counted if line.classification == "revenue"] + [unallocated], thresholds,
                       unallocated)
    costs = sum_rows("(all-costs)", "All costs in the case's totals (capital + revenue)", [capital, revenue],
                     thresholds, unallocated)
    derived = derive(case)
    shown = [Month.from_index(index) for index in range(first.index, as_of.index + 1)] if first else []
    periods = case.period_list()
    open_period = next((period.label for period in periods if period.first_month <= as_of < period.last_month),
                       None)
    checks = [CaseCheck(check.what, check.source, check.stated, check.computed, check.ok, check.warning)
              for check in check_stated(case, derived)]
    return Reconciliation(
        case_name=case.name, organisation=case.organisation, currency=case.currency, case_unit=case.money_unit,
        cost_column=request.cost_column, cost_column_meaning=COST_COLUMNS[request.cost_column], as_of=as_of,
        first_actual_month=first, periods=list(case.periods), open_period=open_period,
        thresholds=thresholds, lines=lines, unallocated=unallocated,
        unallocated_detail=allocated.unallocated, azure_total=azure_total,
        benefit=benefit_position(case, derived, costs, str(as_of), request.reforecast, request.reforecast_adjust,
                                 RUN_RATE_MONTHS),
        months=shown, run_rate_months=RUN_RATE_MONTHS,
        provenance=_provenance(request, case, spend, allocated, forecast, as_of, ledger),
        three_way=forecast is not None, totals=[capital, revenue, costs], reforecast=request.reforecast,
        reforecast_adjust=request.reforecast_adjust, case_checks=checks)


@dataclass(frozen=True)
class _Windows:
    azure: Window
    ledger: Window
    as_of: Month

    def of(self, azure: bool, ledger: bool) -> Window:
        used = [window for window, wanted in ((self.azure, azure), (self.ledger, ledger))
                if wanted and window.first is not None]
        if not used:
            return Window(None, self.as_of, self.as_of)
        return Window(min(window.first for window in used), max(window.as_of for window in used), self.as_of)


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


def _source(azure: bool, ledger: bool) -> ActualsSource:
    if azure and ledger:
        return "both"
    return "azure" if azure else "ledger" if ledger else "none"


def _line_figures(case: BusinessCase, allocated: AllocatedSpend, ledger: LedgerActuals, windows: _Windows,
                  forecast: ForecastInput | None, request: ReconcileRequest, reforecast: Reforecast
                  ) -> tuple[list[LineFigures], LineFigures]:
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
        by_azure = windows.azure.first is not None and (line.kind == "cloud-run" or line.id in allocated.monthly)
        by_ledger = line.id in ledger.monthly
        azure = allocated.monthly.get(line.id, {}) if by_azure else None
        booked = ledger.monthly.get(line.id, {}) if by_ledger else None
        measured = by_azure or by_ledger
        series = Series(case=[value * unit for value in line.values],
                        actual=add_monthly([azure, booked]) if measured else None,
                        estimate=estimates.get(line.id, {}) if estimates is not None else None,
                        runs_on=line.kind in RUN_KINDS, azure=azure, ledger=booked, kind=line.kind,
                        partial=by_azure and not by_ledger and line.kind != "cloud-run")
        notes = []
        if series.partial:
            notes.append(f"Azure bills only part of this {line.kind} line: its outturn keeps the case's non-Azure "
                         "remainder; load the ledger (`estate actuals load`) for the rest")
        lines.append(_figures(line.id, line.label, line.kind, measured, line.in_totals, series, periods,
                              windows.of(by_azure, by_ledger), thresholds,
                              [item for item in allocated.allocations if item.line == line.id], reforecast,
                              line.classification, _source(by_azure, by_ledger), notes))
    unallocated_series = Series(case=[ZERO] * len(periods), actual=allocated.unallocated_monthly,
                                estimate=unplaced_estimate, runs_on=True, azure=allocated.unallocated_monthly,
                                kind="unallocated")
    measured_unallocated = windows.azure.first is not None
    unallocated = _figures(UNALLOCATED, "Unallocated Azure spend (no tag, no rule)", "unallocated",
                           measured_unallocated, True,
                           unallocated_series if measured_unallocated else Series([ZERO] * len(periods), None,
                                                                                  unplaced_estimate, True),
                           periods, windows.azure, thresholds, [], reforecast, "revenue",
                           "azure" if measured_unallocated else "none", [])
    return lines, unallocated


def _figures(line_id: str, label: str, kind: str, measured: bool, in_totals: bool, series: Series,
             periods: list[Period], window: Window, thresholds: RagThresholds, found_by: list[Allocation],
             reforecast: Reforecast, classification: str, source: ActualsSource, notes: list[str]) -> LineFigures:
    return LineFigures(
        id=line_id, label=label, kind=kind, measured=measured, in_totals=in_totals,
        periods=line_periods(series, periods, window, thresholds, reforecast),
        run_rate_monthly=run_rate(series.actual, window) if measured else None,
        actual_monthly={month: amount for month, amount in (series.actual or {}).items() if month <= window.as_of},
        case_monthly=monthly_case(series.case, periods), estimate_monthly=series.estimate or {}, found_by=found_by,
        classification=classification, actuals_source=source, notes=notes)


def _provenance(request: ReconcileRequest, case: BusinessCase, spend: StoreSpend, allocated: AllocatedSpend,
                forecast: ForecastInput | None, as_of: Month, ledger: LedgerActuals) -> Provenance:
    notes = list(ledger.notes)
    periods = case.period_list()
    last = max((group.month for group in spend.groups), default=None)
    if last is not None and last < as_of and request.as_of is None:
        notes.append(f"the Azure spend in the cost store ends at {last} and the ledger at {ledger.last}: Azure actuals "
                     f"run to {last}, and {last.plus(1)} to {as_of} of Azure-measured lines is re-forecast")
    elif last is not None and last < as_of:
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
    synthetic = any("synthetic" in text.lower() for text in spend.sources + spend.files + ledger.origins)
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
        synthetic=synthetic, notes=notes, ledgers=ledger.origins, ledger_entries=ledger.entries)
