"""Decision analysis on top of the cost model: costs over time, what flips the decision, and how likely it is.

Pure numpy, vectorised over scenarios: every input may be an array (one value per draw), so
100,000 Monte Carlo draws are one evaluation, not a Python loop.

Conventions, held everywhere: days 1..H; day d's volume is V0 x (1 + g)^(d/365); the API's
price per event on day d is p x (1 + q)^(d/365); a month is 365/12 days; one-off costs fall
on day 0; a day's flows are discounted by (1 + r)^(-d/365). A fractional horizon (or delay)
takes that fraction of its last day, so cumulative figures are linear within a day. During
the go-live delay of the fine-tuned model the cheaper of the other two options keeps running
(and costing); the fine-tuned model's monthly costs start at go-live. With growth, monthly
costs, delay and rate all 0, every figure equals the closed forms of `ftxl.model`.

Inputs are named as on the template's Inputs sheet (`INPUTS`); `base_inputs` gives them for a
`UseCase`, `example_ranges` the insurance example's Low / Base / High.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from . import model, second_layer, value_of_information
from .errors import InputError, NoAnswerError
from .use_case import INSURANCE_RANGES

DAYS_PER_YEAR = 365.0
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

LAYER2_INPUTS = tuple(item.name for item in fields(second_layer.SecondLayer))
"""The second layer (`ftxl.second_layer`): all 0 by default, and then no figure changes (off)."""
OPTION_INPUTS = ("top_level_accuracy", "full_route_accuracy", "review_share", "review_cost")
INPUTS: dict[str, float] = {
    "events_per_day": 0.0,
    "horizon_days": 0.0,
    "handling_seconds": 0.0,
    "hourly_cost": 0.0,
    "delay_cost_per_day": 0.0,
    "days_lost_wrong_department": 0.0,
    "days_lost_wrong_subclass": 0.0,
    **{f"{key}_{name}": 0.0 for key in model.OPTION_KEYS for name in OPTION_INPUTS},
    "prompted_unit_cost": 0.0,
    "finetuned_unit_cost": 0.0,
    "investment": 0.0,
    "prompted_one_off": 0.0,
    "prompted_monthly": 0.0,
    "finetuned_monthly": 0.0,
    "golive_delay_days": 0.0,
    "volume_growth": 0.0,
    "api_price_change": 0.0,
    "discount_rate": 0.0,
    **dict.fromkeys(LAYER2_INPUTS, 0.0),
    "human_cost_per_event": np.nan,
    "prompted_cost_per_event": np.nan,
    "finetuned_cost_per_event": np.nan,
}
"""Every input of the analysis, with the default of those a case may leave out (the time-related ones, and
the all-in costs per event, which by default are computed from the inputs above them)."""
COST_OVERRIDES = ("human_cost_per_event", "prompted_cost_per_event", "finetuned_cost_per_event")
"""All-in euros per event that, when given, replace the cost computed from accuracies and bucket costs (a
workbook whose shares come from labels or are typed passes its own); the API's price change still applies
to the prompted model's inference part (`prompted_unit_cost`)."""
TIME_INPUTS = (
    "prompted_one_off",
    "prompted_monthly",
    "finetuned_monthly",
    "golive_delay_days",
    "volume_growth",
    "api_price_change",
    "discount_rate",
)
OPTIONAL_INPUTS = TIME_INPUTS + LAYER2_INPUTS + COST_OVERRIDES
"""Inputs a case may leave out: they take their default."""

Inputs = Mapping[str, Any]
"""Input name -> a number, or an array of numbers (one per scenario or draw)."""


@dataclass(frozen=True)
class Outcome:
    """Every option's total cost over the horizon (one-off costs included, discounted when a rate is set),
    and what fine-tuning is worth against the best other option. Arrays where the inputs were."""

    total_costs: dict[str, Any]
    """"human", "prompted", "finetuned" -> euros over the horizon."""
    choice: Any
    """Index into `ftxl.model.OPTION_KEYS` of the cheapest option (ties: human, then prompted)."""
    net_savings: Any
    """Euros: the best other option's total minus fine-tuning's (the NPV when a discount rate is set)."""
    against: Any
    """Index into `ftxl.model.OPTION_KEYS` of the best other option: 0 the human process, 1 the prompted model
    (the cheaper of the two over the horizon; ties go to the human process)."""
    finetuned_events: Any
    """Events the fine-tuned model handles after go-live (discounted when a rate is set): how much its total
    moves per euro of inference cost per event."""
    agent: dict[str, Any] = field(default_factory=dict)
    """With a second layer: router -> True where its cheaper handling is the agent (else specialists); each total
    is its router with that handling. Empty without a second layer."""


ZERO = 0.0
"""Day 0 as a start: a sum from it needs no second series (the sum up to day 0 is 0)."""


def _geometric(a: Any, upto: Any) -> Any:
    """Sum of a^d for d = 1..upto, with the fraction of a last day counted linearly (a > 0)."""
    upto = np.asarray(upto, dtype=float)
    factor = np.asarray(a)
    if (factor == 1.0).all():  # no growth, price change or discount (the common case): the sum is the days
        shape = np.broadcast_shapes(factor.shape, upto.shape)
        return upto if upto.shape == shape else np.broadcast_to(upto, shape).copy()
    whole = np.floor(upto)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        near_one = np.abs(a - 1.0) < 1e-12
        series = np.where(near_one, whole, a * (1.0 - a**whole) / np.where(near_one, 1.0, 1.0 - a))
    return series + (upto - whole) * a ** (whole + 1)


