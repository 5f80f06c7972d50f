"""Does fine-tuning pay, and how much may it cost? One set of books, against the best other option.

Every figure here answers the decision's own question. Fine-tuning is compared with the best other
option: whichever of the human process and the prompted model costs less over the horizon (ties go to
the human process), with every cost over time on the Inputs sheet included (one-off and monthly costs,
go-live delay, growth, the API's price change, discounting), exactly as `ftxl.analysis.outcome` and the
decision count them.

The rule for present values: with a discount rate, every euro total (net savings, the largest one-off
investment, the largest investment at equal running cost) is a present value at day 0, and the break-even
day is the discounted payback. Prices per event are prices, not present values. Without a rate the two
readings coincide.

The limits are exact, because fine-tuning's total is linear in its investment (paid on day 0) and in its
inference cost per event (paid on every event it handles after go-live, `Outcome.finetuned_events`):

* largest one-off investment  = I + net savings;
* largest inference cost      = c_inf,ft + net savings / events handled by the fine-tuned model;
* largest premium             = that cost - the prompted model's inference cost;
* largest investment at equal running cost = I + net savings + (c_inf,ft - c_inf,prompted) x those events.

With the time inputs at 0 and the prompted model the best other option, they are the seed's closed forms
(`ftxl.model`): the worked example keeps EUR 108,500, 48.4848 days, EUR 148,500, EUR 0.0756 and EUR 0.135556.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import analysis, model

AGAINST = {"human": "the human process", "prompted": "the prompted model"}
"""How the figures name the option fine-tuning is measured against."""


@dataclass(frozen=True)
class FinetuneEconomics:
    """What fine-tuning is worth against the best other option over the horizon, and its limits (euros,
    days, euros per event). One scenario."""

    decision: str
    """The option with the lowest total cost over the horizon: "human", "prompted" or "finetuned"."""
    against: str
    """The best other option: "human" or "prompted"."""
    horizon_days: float
    discounted: bool
    """True when a discount rate is set: the euro totals are present values, the break-even is discounted."""
    investment: float
    prompted_unit_cost: float
    finetuned_unit_cost: float
    net_savings: float
    """Euros over the horizon: the best other option's total minus fine-tuning's (the NPV with a rate)."""
    breakeven_day: float
    """The day cumulative savings reach the one-off costs (discounted with a rate); infinity: never."""
    payback_days: float
    """The same, undiscounted."""
    discounted_payback_days: float
    max_investment: float
    """The largest one-off investment that still pays (negative: none does, the running costs alone lose)."""
    max_unit_cost: float
    """The largest inference cost per event that still pays (negative: no price does; NaN: the fine-tuned
    model is not live within the horizon)."""
    max_premium: float
    """That cost minus the prompted model's inference cost (negative: it must also be cheaper to run)."""
    max_investment_same_unit_cost: float
    """The largest one-off investment if the fine-tuned model cost as much to run per event as the prompted one."""
    prompted_beats_people: bool
    """True when the prompted model costs less than people over the horizon (the seed's formulas assume it)."""
    handling: str = "none"
    """After routing, for the decided option: "agent", "specialists", or "none" without a second layer."""
    routing_point_value: float = 0.0
    """Euros per event one point of full-route accuracy is worth downstream (0 without a second layer)."""

    @property
    def handling_suffix(self) -> str:
        """What the decision's words add for the second layer: " + agent", ", specialists only" or nothing."""
        return analysis.HANDLING_WORDS[self.handling]

    @property
    def decision_text(self) -> str:
        """The decision in words, the handling named with a second layer: "Fine-tune + agent"."""
        return model.VERDICTS[self.decision] + self.handling_suffix

    @property
    def handling_text(self) -> str:
        """The handling after routing in a few words."""
        return {
            "agent": "Agent for the routine events routed right",
            "specialists": "Specialists only",
        }.get(self.handling, "Off: no second-layer inputs")

    @property
    def against_label(self) -> str:
        """The option compared with, in words: "the human process" or "the prompted model"."""
        return AGAINST[self.against]

    @property
    def pays(self) -> bool:
        """True exactly when fine-tuning is the decision."""
        return self.decision == "finetuned"


