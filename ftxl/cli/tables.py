"""The results of a use case as tables of labelled, formatted figures (text only, no terminal code)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..finetune_economics import AGAINST, breakeven_text
from ..use_case import Evaluation


@dataclass(frozen=True)
class Table:
    """A titled table: column headers and rows of already formatted cells."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    caption: str | None = None
    """A line under the table (what it leaves out, where to find it)."""


def euros(value: float, decimals: int = 2) -> str:
    """A euro amount with thousands separators: €4,333.33, -€0.045."""
    sign = "-" if value < 0 else ""
    return f"{sign}€{abs(value):,.{decimals}f}"


def probability(value: float) -> str:
    """A probability as a percentage that reads 100.0% only when it is 1 (> 99.9% just below)."""
    if value < 1 and round(value * 100, 1) >= 100:
        return "> 99.9%"
    if value > 0 and round(value * 100, 1) <= 0:
        return "< 0.1%"
    return f"{value:.1%}"


def percent(value: float) -> str:
    """A share as a percentage: 0.15 -> 15%."""
    return f"{value * 100:.4g}%"


def days(value: float) -> str:
    """A number of days, or "never" for a break-even that does not come."""
    return "never" if math.isinf(value) else f"{value:,.2f}"


def options_table(evaluation: Evaluation) -> Table:
    """Cost per event of each option, split into its parts: one column per option."""
    case, options = evaluation.use_case, evaluation.options
    lines: list[tuple[str, list[str]]] = [
        ("full-route accuracy", [percent(o.shares[0]) for o in options]),
        ("top-level accuracy", [percent(1 - o.shares[2]) for o in options]),
        ("share wrong subclass", [percent(o.shares[1]) for o in options]),
        ("share wrong department", [percent(o.shares[2]) for o in options]),
        ("handling or inference cost", [euros(o.unit_cost, 4) for o in options]),
        ("expected error cost", [euros(o.error_cost, 4) for o in options]),
        ("review cost", [euros(o.review_cost, 4) for o in options]),
        ("cost per event", [euros(o.cost_per_event, 4) for o in options]),
        ("cost per day", [euros(o.cost_per_day) for o in options]),
    ]
    return Table(
        title=f"{case.name}: cost per event by option, {case.events_per_day:,g} events/day",
        columns=["", *(o.name for o in options)],
        rows=[[label, *cells] for label, cells in lines],
    )


def finetune_table(evaluations: Sequence[Evaluation]) -> Table:
    """Fine-tuning against the best other option, one column per horizon."""
    lines: list[tuple[str, list[str]]] = [
        ("measured against", [AGAINST[e.against] for e in evaluations]),
        ("events over the horizon", [f"{e.use_case.events:,.0f}" for e in evaluations]),
        ("saving per event", [euros(e.saving_per_event, 4) for e in evaluations]),
        ("saving per day", [euros(e.saving_per_day) for e in evaluations]),
        ("gross savings over the horizon", [euros(e.max_ft_investment) for e in evaluations]),
        ("investment", [euros(e.use_case.investment) for e in evaluations]),
        ("break-even", [breakeven_text(e.breakeven_days, e.use_case.horizon_days) for e in evaluations]),
        ("net savings over the horizon", [euros(e.net_savings) for e in evaluations]),
        (
            "largest one-off investment that pays",
            [limit(e.max_ft_investment, "no investment pays") for e in evaluations],
        ),
        (
            "largest fine-tuned inference cost per event",
            [limit(e.max_finetuned_unit_cost, "no price pays", 4) for e in evaluations],
        ),
        ("largest premium over the prompted inference cost", [euros(e.max_cost_premium, 4) for e in evaluations]),
        ("actual premium over the prompted inference cost", [euros(e.actual_cost_premium, 4) for e in evaluations]),
        ("amortised fine-tuned cost per event", [euros(e.amortized_cost_per_event, 4) for e in evaluations]),
        ("largest investment at equal running cost", [euros(e.max_investment_same_unit_cost) for e in evaluations]),
        *(
            (f"total cost over the horizon, {name}", [euros(e.decision.total_costs[key]) for e in evaluations])
            for key, name in TOTAL_COST_LABELS.items()
            if all(key in e.decision.total_costs for e in evaluations)
        ),
        ("decision", [decision(e) for e in evaluations]),
    ]
    return Table(
        title="Over the horizon: fine-tuning against the best other option, and the decision among all three",
        columns=["", *(f"{e.use_case.horizon_days:g} days" for e in evaluations)],
        rows=[[label, *cells] for label, cells in lines],
        caption="Against the cheaper of people and the prompted model over the horizon, as the decision compares.",
    )


def second_layer_table(evaluation: Evaluation, found: dict[str, Any]) -> Table:
    """The second layer of one horizon: every combination of router and handling, cheapest first."""
    rows = [[c["verdict"], euros(c["layer2_cost_per_event"], 6), euros(c["total_cost"])] for c in found["combinations"]]
    layer1 = found["finetuning_against_prompting_layer_1"]
    both = found["finetuning_against_prompting_with_agent"]
    return Table(
        title=f"Two layers over {evaluation.use_case.horizon_days:g} days: router and handling, cheapest first",
        columns=["combination", "layer 2 per event", "total over the horizon"],
        rows=rows,
        caption=(
            f"Decision: {found['decision']}. Fine-tuning against prompting is worth {euros(layer1)} in layer 1 "
            f"and {euros(both)} with the agent; one point of full-route accuracy is worth "
            f"{euros(found['routing_point_value'], 6)} per event downstream. The agent handles the routine "
            "events routed fully correct; every other event goes to a specialist."
        ),
    )