def _daily_factor(per_year: Any) -> Any:
    """(1 + rate)^(1/365): the day-by-day factor of a yearly rate (growth, price change, discount)."""
    rate = np.asarray(per_year, dtype=float)
    if np.any(rate <= -1):
        raise InputError("a yearly rate must be above -100%: growth, price change and discount rate")
    return (1.0 + rate) ** (1.0 / DAYS_PER_YEAR)


def per_event_costs(inputs: Inputs) -> dict[str, Any]:
    """All-in euros per event of each option, and the prompted model's inference part (which changes with
    the API's price over time)."""
    v = _complete(inputs)
    cost_subclass = v["delay_cost_per_day"] * v["days_lost_wrong_subclass"]
    cost_department = v["delay_cost_per_day"] * v["days_lost_wrong_department"]
    handling = model.human_cost_per_event(v["handling_seconds"], v["hourly_cost"])
    units = {"human": handling, "prompted": v["prompted_unit_cost"], "finetuned": v["finetuned_unit_cost"]}
    costs = {}
    for key in model.OPTION_KEYS:
        shares = model.error_shares(v[f"{key}_top_level_accuracy"], v[f"{key}_full_route_accuracy"])
        errors = shares[..., 1] * cost_subclass + shares[..., 2] * cost_department
        review = v[f"{key}_review_share"] * v[f"{key}_review_cost"]
        given = v[f"{key}_cost_per_event"]
        costs[key] = np.where(np.isnan(given), units[key] + errors + review, given)
    costs["prompted_inference"] = units["prompted"]
    return costs


def outcome(inputs: Inputs, horizon_days: Any = None, agent: Mapping[str, Any] | None = None) -> Outcome:
    """Each option's total cost over the horizon (or `horizon_days`) and fine-tuning's net savings. With a
    second layer each router takes its cheaper handling over those days, or the one `agent` fixes for it (the
    handling chosen over the horizon, for cumulative curves day by day)."""
    v = _complete(inputs)
    horizon = v["horizon_days"] if horizon_days is None else np.asarray(horizon_days, dtype=float)
    delay = np.minimum(v["golive_delay_days"], horizon)
    costs = per_event_costs(v)
    growth, discount = _daily_factor(v["volume_growth"]), _daily_factor(v["discount_rate"])
    price = _daily_factor(v["api_price_change"])
    events = growth / discount  # events per day, discounted, grow by this each day
    money = 1.0 / discount  # a euro a day, discounted
    v0 = v["events_per_day"]

    def volume(factor: Any, start: Any, end: Any) -> Any:
        rate = events * factor
        return v0 * (_geometric(rate, end) - (0.0 if start is ZERO else _geometric(rate, start)))

    def flat(start: Any, end: Any) -> Any:
        return _geometric(money, end) - (0.0 if start is ZERO else _geometric(money, start))

    prompted_rest = costs["prompted"] - costs["prompted_inference"]

    def totals_with(after: dict[str, Any], fixed: Any) -> Any:
        """The three totals, stacked, with `after[router]` euros per event after routing and `fixed` euros of
        the handling's own one-off and monthly costs."""

        def prompted(start: Any, end: Any) -> Any:
            return (
                costs["prompted_inference"] * volume(price, start, end)
                + (prompted_rest + after["prompted"]) * volume(1.0, start, end)
                + v["prompted_monthly"] / DAYS_PER_MONTH * flat(start, end)
            )

        def human(start: Any, end: Any) -> Any:
            return (costs["human"] + after["human"]) * volume(1.0, start, end)

        totals = {
            "human": fixed + human(ZERO, horizon),
            "prompted": fixed + v["prompted_one_off"] + prompted(ZERO, horizon),
        }
        # while the fine-tuned model is not live, the cheaper other option keeps running
        waiting = np.minimum(human(ZERO, delay), prompted(ZERO, delay))
        live = (costs["finetuned"] + after["finetuned"]) * served
        live = live + v["finetuned_monthly"] / DAYS_PER_MONTH * flat(delay, horizon)
        totals["finetuned"] = fixed + v["investment"] + waiting + live
        return np.stack(np.broadcast_arrays(*(totals[key] for key in model.OPTION_KEYS)), axis=-1)

    served = volume(1.0, delay, horizon)  # events the fine-tuned model handles after go-live
    chosen: dict[str, Any] = {}
    if not _layered(v):
        stacked = totals_with(dict.fromkeys(model.OPTION_KEYS, 0.0), 0.0)
    else:
        specialist, _, with_agent = _layer2_costs(v)
        by_specialists = totals_with(dict.fromkeys(model.OPTION_KEYS, specialist), 0.0)
        agent_fixed = v["agent_investment"] + v["agent_monthly"] / DAYS_PER_MONTH * flat(ZERO, horizon)
        by_agent = totals_with(with_agent, agent_fixed)
        if agent:
            fixed = np.stack(
                np.broadcast_arrays(*(np.asarray(agent[key], dtype=bool) for key in model.OPTION_KEYS)), -1
            )
            cheaper = np.broadcast_to(fixed, np.broadcast_shapes(fixed.shape, by_agent.shape))
        else:
            cheaper = by_agent < by_specialists  # ties: specialists, the plainer setup
        stacked = np.where(cheaper, by_agent, by_specialists)
        chosen = {key: _plain(cheaper[..., k]) for k, key in enumerate(model.OPTION_KEYS)}
    if not np.all(np.isfinite(stacked)):
        raise NoAnswerError(
            "the total costs overflow: an input is too large for the costs over the horizon to be computed "
            f"(beyond {np.finfo(float).max:.3g} euros)"
        )
    best_other = np.minimum(stacked[..., 0], stacked[..., 1])
    return Outcome(
        total_costs={key: _plain(stacked[..., k]) for k, key in enumerate(model.OPTION_KEYS)},
        choice=_plain(model.cheapest(stacked)),
        net_savings=_plain(best_other - stacked[..., 2]),
        against=_plain(np.where(stacked[..., 1] < stacked[..., 0], 1, 0)),
        finetuned_events=_plain(np.broadcast_to(served, best_other.shape)),
        agent=chosen,
    )