def finetune_economics(inputs: analysis.Inputs) -> FinetuneEconomics:
    """Every figure of fine-tuning against the best other option, for one scenario of named inputs (as
    `ftxl.analysis`)."""
    values = analysis.complete_inputs(inputs)
    result = analysis.outcome(values)
    net = float(result.net_savings)
    investment = float(values["investment"])
    unit_ft, unit_prompted = float(values["finetuned_unit_cost"]), float(values["prompted_unit_cost"])
    served = float(result.finetuned_events)
    max_unit = unit_ft + net / served if served > 0 else math.nan
    payback = analysis.breakeven_day(values)
    discounted = bool(float(values["discount_rate"]) != 0)
    discounted_payback = analysis.breakeven_day(values, discounted=True) if discounted else payback
    totals = result.total_costs
    decided = model.OPTION_KEYS[int(result.choice)]
    return FinetuneEconomics(
        decision=decided,
        against=model.OPTION_KEYS[int(result.against)],
        horizon_days=float(values["horizon_days"]),
        discounted=discounted,
        investment=investment,
        prompted_unit_cost=unit_prompted,
        finetuned_unit_cost=unit_ft,
        net_savings=net,
        breakeven_day=discounted_payback,
        payback_days=payback,
        discounted_payback_days=discounted_payback,
        max_investment=investment + net,
        max_unit_cost=max_unit,
        max_premium=max_unit - unit_prompted,
        max_investment_same_unit_cost=investment + net + (unit_ft - unit_prompted) * served,
        prompted_beats_people=bool(float(totals["prompted"]) < float(totals["human"])),
        handling=analysis.handling(result, decided),
        routing_point_value=float(analysis.routing_point_value(values)),
    )


def savings_curve(inputs: analysis.Inputs, points: int) -> list[tuple[float, float, float]]:
    """(day, cumulative savings against the best other option before the one-off costs, those one-off costs) at
    `points` + 1 days evenly from 0 to the horizon: the two lines cross at the break-even (discounted with a
    rate). One scenario."""
    values = analysis.complete_inputs(inputs)
    against = model.OPTION_KEYS[int(analysis.outcome(values).against)]
    days = np.linspace(0.0, float(values["horizon_days"]), points + 1)
    one_off = float(values["investment"])
    net = analysis.cumulative_net(values, days, against)
    return [(float(d), float(n) + one_off, one_off) for d, n in zip(days, net, strict=True)]


def net_savings_with(inputs: analysis.Inputs, **changed: float) -> float:
    """Fine-tuning's net savings against the best other option with some inputs changed (a check of a limit:
    investing exactly `max_investment` gives 0)."""
    return float(analysis.outcome({**inputs, **changed}).net_savings)


# --- the figures in words --------------------------------------------------------------------------


def euros(value: float, decimals: int = 0) -> str:
    """Euros as a reader expects them: EUR 1,234 or -EUR 0.0288 (EUR written as the sign)."""
    sign = "−" if value < 0 else ""
    return f"{sign}€{abs(value):,.{decimals}f}"


def breakeven_text(day: float, horizon_days: float) -> str:
    """A break-even day in words: "day 48.48", "not within the 180-day horizon (day 1,333)" or "never"."""
    if not math.isfinite(day):
        return "never"
    if day <= horizon_days:
        return f"day {day:,.2f}"
    return f"not within the {horizon_days:,.4g}-day horizon (day {day:,.0f})"


def unit_cost_text(economics: FinetuneEconomics) -> str:
    """The largest fine-tuned inference cost in a few words (a cell's worth)."""
    if math.isnan(economics.max_unit_cost):
        return "not live within the horizon"
    if economics.max_unit_cost < 0:
        return "no inference price pays"
    if economics.max_premium < 0:
        return f"must be cheaper to run: at most {euros(economics.max_unit_cost, 4)}"
    return f"at most {euros(economics.max_unit_cost, 4)} per event"


def investment_text(economics: FinetuneEconomics) -> str:
    """The largest one-off investment in a few words."""
    if economics.max_investment < 0:
        return "no investment pays"
    return f"at most {euros(economics.max_investment)}"


def limits_sentences(economics: FinetuneEconomics) -> list[str]:
    """What the limits mean, in the seed's words, measured against the best other option."""
    e, label = economics, economics.against_label
    said = []
    if not e.prompted_beats_people:
        said.append(
            "People cost less than the prompted model over the horizon, so fine-tuning is measured against the "
            "human process (the seed's closed forms assume the prompted model is the one to beat)."
        )
    if math.isnan(e.max_unit_cost):
        said.append("The fine-tuned model is not live within the horizon: no inference price makes it pay.")
    elif e.max_unit_cost < 0:
        said.append(
            f"No inference price makes fine-tuning pay against {label}: even at €0 per event it costs "
            f"{euros(-e.max_unit_cost, 4)} per event too much over the horizon."
        )
    elif e.max_premium < 0:
        said.append(
            "The fine-tuned model does not just need to be better, it also needs to be cheaper to run: at most "
            f"{euros(e.max_unit_cost, 4)} per event (the prompted model costs {euros(e.prompted_unit_cost, 4)})."
        )
    else:
        said.append(
            f"Fine-tuning pays against {label} while its inference cost stays below "
            f"{euros(e.max_unit_cost, 4)} per event (today {euros(e.finetuned_unit_cost, 4)})."
        )
    if e.max_investment < 0:
        said.append(
            f"No one-off investment makes it pay: its running costs alone exceed the savings by "
            f"{euros(-e.max_investment)}."
        )
    else:
        said.append(
            f"The largest one-off investment that pays is {euros(e.max_investment)} (planned: {euros(e.investment)})."
        )
    return said
