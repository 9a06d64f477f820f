"""Charts of a reconciliation as inline SVG text (matplotlib, Agg backend, no fonts or files fetched)."""

from __future__ import annotations

import io

from costing.reconcile.model import Reconciliation


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE (an external DTD) for inline use


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.family": "sans-serif", "font.size": 9})
    return plt


def _label(result: Reconciliation, text: str) -> str:
    """A chart's title, SYNTHETIC first when the spend is synthetic."""
    return f"SYNTHETIC — {text}" if result.provenance.synthetic else text


def monthly_chart(result: Reconciliation) -> str:
    """Monthly Azure spend (bars) against the case and the estimate (lines)."""
    plt = _pyplot()
    total = result.azure_total
    labels = [str(month) for month in result.months]
    figure, axes = plt.subplots(figsize=(9, 3.6))
    axes.bar(labels, [float(total.actual_monthly.get(m, 0)) for m in result.months], color="#4c72b0",
             label=f"Actual ({result.cost_column})")
    axes.plot(labels, [float(total.case_monthly.get(m, 0)) for m in result.months], color="#c44e52",
              linewidth=2, label="Business case (spread evenly)")
    if result.three_way:
        axes.plot(labels, [float(total.estimate_monthly.get(m, 0)) for m in result.months], color="#55a868",
                  linewidth=2, linestyle="--", label="Estimate (forecast)")
    axes.set_ylabel(result.currency)
    axes.set_title(_label(result, f"Monthly Azure spend vs case ({result.currency})"))
    axes.tick_params(axis="x", labelrotation=60)
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    axes.legend(loc="upper left", frameon=False)
    axes.grid(axis="y", alpha=0.3)
    return _svg(figure)


def cumulative_chart(result: Reconciliation) -> str:
    """Cumulative position by period: the case's plan against actual and re-forecast."""
    plt = _pyplot()
    periods = result.benefit.periods
    labels = [p.period for p in periods]
    figure, axes = plt.subplots(figsize=(9, 3.6))
    axes.plot(labels, [float(p.plan_cumulative) for p in periods], marker="o", color="#c44e52",
              label="Plan (business case)")
    axes.plot(labels, [float(p.reforecast_cumulative) for p in periods], marker="s", color="#4c72b0",
              label="Actual to date, then re-forecast")
    axes.axhline(0, color="#333333", linewidth=0.8)
    axes.set_ylabel(result.currency)
    axes.set_title(_label(result, f"Cumulative position: plan vs actual/re-forecast ({result.currency})"))
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    axes.legend(loc="upper left", frameon=False)
    axes.grid(axis="y", alpha=0.3)
    return _svg(figure)