def _layered(v: Mapping[str, Any]) -> bool:
    """True when any second-layer input is set (not 0): the totals then include handling after routing."""
    return any(np.any(v[name] != 0) for name in LAYER2_INPUTS)


def _layer2_costs(v: Mapping[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Euros per event after routing: a specialist's, the agent's all in, and with the agent per router (the
    agent handles the routine events routed fully correct, see `ftxl.second_layer`)."""
    specialist = second_layer.specialist_cost_of(v["specialist_minutes"], v["specialist_hourly_cost"])
    agent = second_layer.agent_all_in_of(
        v["agent_cost"], v["agent_error_rate"], v["agent_error_cost"], v["agent_review_share"], v["agent_review_cost"]
    )
    with_agent = {
        key: second_layer.with_agent_cost(v["routine_share"], v[f"{key}_full_route_accuracy"], agent, specialist)
        for key in model.OPTION_KEYS
    }
    return specialist, agent, with_agent


def after_routing_costs(inputs: Inputs) -> dict[str, Any]:
    """Euros per event after routing of each router with the handling the outcome chose for it (empty without a
    second layer)."""
    v = _complete(inputs)
    chosen = outcome(v).agent
    if not chosen:
        return {}
    specialist, _, with_agent = _layer2_costs(v)
    return {key: _plain(np.where(chosen[key], with_agent[key], specialist)) for key in model.OPTION_KEYS}


def routing_point_value(inputs: Inputs) -> Any:
    """Euros per event one point (0.01) of full-route accuracy is worth downstream with the agent: routine share
    x 0.01 x (specialist cost - agent all-in cost); 0 without a second layer."""
    v = _complete(inputs)
    specialist, agent, _ = _layer2_costs(v)
    return _plain(second_layer.point_value(v["routine_share"], specialist, agent))


HANDLING_WORDS = {"agent": " + agent", "specialists": ", specialists only", "none": ""}
"""What a decision's words add for the handling after routing ("none": no second layer)."""


def handling(result: Outcome, key: str) -> str:
    """How router `key` hands events on: "agent", "specialists", or "none" without a second layer. One scenario."""
    if not result.agent:
        return "none"
    return "agent" if bool(result.agent[key]) else "specialists"


def decision_words(result: Outcome) -> str:
    """The decision in words, naming the handling after routing when there is a second layer: "Fine-tune",
    "Fine-tune + agent", "Prompt the API model, specialists only". One scenario."""
    key = model.OPTION_KEYS[int(result.choice)]
    return model.VERDICTS[key] + HANDLING_WORDS[handling(result, key)]


CURVE_LIMIT_DAYS = 36_500
"""Break-even and payback are looked for up to 100 years; later than that is "never" (infinity)."""


def cost_curves(inputs: Inputs, days: Any) -> dict[str, Any]:
    """Each option's cumulative cost at each of `days` (one-off costs at day 0, discounted when a rate is
    set): "human", "prompted", "finetuned" -> euros, shaped like `days` (inputs must be single values)."""
    at = np.asarray(days, dtype=float)
    return dict(outcome(inputs, horizon_days=at).total_costs)


def npv(inputs: Inputs) -> Any:
    """Euros: net present value of fine-tuning against the best other option over the horizon, one-off costs
    included (with no discount rate: the net savings)."""
    return outcome(inputs).net_savings


def breakeven_day(inputs: Inputs, discounted: bool = False) -> float:
    """The first day fine-tuning's cumulative savings against the best other option over the horizon reach its
    one-off costs, interpolated within the day (flows are linear within a day): with constant flows,
    investment / daily saving exactly. The option compared with is the one of the decision (`Outcome.against`),
    the same on every day. Undiscounted unless `discounted` (the discounted payback). Infinity when it takes more
    than 100 years. One scenario (single values)."""
    values = _complete(inputs)
    if any(np.ndim(v) for v in values.values()):
        raise InputError("breakeven_day takes one scenario: give single values")
    against = model.OPTION_KEYS[int(outcome(values).against)]
    if not discounted:
        values["discount_rate"] = np.asarray(0.0)
    golive = float(values["golive_delay_days"])

    def net_at(days: np.ndarray) -> np.ndarray:
        return cumulative_net(values, days, against)

    # the horizon first (where nearly every break-even lies), then the rest of the 100 years: memory stays small
    first = min(CURVE_LIMIT_DAYS, int(np.ceil(float(values["horizon_days"]))) + 1)
    blocks = [
        (0, first),
        *((d, min(d + CURVE_BLOCK_DAYS, CURVE_LIMIT_DAYS)) for d in range(first, CURVE_LIMIT_DAYS, CURVE_BLOCK_DAYS)),
    ]
    for start, stop in blocks:
        # whole days and the go-live day: between them the cumulative flows are linear
        days = np.arange(float(max(start - 1, 0)), float(stop + 1))
        if days[0] < golive < days[-1]:
            days = np.union1d(days, [golive])
        net = net_at(days)
        reached = np.flatnonzero(net >= 0)
        if reached.size:
            k = int(reached[0])
            if days[k] == 0:
                return 0.0
            low, high = float(days[k - 1]), float(days[k])
            if high <= golive:  # while waiting, the cheaper other option may change within the day: bisect
                for _ in range(60):
                    middle = (low + high) / 2
                    low, high = (middle, high) if net_at(np.array([middle]))[0] < 0 else (low, middle)
                return high
            before, after = net[k - 1], net[k]
            return float(low + (high - low) * (-before) / (after - before))
    return float("inf")


def cumulative_net(inputs: Inputs, days: Any, against: str) -> np.ndarray:
    """Euros at each of `days`: the cumulative cost of `against` ("human" or "prompted") minus fine-tuning's,
    one-off costs included (discounted when a rate is set). One scenario."""
    handling = outcome(inputs).agent  # a second layer's handling is the one chosen over the horizon
    totals = outcome(inputs, horizon_days=days, agent=handling).total_costs
    return np.asarray(totals[against], dtype=float) - np.asarray(totals["finetuned"], dtype=float)


CURVE_BLOCK_DAYS = 4096
"""Days of the cumulative curve evaluated at once past the horizon, looking for a late break-even."""


def discounted_payback(inputs: Inputs) -> float:
    """Days until fine-tuning's discounted cumulative savings reach its one-off costs (see `breakeven_day`)."""
    return breakeven_day(inputs, discounted=True)


def _in_order(names: Mapping[str, Any]) -> list[str]:
    """The input names in the order of `INPUTS` (an unknown one is named)."""
    order = list(INPUTS)
    unknown = sorted(set(names) - set(order))
    if unknown:
        raise InputError(f"unknown input {unknown[0]!r}: the inputs are {', '.join(INPUTS)}")
    return sorted(names, key=order.index)


def _plain(value: Any) -> Any:
    return value.item() if np.ndim(value) == 0 else value


def complete_inputs(inputs: Inputs) -> dict[str, Any]:
    """The inputs with the time-related defaults filled in, as arrays; a missing required one or an unknown one
    is named."""
    return _complete(inputs)


class _Completed(dict):  # type: ignore[type-arg]
    """Inputs `_complete` has checked and filled in already: a second check is a copy."""


def _complete(inputs: Inputs) -> dict[str, Any]:
    """The inputs with the time-related defaults filled in; a missing required one or an unknown one is named,
    and so is a value outside its valid range (the template's checks rules)."""
    if isinstance(inputs, _Completed):
        return _Completed(inputs)
    _in_order(inputs)  # names an unknown input
    missing = [name for name in INPUTS if name not in inputs and name not in OPTIONAL_INPUTS]
    if missing:
        raise InputError(f"input {missing[0]!r} is missing")
    values = _Completed({name: np.asarray(inputs.get(name, INPUTS[name]), dtype=float) for name in INPUTS})
    if all(value.ndim == 0 for value in values.values()):  # one scenario: the same checks, in plain Python
        for name, value in values.items():
            _check_single(name, float(value))
        return values
    for name, value in values.items():
        if name in COST_OVERRIDES:
            if np.any(np.isinf(value)) or np.any(value < 0):
                raise InputError(f"{name} must be a cost of 0 or more")
            continue
        if not np.all(np.isfinite(value)):
            raise InputError(f"{name} holds a value that is not a finite number")
        low, low_open, high = _RULES.get(name, (0.0, False, np.inf))
        broken = (value <= low) if low_open else (value < low)
        if high < np.inf:
            broken = broken | (value > high)
        if np.any(broken):
            bad = float(np.asarray(value)[broken].reshape(-1)[0]) if np.ndim(value) else float(value)
            rule = _RULE_WORDS.get(name, "must be 0 or more")
            raise InputError(f"{name} = {bad:g} {rule}")
    return values


def _check_single(name: str, value: float) -> None:
    """The checks of `_complete` for one number."""
    if name in COST_OVERRIDES:
        if math.isinf(value) or value < 0:
            raise InputError(f"{name} must be a cost of 0 or more")
        return
    if not math.isfinite(value):
        raise InputError(f"{name} holds a value that is not a finite number")
    low, low_open, high = _RULES.get(name, (0.0, False, math.inf))
    if (value <= low if low_open else value < low) or value > high:
        raise InputError(f"{name} = {value:g} {_RULE_WORDS.get(name, 'must be 0 or more')}")


_RULES: dict[str, tuple[float, bool, float]] = {
    "events_per_day": (0.0, True, np.inf),
    "horizon_days": (0.0, True, np.inf),
    **{name: (-1.0, True, np.inf) for name in ("volume_growth", "api_price_change", "discount_rate")},
    **{name: (0.0, False, 1.0) for name in INPUTS if name.endswith(("_accuracy", "_review_share"))},
    **{name: (0.0, False, 1.0) for name in ("routine_share", "agent_error_rate")},
}
"""Valid values of each input, the template's checks rules: (lowest, whether the lowest itself is refused,
highest). Every other input is a cost, a time or a count of 0 or more."""
_RULE_WORDS = {
    **{name: "must be between 0 and 1" for name in ("routine_share", "agent_error_rate", "agent_review_share")},
    "events_per_day": "must be above 0",
    "horizon_days": "must be above 0",
    **{name: "must be above -100%" for name in ("volume_growth", "api_price_change", "discount_rate")},
    **{name: "must lie between 0% and 100%" for name in INPUTS if name.endswith(("_accuracy", "_review_share"))},
}


def base_inputs(case: Any) -> dict[str, float]:
    """The analysis inputs of a `ftxl.use_case.UseCase` (its bucket costs as one day of delay each)."""
    if case.human is None:
        raise InputError("the analysis compares three options: give the use case a human option")
    values = {
        "events_per_day": case.events_per_day,
        "horizon_days": case.horizon_days,
        "handling_seconds": case.handling_seconds,
        "hourly_cost": case.hourly_wage,
        "delay_cost_per_day": 1.0,
        "days_lost_wrong_department": case.cost_wrong_department,
        "days_lost_wrong_subclass": case.cost_wrong_subclass,
        "prompted_unit_cost": case.prompted.unit_cost,
        "finetuned_unit_cost": case.finetuned.unit_cost,
        "investment": case.investment,
    }
    for key, option in (("human", case.human), ("prompted", case.prompted), ("finetuned", case.finetuned)):
        values |= {f"{key}_{name}": float(getattr(option, name)) for name in OPTION_INPUTS}
    return {name: float(value) for name, value in values.items()}


def example_ranges() -> dict[str, tuple[float, float, float]]:
    """Low / Base / High of the insurance example, as on the template's Inputs sheet."""
    return {
        name: tuple(float(x) for x in values)  # type: ignore[misc]
        for name, values in INSURANCE_RANGES.items()
        if name in INPUTS and not isinstance(values[0], str)
    }


# --- what flips the decision ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One input of a tornado: fine-tuning's net savings with that input at Low and at High."""

    name: str
    low: float
    high: float

    @property
    def swing(self) -> float:
        return abs(self.high - self.low)


def tornado(ranges: Mapping[str, tuple[float, float, float]]) -> list[Bar]:
    """Each ranged input at its Low and its High, every other at Base, sorted by swing (largest first).

    The outcome is fine-tuning's net savings against the best other option over the horizon (the NPV
    when a discount rate is set). All 2 x k scenarios are one vectorised evaluation.
    """
    base = {name: lbh[1] for name, lbh in ranges.items()}
    ranged = [name for name in _in_order(ranges) if ranges[name][0] != ranges[name][2]]
    if not ranged:
        return []
    count = 2 * len(ranged)
    scenarios = {name: np.full(count, value) for name, value in base.items()}
    for k, name in enumerate(ranged):
        scenarios[name][2 * k] = ranges[name][0]
        scenarios[name][2 * k + 1] = ranges[name][2]
    net = np.asarray(outcome(scenarios).net_savings, dtype=float)
    bars = [Bar(name, float(net[2 * k]), float(net[2 * k + 1])) for k, name in enumerate(ranged)]
    return sorted(bars, key=lambda bar: -bar.swing)


def extremes(ranges: Mapping[str, tuple[float, float, float]]) -> tuple[dict[str, float], dict[str, float]]:
    """The worst and the best case for fine-tuning: each input at the end of its range that, moved alone from
    Base, lowers (raises) fine-tuning's net savings.

    Inputs interact (volume scales a saving whose sign other inputs set), so those ends together may, rarely,
    not be worse (better) than Base. Then the case is built input by input instead, largest swing first, each
    at the end of its range (or Base) that hurts (helps) most given the inputs already moved: net savings only
    fall (rise) on the way, so worst <= Base <= best always holds."""
    base = {name: lbh[1] for name, lbh in ranges.items()}
    worst, best = dict(base), dict(base)
    bars = tornado(ranges)
    for bar in bars:
        low, _, high = ranges[bar.name]
        worst[bar.name], best[bar.name] = (low, high) if bar.low <= bar.high else (high, low)
    if bars:
        net = np.asarray(outcome({n: np.array([worst[n], base[n], best[n]]) for n in base}).net_savings, dtype=float)
        if net[0] > net[1]:
            worst = _step_by_step(ranges, bars, sign=1.0)
        if net[2] < net[1]:
            best = _step_by_step(ranges, bars, sign=-1.0)
    return worst, best


def _step_by_step(ranges: Mapping[str, tuple[float, float, float]], bars: list[Bar], sign: float) -> dict[str, float]:
    """From Base, each input in turn (largest swing first) at whichever of Low, its value so far and High makes
    sign x net savings smallest, the others as moved so far."""
    case = {name: lbh[1] for name, lbh in ranges.items()}
    for bar in bars:
        low, _, high = ranges[bar.name]
        candidates = np.array([case[bar.name], low, high])
        scenario = {name: np.full(3, value) for name, value in case.items()} | {bar.name: candidates}
        net = sign * np.asarray(outcome(scenario).net_savings, dtype=float)
        case[bar.name] = float(candidates[int(np.argmin(net))])  # ties keep the value so far
    return case


DOMAINS: dict[str, tuple[float, float]] = {
    name: (0.0, 1.0) for name in INPUTS if name.endswith(("_accuracy", "_review_share"))
} | {"volume_growth": (-0.99, 10.0), "api_price_change": (-0.99, 10.0), "discount_rate": (0.0, 10.0)}
DOMAINS |= {"routine_share": (0.0, 1.0), "agent_error_rate": (0.0, 1.0)}
"""Valid values of inputs that are not simply 0 or more; accuracies also keep full-route <= top-level."""
SEARCH_SPAN = 1e4
"""An unbounded input is searched up to this many times its Base (or this many units when Base is 0)."""


@dataclass(frozen=True)
class Switch:
    """Where the decision changes as one input moves alone from Base (the nearest point on each side)."""

    name: str
    below: float | None
    above: float | None
    domain: tuple[float, float]

    def __str__(self) -> str:
        found = [f"{value:,.6g}" for value in (self.below, self.above) if value is not None]
        return " and ".join(found) if found else f"none in [{self.domain[0]:g}, {self.domain[1]:g}]"


def switch_values(base: Inputs, names: list[str] | None = None, points: int = 400) -> list[Switch]:
    """For each input (default: every one), the values nearest to Base at which the decision changes.

    Vectorised over every input and side at once: a grid of `points` per side in one evaluation, then
    each change of decision narrowed by bisection (all together) to 1e-9 of the value.
    """
    values = _complete(base)
    chosen = names or [name for name in INPUTS if name not in COST_OVERRIDES]
    decided = int(np.asarray(outcome(values).choice).reshape(-1)[0])
    sides = []  # (name, center, end) for each input and side that can move
    domains = {}
    layered = _layered(values)
    for name in chosen:
        center = float(values[name])
        domains[name] = _domain(name, values)
        if name in LAYER2_INPUTS and not layered:
            continue  # moved alone, one input of an empty second layer changes no total: no switch value
        sides += [(name, center, end) for end in domains[name] if end != center]
    found: dict[tuple[str, int], float] = {}
    if sides:
        grids = np.stack([np.linspace(center, end, points + 1)[1:] for _, center, end in sides])
        choices = _decisions_of(values, [name for name, _, _ in sides], grids)
        changed = choices != decided
        rows = np.flatnonzero(changed.any(axis=1))
        first = changed.argmax(axis=1)[rows]
        centers = np.array([center for _, center, _ in sides])
        inside = np.where(first == 0, centers[rows], grids[rows, np.maximum(first - 1, 0)])
        outside = grids[rows, first]
        moving = [sides[r][0] for r in rows]
        steps = np.linspace(0.0, 1.0, SUBDIVISIONS + 1)[1:-1]
        for _ in range(200):  # `inside` keeps the Base decision, `outside` does not: narrowed 16-fold a round
            if np.all(np.abs(outside - inside) <= 1e-9 * np.maximum(1.0, np.abs((inside + outside) / 2))):
                break
            probes = inside[:, None] + (outside - inside)[:, None] * steps[None, :]
            keeps = _decisions_of(values, moving, probes) == decided
            # the first point that no longer keeps it (or `outside`): the change lies just before it
            first_off = np.where(keeps.all(axis=1), len(steps), keeps.argmin(axis=1))
            rows_k = np.arange(len(inside))
            new_outside = np.where(
                first_off < len(steps), probes[rows_k, np.minimum(first_off, len(steps) - 1)], outside
            )
            new_inside = np.where(first_off > 0, probes[rows_k, np.maximum(first_off - 1, 0)], inside)
            inside, outside = new_inside, new_outside
        for row, value in zip(rows, (inside + outside) / 2, strict=True):
            name, center, end = sides[row]
            found[(name, 0 if end < center else 1)] = float(value)
    return [Switch(name, found.get((name, 0)), found.get((name, 1)), domains[name]) for name in chosen]


SUBDIVISIONS = 16
"""Pieces each round of the switch-value search cuts its interval into (one vectorised evaluation a round)."""


def _decisions_of(values: dict[str, Any], names: list[str], grids: np.ndarray) -> np.ndarray:
    """The decision with input names[k] at each value of grids[k], every other input at `values`: one
    evaluation of all rows together, shaped like `grids`."""
    scenario = {name: np.full(grids.shape, float(value)) for name, value in values.items()}
    for row, name in enumerate(names):
        scenario[name][row] = grids[row]
    return np.asarray(outcome(scenario).choice).reshape(grids.shape)


def _domain(name: str, values: dict[str, Any]) -> tuple[float, float]:
    low, high = DOMAINS.get(name, (0.0, np.inf))
    if name.endswith("_top_level_accuracy"):
        low = float(values[name.replace("_top_level_", "_full_route_")])
    if name.endswith("_full_route_accuracy"):
        high = float(values[name.replace("_full_route_", "_top_level_")])
    if name in ("events_per_day", "horizon_days"):
        low = 1e-9
    if np.isinf(high):
        high = max(float(values[name]) * SEARCH_SPAN, SEARCH_SPAN)
    return low, high


# --- how likely it is ----------------------------------------------------------------------------


DEFAULT_DRAWS = 10_000
"""Monte Carlo draws unless asked otherwise: the same in the workbook, the Excel function and the command line,
so that one case gives one p5 everywhere."""


MAX_DRAWS = 10_000_000
"""The most Monte Carlo draws one run takes (about 1.5 GB of draws and totals; more adds nothing a decision needs)."""


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo over the input ranges: how likely fine-tuning wins, and the spread of what it is worth."""

    draws: int
    p_finetune_cheapest: float
    p_breakeven_within_horizon: float
    mean: float
    percentiles: dict[int, float]
    """5, 10, 50, 90, 95 -> euros of fine-tuning's net savings (NPV with a rate)."""
    evpi: float
    """Euros: the expected value of perfect information about every input for the decision."""
    evppi: dict[str, float] = field(default_factory=dict)
    """Euros per input: the expected value of learning it before deciding (`ftxl.value_of_information`)."""
    evppi_noise: float = 0.0
    """Euros an input unrelated to the costs gets from the same draws: the EVPPI estimator's noise floor."""
    bins: list[tuple[float, float, float]] = field(default_factory=list)
    """The spread of the same draws' net savings: equal bins from the smallest to the largest draw, each
    (from, to, share of the draws)."""


def draw(
    ranges: Mapping[str, tuple[float, float, float]], draws: int, seed: int = 0, distribution: str = "pert"
) -> dict[str, np.ndarray]:
    """`draws` independent values of each input from PERT (or triangular, or uniform on Low..High) on (Low, Base,
    High), seeded.

    A degenerate range (Low = High) is a constant.
    """
    if distribution not in ("pert", "triangular", "uniform"):
        raise InputError(f"distribution = {distribution!r}: choose pert, triangular or uniform")
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not 1 <= draws <= MAX_DRAWS:
        raise InputError(f"draws = {draws!r} must be a whole number from 1 to {MAX_DRAWS:,}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed = {seed!r} must be a whole number, 0 or more")
    rng = np.random.default_rng(seed)
    drawn = {}
    for name in _in_order(ranges):  # the same ranges draw the same values, in whatever order they come
        low, mode, high = ranges[name]
        if not low <= mode <= high:
            raise InputError(f"{name}: Low {low:g}, Base {mode:g}, High {high:g} must be in that order")
        if low == high:
            drawn[name] = np.full(draws, float(mode))
        elif distribution == "triangular":
            drawn[name] = rng.triangular(low, mode, high, draws)
        elif distribution == "uniform":  # every value from Low to High alike; Base only orders the range
            drawn[name] = rng.uniform(low, high, draws)
        else:  # PERT: a beta distribution on [low, high] with mean (low + 4 mode + high) / 6
            alpha = 1 + 4 * (mode - low) / (high - low)
            beta = 1 + 4 * (high - mode) / (high - low)
            drawn[name] = low + (high - low) * rng.beta(alpha, beta, draws)
    return drawn


def simulate(
    ranges: Mapping[str, tuple[float, float, float]],
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    distribution: str = "pert",
    progress: Callable[[int, int], None] | None = None,
    bins: int = 20,
) -> Simulation:
    """Draw every input, evaluate the draws (in chunks, calling `progress(done, draws)` after each), and
    summarise (see `Simulation`). The result does not depend on the chunking."""
    drawn = draw(ranges, draws, seed, distribution)
    net, choice = np.empty(draws), np.empty(draws, dtype=int)
    totals = np.empty((draws, len(model.OPTION_KEYS)))
    for start in range(0, draws, SIMULATION_CHUNK):
        stop = min(start + SIMULATION_CHUNK, draws)
        part = {name: np.broadcast_to(value, (draws,))[start:stop] for name, value in drawn.items()}
        result = outcome(part)
        net[start:stop] = np.broadcast_to(np.asarray(result.net_savings, dtype=float), (stop - start,))
        choice[start:stop] = np.broadcast_to(np.asarray(result.choice), (stop - start,))
        for k, key in enumerate(model.OPTION_KEYS):
            totals[start:stop, k] = np.broadcast_to(result.total_costs[key], (stop - start,))
        if progress is not None:
            progress(stop, draws)
    breakeven = net >= 0
    # where daily savings may change sign and the horizon ends below break-even, follow the curve day by day
    # (ending at or above it is a break-even within the horizon already)
    turning = _may_turn(drawn, draws) & ~breakeven
    if turning.any():
        breakeven[turning] = _breaks_even({name: np.broadcast_to(v, (draws,))[turning] for name, v in drawn.items()})
    return Simulation(
        draws=draws,
        p_finetune_cheapest=float(np.mean(choice == 2)),
        p_breakeven_within_horizon=float(np.mean(breakeven)),
        mean=float(np.sum(net / draws)),  # divided first: a sum of large savings does not overflow
        percentiles={p: float(np.percentile(net, p)) for p in (5, 10, 50, 90, 95)},
        evpi=_value_of_information(totals),
        evppi=value_of_information.evppi({name: drawn[name] for name in drawn if name in ranges}, totals),
        evppi_noise=value_of_information.noise_floor(totals, seed),
        bins=_bins(net, bins),
    )


SIMULATION_CHUNK = 50_000
"""Draws evaluated together: bounded memory (about 100 MB a chunk) and steps for a progress bar."""


def _value_of_information(totals: np.ndarray) -> float:
    """Euros: the expected cost of deciding now (the option cheapest on average) minus that of deciding each
    draw with perfect information; rounding noise of the sums (below a millionth of the costs) is 0."""
    n = len(totals)
    value = float((totals / n).sum(axis=0).min() - (totals.min(axis=-1) / n).sum())
    return value if value > 1e-12 * float((np.abs(totals) / totals.size).sum()) else 0.0


def distribution(
    ranges: Mapping[str, tuple[float, float, float]],
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    distribution: str = "pert",
    bins: int = 20,
) -> list[tuple[float, float, float]]:
    """The spread of fine-tuning's net savings over the draws of `simulate` (its `bins`)."""
    return simulate(ranges, draws, seed, distribution, bins=bins).bins


def _bins(net: np.ndarray, bins: int) -> list[tuple[float, float, float]]:
    """`bins` equal bins with round edges (a step of 1, 2, 2.5 or 5 times a power of ten) that cover every draw
    of `net`, each (from, to, share); bins past the largest draw hold no share."""
    low, high = float(net.min()), float(net.max())
    if not np.isfinite(high - low):
        raise NoAnswerError("the net savings of the draws span more than a float holds: an input is too large")
    if high == low:
        return [(low, high, 1.0)] + [(high, high, 0.0)] * (bins - 1)
    step, start = _round_step((high - low) / bins), 0.0
    for _ in range(60):  # a step that covers the draws from a round start; rarely a second try
        start = np.floor(low / step) * step
        if start + bins * step >= high:
            break
        step = _round_step(step * 1.0000001)
    edges = start + step * np.arange(bins + 1)
    counts, _ = np.histogram(net, bins=edges)
    return [(float(edges[k]), float(edges[k + 1]), float(counts[k] / net.size)) for k in range(bins)]


def _round_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 and 10 times a power of ten that is at least `raw`."""
    power = 10.0 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw))


def _may_turn(drawn: dict[str, np.ndarray], draws: int) -> np.ndarray:
    """Draws whose daily savings may change sign within the horizon (a changing API price, or growth with
    monthly costs). Elsewhere cumulative savings only move one way after go-live, so fine-tuning breaks even
    within the horizon exactly when its net savings at the horizon are 0 or more."""

    def given(name: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(drawn.get(name, 0.0)), (draws,)) != 0

    monthly = given("prompted_monthly") | given("finetuned_monthly")
    return given("api_price_change") | (given("volume_growth") & monthly)


def _breaks_even(drawn: dict[str, np.ndarray], chunk: int = 2048, block: int = 512) -> np.ndarray:
    """Per draw: do fine-tuning's cumulative savings against its best other option (the one over the horizon)
    reach its one-off costs on some day of the horizon? Followed in blocks of `block` days for `chunk` draws at
    a time (whole days, the go-live day and the horizon: the curve is linear between them), so memory does not
    grow with the horizon."""
    draws = len(next(iter(drawn.values())))
    found = np.zeros(draws, dtype=bool)
    for start in range(0, draws, chunk):
        part = {name: value[start : start + chunk, None] for name, value in drawn.items()}
        horizon = part["horizon_days"]
        against = np.asarray(outcome(part).against).reshape(-1, 1)
        golive = np.minimum(np.broadcast_to(part.get("golive_delay_days", 0.0), horizon.shape), horizon)
        reached = np.zeros(horizon.shape[0], dtype=bool)
        last = int(np.ceil(np.max(horizon)))
        for first in range(0, last + 1, block):
            days = np.minimum(np.arange(first, min(first + block, last + 1), dtype=float)[None, :], horizon)
            days = np.concatenate([days, golive, horizon], axis=1)  # the kinks, each block (cheap, and simple)
            totals = outcome(part, horizon_days=days).total_costs
            other = np.where(against == 0, totals["human"], totals["prompted"])
            reached |= (np.asarray(other - totals["finetuned"]) >= 0).any(axis=-1)
            if reached.all():
                break
        found[start : start + chunk] = reached
    return found
