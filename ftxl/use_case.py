"""A whole comparison at once: human process, prompted model and fine-tuned model for one use case.

`evaluate` runs the model functions over a `UseCase` and returns every figure the
results table, the template and the summary show. It holds no formula of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import model

BUCKETS = ("correct", "wrong subclass", "wrong department")


@dataclass(frozen=True)
class Option:
    """One way of handling the events: accuracies and what each event costs to process.

    ``unit_cost`` is the inference and ops cost per event in euros, or for the human
    process the handling cost (see `UseCase.human_handling_cost`).
    """

    name: str
    top_level_accuracy: float
    full_route_accuracy: float
    unit_cost: float
    review_share: float = 0.0
    review_cost: float = 0.0


@dataclass(frozen=True)
class UseCase:
    """The assumptions of one decision: volume, labour, error costs, options and investment."""

    name: str
    events_per_day: float
    horizon_days: float
    handling_seconds: float
    hourly_wage: float
    cost_wrong_subclass: float
    cost_wrong_department: float
    prompted: Option
    finetuned: Option
    investment: float
    human: Option | None = None

    @property
    def human_handling_cost(self) -> float:
        """Euros of labour per event handled by a person."""
        return float(model.human_cost_per_event(self.handling_seconds, self.hourly_wage))

    @property
    def events(self) -> float:
        """Events over the horizon, N = V x H."""
        return self.events_per_day * self.horizon_days

    @property
    def bucket_costs(self) -> tuple[float, float, float]:
        """Euros per event in each bucket (correct, wrong subclass, wrong department)."""
        return (0.0, self.cost_wrong_subclass, self.cost_wrong_department)


@dataclass(frozen=True)
class OptionResult:
    """Per-event figures of one option, in euros (shares as fractions)."""

    name: str
    shares: tuple[float, float, float]
    unit_cost: float
    error_cost: float
    review_cost: float
    cost_per_event: float
    cost_per_day: float


@dataclass(frozen=True)
class Evaluation:
    """Every figure of a use case: per option, and fine-tuning against the best other option.

    The best other option (`against`) is whichever of the human process and the prompted model costs less
    over the horizon (ties: the human process; without a human option, the prompted model). Every figure on
    "does fine-tuning pay, and how much may it cost" is measured against it, as the decision is: the seed's
    closed forms of `ftxl.model` with that option's cost per event in place of the prompted model's.
    """

    use_case: UseCase
    options: list[OptionResult]
    against: str
    """"human" or "prompted": the option fine-tuning is measured against."""
    saving_per_event: float
    """Euros per event: the best other option's all-in cost minus the fine-tuned model's."""
    saving_per_day: float
    breakeven_days: float
    net_savings: float
    max_ft_investment: float
    """Also the gross savings over the horizon: the largest one-off investment that pays."""
    max_cost_premium: float
    """Largest inference cost per event above the prompted model's the fine-tuned model may carry (review costs
    included): at this premium fine-tuning and the best other option cost the same over the horizon."""
    actual_cost_premium: float
    """The fine-tuned model's inference cost per event minus the prompted model's."""
    amortized_cost_per_event: float
    max_finetuned_unit_cost: float
    """Largest inference cost per event the fine-tuned model may carry: the prompted one's plus the premium."""
    max_investment_same_unit_cost: float
    """The largest investment if the fine-tuned model cost as much to run per event as the prompted one."""
    decision: model.Decision
    """The option with the lowest total cost over the horizon (the human process only when `human` is set)."""

    def option(self, name: str) -> OptionResult:
        """The figures of the option called `name`."""
        return next(o for o in self.options if o.name == name)


def _option_result(case: UseCase, option: Option) -> OptionResult:
    shares = model.error_shares(option.top_level_accuracy, option.full_route_accuracy)
    error_cost = float(model.expected_error_cost(shares, case.bucket_costs))
    total = float(model.cost_per_event(error_cost, option.unit_cost, option.review_share, option.review_cost))
    return OptionResult(
        name=option.name,
        shares=(float(shares[0]), float(shares[1]), float(shares[2])),
        unit_cost=option.unit_cost,
        error_cost=error_cost,
        review_cost=option.review_share * option.review_cost,
        cost_per_event=total,
        cost_per_day=total * case.events_per_day,
    )


