"""The results of a use case as tables of labelled, formatted figures (text only, no terminal code)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..use_case import Evaluation


@dataclass(frozen=True)
class Table:
    """A titled table: column headers and rows of already formatted cells."""

    title: str
    columns: list[str]
    rows: list[list[str]]


def euros(value: float, decimals: int = 2) -> str:
    """A euro amount with thousands separators: €4,333.33, -€0.045."""
    sign = "-" if value < 0 else ""
    return f"{sign}€{abs(value):,.{decimals}f}"


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
    """Fine-tuned against prompted model, one column per horizon."""
    lines: list[tuple[str, list[str]]] = [
        ("events over the horizon", [f"{e.use_case.events:,.0f}" for e in evaluations]),
        ("saving per event", [euros(e.saving_per_event, 4) for e in evaluations]),
        ("saving per day", [euros(e.saving_per_day) for e in evaluations]),
        ("gross savings over the horizon", [euros(e.max_ft_investment) for e in evaluations]),
        ("investment", [euros(e.use_case.investment) for e in evaluations]),
        ("break-even (days)", [days(e.breakeven_days) for e in evaluations]),
        ("net savings over the horizon", [euros(e.net_savings) for e in evaluations]),
        ("largest justified investment", [euros(e.max_ft_investment) for e in evaluations]),
        ("largest inference premium per event", [euros(e.max_cost_premium, 4) for e in evaluations]),
        ("actual inference premium per event", [euros(e.actual_cost_premium, 4) for e in evaluations]),
        ("amortised fine-tuned cost per event", [euros(e.amortized_cost_per_event, 4) for e in evaluations]),
        ("largest fine-tuned inference cost per event", [euros(e.max_finetuned_unit_cost, 4) for e in evaluations]),
        ("largest investment at equal running cost", [euros(e.max_investment_same_unit_cost) for e in evaluations]),
        *(
            (f"total cost over the horizon, {name}", [euros(e.decision.total_costs[key]) for e in evaluations])
            for key, name in TOTAL_COST_LABELS.items()
            if all(key in e.decision.total_costs for e in evaluations)
        ),
        ("decision", [decision(e) for e in evaluations]),
    ]
    return Table(
        title="Over the horizon: fine-tuned vs prompted model, and the decision among all three options",
        columns=["", *(f"{e.use_case.horizon_days:g} days" for e in evaluations)],
        rows=[[label, *cells] for label, cells in lines],
    )


TOTAL_COST_LABELS = {"human": "human", "prompted": "prompted", "finetuned": "fine-tuned (investment included)"}


def decision(evaluation: Evaluation) -> str:
    """The verdict over the horizon: the option with the lowest total cost (`ftxl.decide`), and why."""
    verdict = evaluation.decision.verdict
    if evaluation.decision.choice == "finetuned":
        return f"{verdict}: pays back within the horizon"
    if evaluation.decision.choice == "human" and evaluation.net_savings > 0:
        return f"{verdict}: fine-tuning beats prompting, but people cost less in all"
    if evaluation.saving_per_event > 0 and evaluation.net_savings <= 0:
        return f"{verdict}: fine-tuning pays back only after the horizon"
    return verdict