def limit(value: float, impossible: str, decimals: int = 2) -> str:
    """A largest investment or cost, or in words when it is negative (nothing pays) or missing (NaN)."""
    if value != value:
        return impossible
    return f"{impossible} ({euros(value, decimals)})" if value < 0 else euros(value, decimals)


TOTAL_COST_LABELS = {"human": "human", "prompted": "prompted", "finetuned": "fine-tuned (investment included)"}


def decision(evaluation: Evaluation) -> str:
    """The verdict over the horizon: the option with the lowest total cost (`ftxl.decide`), and why."""
    verdict, totals = evaluation.decision.verdict, evaluation.decision.total_costs
    if evaluation.decision.choice == "finetuned":
        return f"{verdict}: pays back within the horizon"
    if evaluation.decision.choice == "human" and totals["finetuned"] < totals["prompted"]:
        return f"{verdict}: fine-tuning beats prompting, but people cost less in all"
    if evaluation.saving_per_event > 0 and evaluation.net_savings <= 0:
        return f"{verdict}: fine-tuning pays back only after the horizon"
    return verdict


def buckets_tables(report: dict[str, Any]) -> list[Table]:
    overall = Table(
        title=f"Bucket shares: {report['events']:,} events, {report['skipped']:,} skipped (missing labels)",
        columns=["bucket", "share", "95% low", "95% high"],
        rows=[[b, f"{s['share']:.2%}", f"{s['low']:.2%}", f"{s['high']:.2%}"] for b, s in report["shares"].items()],
    )
    names = list(report["shares"])
    groups = Table(
        title=f"By {report['by']}",
        columns=[report["by"], "events", *names],
        rows=[
            [g, f"{v['events']:,}", *(f"{v['shares'][n]:.2%}" if n in v["shares"] else "-" for n in names)]
            for g, v in report["groups"].items()
        ],
    )
    return [overall, groups]


KEY_OUTPUTS = ("decision_base", "net_savings_base", "breakeven_text_base")
"""The summary's default view of a template workbook: the Base decision and the two figures behind it (the
break-even in words: "day 48.48", "not within the 180-day horizon (day 389)", "never")."""
SCENARIO_ORDER = ("base", "worst", "best", "low", "high")
FIRST_STEMS = ("decision", "against", "net_savings", "breakeven_text", "breakeven_days")


def summary_view(columns: list[str], table: list[dict[str, Any]], wide: bool) -> list[str]:
    """The outputs the terminal shows, in a meaningful order.

    By default the Base decision, net savings and break-even (for workbooks without the ftxl names:
    their first three outputs), and the input checks where any workbook defines them. With `wide`:
    every output, the decision first, each figure's scenarios together (Base, Low, High).
    """
    outputs = [c for c in columns if c not in ("workbook", "status", "cells", "warnings", "checks", "errors")]
    checks = [] if all(row.get("checks") is None for row in table) else ["checks"]
    if not wide:
        key = [c for c in KEY_OUTPUTS if c in outputs]
        if "breakeven_text_base" not in key and "breakeven_days_base" in outputs:  # a workbook of its own names
            key.append("breakeven_days_base")
        return (key or outputs[:3]) + checks

    def rank(column: str) -> tuple[int, int, int]:
        stem, _, scenario = column.rpartition("_")
        stem = stem if scenario in SCENARIO_ORDER else column
        first = FIRST_STEMS.index(stem) if stem in FIRST_STEMS else len(FIRST_STEMS)
        order = next(k for k, c in enumerate(outputs) if c == column or c.startswith(stem + "_"))
        return first, order, SCENARIO_ORDER.index(scenario) if scenario in SCENARIO_ORDER else 0

    return checks + sorted(outputs, key=rank)


def summary_table(columns: list[str], table: list[dict[str, Any]], wide: bool = False) -> Table | None:
    """The key outputs of a batch, one row per workbook (`summary_view` picks the columns); with `wide`,
    every output, one row each and a column per workbook. None when there is nothing to show."""
    shown = summary_view(columns, table, wide)
    if not shown:
        return None
    more = len([c for c in columns if c not in ("workbook", "status", "cells", "warnings", "errors")]) - len(shown)
    caption = f"{more} more outputs per workbook: --wide, or the --summary file" if more > 0 and not wide else None
    base_only = not wide and all(c in KEY_OUTPUTS or c == "checks" for c in shown)
    title = "Summary, Base scenario" if base_only else "Summary"
    if wide:
        return Table(
            title,
            ["output", *(Path(row["workbook"]).name for row in table)],
            [[output.replace("_", " "), *(cell_text(row.get(output)) for row in table)] for output in shown],
            caption,
        )
    headers = [
        HEADERS.get(o, o).replace("_", " ") for o in (x.removesuffix("_base") if base_only else x for x in shown)
    ]
    rows = [[Path(row["workbook"]).name, *(cell_text(row.get(c)) for c in shown)] for row in table]
    return Table(title, ["workbook", *headers], rows, caption)


HEADERS = {"breakeven_text": "break-even"}
"""Column headers of the terminal summary that read better than the output's name."""


def cell_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.2f}"
    return "" if value is None else str(value)