def evaluate(case: UseCase) -> Evaluation:
    """Compute every option's cost per event and the fine-tuning economics of `case` against its best other
    option."""
    options = [case.human] if case.human else []
    results = [_option_result(case, o) for o in [*options, case.prompted, case.finetuned]]
    prompted, finetuned = results[-2], results[-1]
    decision = model.decide(
        case.events,
        prompted.cost_per_event,
        finetuned.cost_per_event,
        case.investment,
        results[0].cost_per_event if case.human else None,
    )
    other = results[0] if case.human and decision.total_costs["human"] <= decision.total_costs["prompted"] else prompted
    against = "human" if other is not prompted else "prompted"
    c_other, cft = other.cost_per_event, finetuned.cost_per_event
    net = float(model.net_savings(case.events, c_other, cft, case.investment))
    if against == "prompted":  # the seed's closed form, exactly
        premium = float(
            model.max_cost_premium(
                prompted.error_cost,
                finetuned.error_cost,
                case.investment,
                case.events,
                prompted.review_cost,
                finetuned.review_cost,
            )
        )
    else:
        premium = finetuned.unit_cost + net / case.events - prompted.unit_cost
    same_unit_saving = c_other - (prompted.unit_cost + finetuned.error_cost + finetuned.review_cost)
    return Evaluation(
        use_case=case,
        options=results,
        against=against,
        saving_per_event=c_other - cft,
        saving_per_day=(c_other - cft) * case.events_per_day,
        breakeven_days=float(model.breakeven_days(case.investment, case.events_per_day, c_other, cft)),
        net_savings=net,
        max_ft_investment=float(model.max_ft_investment(case.events, c_other, cft)),
        max_cost_premium=premium,
        actual_cost_premium=finetuned.unit_cost - prompted.unit_cost,
        amortized_cost_per_event=float(model.amortized_cost_per_event(cft, case.investment, case.events)),
        max_finetuned_unit_cost=prompted.unit_cost + premium,
        max_investment_same_unit_cost=float(
            model.max_ft_investment(
                case.events,
                prompted.error_cost + prompted.review_cost,
                finetuned.error_cost + finetuned.review_cost,
            )
        )
        if against == "prompted"
        else case.events * same_unit_saving,
        decision=decision,
    )


def insurance_example(horizon_days: float = 180) -> UseCase:
    """The worked example: email triage at a mid-sized insurer (100 routes, 10 departments).

    A day of avoidable delay costs 4 euros; a wrong department loses 2 days, a wrong
    subclass half a day.
    """
    delay_cost_per_day = 4.0
    handling_seconds, hourly_wage = 30.0, 20.0
    return UseCase(
        name="Insurance email triage",
        events_per_day=5000,
        horizon_days=horizon_days,
        handling_seconds=handling_seconds,
        hourly_wage=hourly_wage,
        cost_wrong_subclass=0.5 * delay_cost_per_day,
        cost_wrong_department=2 * delay_cost_per_day,
        human=Option("human", 0.95, 0.80, float(model.human_cost_per_event(handling_seconds, hourly_wage))),
        prompted=Option("prompted model", 0.98, 0.93, 0.06),
        finetuned=Option("fine-tuned model", 0.99, 0.96, 0.015),
        investment=40_000.0,
    )


def insurance_ranges() -> dict[str, tuple[float | str, ...]]:
    """Low / Base / High of the insurance example by template input name; Base is the worked example exactly,
    Low and High illustrative ranges around it."""
    case = insurance_example(180)
    options = {"human": case.human, "prompted": case.prompted, "finetuned": case.finetuned}
    values: dict[str, tuple[float | str, ...]] = {
        "events_per_day": (4000, case.events_per_day, 6000),
        "horizon_days": (case.horizon_days,) * 3,
        "handling_seconds": (25, case.handling_seconds, 40),
        "hourly_cost": (18, case.hourly_wage, 24),
        "delay_cost_per_day": (3, 4, 5),
        "days_lost_wrong_department": (1.5, 2, 3),
        "days_lost_wrong_subclass": (0.25, 0.5, 1),
        "investment": (30000, case.investment, 60000),
    }
    spread = {"human": (0.02, 0.05), "prompted": (0.01, 0.02), "finetuned": (0.005, 0.01)}
    for key, option in options.items():
        if option is None:
            continue
        top_step, full_step = spread[key]
        top, full = option.top_level_accuracy, option.full_route_accuracy
        values[f"{key}_top_level_accuracy"] = (round(top - top_step, 4), top, round(min(top + top_step, 0.999), 4))
        values[f"{key}_full_route_accuracy"] = (round(full - full_step, 4), full, round(full + full_step, 4))
        values[f"{key}_review_share"] = (option.review_share,) * 3
        values[f"{key}_review_cost"] = (option.review_cost,) * 3
        values[f"{key}_shares_from"] = ("accuracies",) * 3
    for name in ("prompted_one_off", "prompted_monthly", "finetuned_monthly", "golive_delay_days"):
        values[name] = (0.0, 0.0, 0.0)  # costs over time: none in the worked example
    for name in ("volume_growth", "api_price_change", "discount_rate"):
        values[name] = (0.0, 0.0, 0.0)
    values["prompted_unit_cost"] = (0.05, case.prompted.unit_cost, 0.08)
    values["finetuned_unit_cost"] = (0.012, case.finetuned.unit_cost, 0.02)
    return values


def example_label_log(events: int = 10_000) -> list[tuple[str, str]]:
    """A routing log of the human process that holds the worked example's buckets exactly: 80 / 15 / 5%.

    Ten departments of ten subclasses; of every 20 events, 16 are routed right, 3 to another
    subclass of the right department and 1 to another department.
    """
    log = []
    for i in range(events):
        department, subclass = i % 10, (i // 10) % 10
        outcome = i % 20
        routed_department = (department + 1) % 10 if outcome == 19 else department
        routed_subclass = (subclass + 1) % 10 if outcome in (16, 17, 18) else subclass
        log.append((f"Dept {department}/Sub {subclass}", f"Dept {routed_department}/Sub {routed_subclass}"))
    return log


INSURANCE_RANGES = insurance_ranges()
"""The insurance example's inputs; the delay cost (4 EUR/day), 2 days and half a day give the worked
example's 8 and 2 EUR."""
