"""What the template workbook asks and explains: its inputs, the insurance example's values, the question bank.

Data only; `ftxl.template` lays it out. The insurance example's Low / Base / High inputs
(`EXAMPLE`) live with the use case (`ftxl.use_case.INSURANCE_RANGES`), since the analysis reads
them too; they are marked "estimated" in the question bank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..use_case import INSURANCE_RANGES as EXAMPLE
from ..use_case import example_label_log

__all__ = ["EXAMPLE", "example_label_log"]

SCENARIOS = ("Low", "Base", "High")
OPTIONS = (("human", "Human process"), ("prompted", "Prompted model (API)"), ("finetuned", "Fine-tuned model"))


@dataclass(frozen=True)
class Input:
    """One row of the Inputs sheet: a Low / Base / High triple the user types."""

    name: str
    """Workbook-scope defined name of the row's three cells."""
    label: str
    """What to type, with its unit."""
    kind: str
    """count, days, seconds, money, money_per_event, share: picks format and validation."""
    help: str
    """Input message shown when the cell is selected (Excel allows 255 characters)."""
    example: tuple[float, float, float] | None = None
    optional: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled group of inputs."""

    title: str
    inputs: tuple[Input, ...]


LABEL_SOURCES = ("accuracies", "labels")
"""Where an option's bucket shares come from: its accuracies (and typed shares), or the Labels sheet."""


def _option_inputs(key: str, title: str) -> Section:
    rows = [
        Input(
            f"{key}_shares_from",
            "Bucket shares from (accuracies or labels)",
            "switch",
            "accuracies: from the accuracies below; labels: counted on Labels (Low: 95% bounds with more errors, High: fewer).",
            optional=True,
        ),
        Input(
            f"{key}_top_level_accuracy",
            "Top-level accuracy: right department (%)",
            "share",
            "Share of events that reach the right department, 0-100%.",
        ),
        Input(
            f"{key}_full_route_accuracy",
            "Full-route accuracy: right department and subclass (%)",
            "share",
            "Share of events that reach the right department and subclass; at most the top-level accuracy.",
        ),
        Input(
            f"{key}_share_wrong_subclass_typed",
            "Share wrong subclass, typed directly (%, optional)",
            "share",
            "Leave empty to derive it from the accuracies; type it when you measured the buckets.",
            optional=True,
        ),
        Input(
            f"{key}_share_wrong_department_typed",
            "Share wrong department, typed directly (%, optional)",
            "share",
            "Leave empty to derive it from the accuracies; type it when you measured the buckets.",
            optional=True,
        ),
    ]
    if key != "human":
        rows.append(
            Input(
                f"{key}_unit_cost",
                "Inference and ops cost (EUR per event)",
                "money_per_event",
                "API or serving cost plus routine operations, per event, in euros.",
                comment="Include evaluation and monitoring that recur per event; one-off work belongs in the investment.",
            )
        )
    rows += [
        Input(
            f"{key}_review_share",
            "Share of events a person reviews (%)",
            "share",
            "Share of events checked by a person after this option has handled them, 0-100%.",
        ),
        Input(
            f"{key}_review_cost",
            "Cost of one review (EUR)",
            "money_per_event",
            "Labour cost of one human review, in euros.",
        ),
    ]
    return Section(title, tuple(rows))


SECTIONS = (
    Section(
        "Volume",
        (
            Input(
                "events_per_day",
                "Events per day (events/day)",
                "count",
                "Emails, documents or interactions to handle per day; more than 0.",
            ),
            Input(
                "horizon_days",
                "Decision horizon (days)",
                "days",
                "Days over which the fine-tuning investment must pay back; more than 0.",
                comment="The period you would commit to the fine-tuned model before revisiting the choice.",
            ),
        ),
    ),
    Section(
        "Human handling",
        (
            Input(
                "handling_seconds",
                "Handling time per event (seconds)",
                "seconds",
                "Time a person needs to handle one event by hand, in seconds.",
                comment="If individuals cannot be timed: team hours per week x 3600 / events per week.",
            ),
            Input(
                "hourly_cost",
                "Fully loaded labour cost (EUR per hour)",
                "money",
                "Wage plus overheads per working hour, in euros.",
            ),
        ),
    ),
    Section(
        "Cost of errors",
        (
            Input(
                "delay_cost_per_day",
                "Cost of one day of avoidable delay (EUR per day)",
                "money",
                "What one day of delay costs the business per event: rework, repeat contact, customer impact.",
                comment="Soft costs (NPS, churn) only count once someone prices them.",
            ),
            Input(
                "days_lost_wrong_department",
                "Days lost per wrong department (days)",
                "days",
                "Delay one event suffers when routed to the wrong department.",
            ),
            Input(
                "days_lost_wrong_subclass",
                "Days lost per wrong subclass (days)",
                "days",
                "Delay one event suffers when it reaches the right department but the wrong subclass.",
            ),
            Input(
                "cost_wrong_department_typed",
                "EUR per wrong department, typed directly (optional)",
                "money",
                "Leave empty to use delay cost x days lost; type a figure to override it.",
                optional=True,
            ),
            Input(
                "cost_wrong_subclass_typed",
                "EUR per wrong subclass, typed directly (optional)",
                "money",
                "Leave empty to use delay cost x days lost; type a figure to override it.",
                optional=True,
            ),
        ),
    ),
    *(_option_inputs(key, title) for key, title in OPTIONS),
    Section(
        "Fine-tuning investment",
        (
            Input(
                "investment",
                "Fine-tuning investment over the horizon (EUR)",
                "money",
                "Training, evaluation, MLOps set-up and the team's time, in euros; not already in the per-event cost.",
                comment="Data versioning, training, evaluation, deployment, monitoring and retraining capability belong here.",
            ),
        ),
    ),
    Section(
        "Costs over time (optional: empty counts as 0)",
        (
            Input(
                "prompted_one_off",
                "One-off cost of the API option (EUR)",
                "money",
                "Prompt engineering, integration or a forced migration, paid at the start; not in the per-event cost.",
                optional=True,
            ),
            Input(
                "prompted_monthly",
                "Fixed cost of the API option per month (EUR)",
                "money",
                "Evaluation and monitoring that cost the same each month whatever the volume.",
                optional=True,
            ),
            Input(
                "finetuned_monthly",
                "Fixed cost of the fine-tuned model per month (EUR)",
                "money",
                "MLOps, retraining and hosting that cost the same each month whatever the volume.",
                optional=True,
            ),
            Input(
                "golive_delay_days",
                "Days until the fine-tuned model goes live (days)",
                "days",
                "Until then the cheaper other option keeps running and costing; its monthly costs start at go-live.",
                optional=True,
            ),
            Input(
                "volume_growth",
                "Volume growth per year (%)",
                "rate",
                "Yearly growth of events per day: day d has events x (1 + growth)^(d/365). Negative: shrinking.",
                optional=True,
            ),
            Input(
                "api_price_change",
                "Change of the API price per year (%)",
                "rate",
                "Yearly change of the API's inference price per event; negative when prices fall.",
                optional=True,
            ),
            Input(
                "discount_rate",
                "Discount rate per year (%)",
                "rate",
                "Yearly rate for the net present value and the discounted payback: a day's flows x (1 + rate)^(-d/365).",
                optional=True,
            ),
        ),
    ),
    Section(
        "Second layer: handling after routing (optional: empty = off)",
        (
            Input(
                "specialist_minutes",
                "Specialist minutes per event (minutes)",
                "seconds",
                "Minutes a specialist spends handling one event after it is routed.",
                optional=True,
            ),
            Input(
                "specialist_hourly_cost",
                "Specialist cost (EUR per hour)",
                "money",
                "Loaded cost of a specialist hour, in euros.",
                optional=True,
            ),
            Input(
                "routine_share",
                "Share of routine events (%)",
                "share",
                "Events an agent could own (FAQ answers, acknowledgements, document requests), 0-100%.",
                optional=True,
            ),
            Input(
                "agent_cost",
                "Agent cost (EUR per event it handles)",
                "money_per_event",
                "Inference and operations per event the agent handles.",
                optional=True,
            ),
            Input(
                "agent_error_rate",
                "Agent's wrong answers (%)",
                "share",
                "Share of the agent's answers that are wrong, 0-100%.",
                optional=True,
            ),
            Input(
                "agent_error_cost",
                "Cost of one wrong automated answer (EUR)",
                "money",
                "Repair, repeat contact, complaint: what a wrong answer to a customer costs.",
                optional=True,
            ),
            Input(
                "agent_review_share",
                "Share of the agent's answers reviewed (%)",
                "share",
                "Share a person checks before it goes out, 0-100%.",
                optional=True,
            ),
            Input(
                "agent_review_cost",
                "Cost of one review (EUR)",
                "money_per_event",
                "Labour cost of one review of an automated answer.",
                optional=True,
            ),
            Input(
                "agent_investment",
                "Agent investment (EUR, one-off)",
                "money",
                "Building, evaluating and integrating the agent.",
                optional=True,
            ),
            Input(
                "agent_monthly",
                "Agent fixed cost per month (EUR)",
                "money",
                "Running the agent whatever the volume.",
                optional=True,
            ),
        ),
    ),
)
LAYER2_SECTION = SECTIONS[-1]
"""The second layer: all optional, empty in the worked example (off)."""
TIME_SECTION = SECTIONS[-2]
"""The inputs of costs over time: all optional, 0 in the worked example."""


def inputs() -> list[Input]:
    """Every input in sheet order."""
    return [row for section in SECTIONS for row in section.inputs]


QUESTIONS = (
    ("Volume", "How many events arrive per day or week, and how does that vary by season?", "events_per_day"),
    ("Volume", "Do events arrive steadily, in bursts or in batches?", None),
    (
        "Time",
        "How long does a person need to classify one event, and to extract what is needed from it?",
        "handling_seconds",
    ),
    ("Time", "How much review time remains per event once a model does the routing?", "prompted_review_share"),
    (
        "Time",
        "What does one working hour cost, overheads included? If people cannot be timed: team hours, volume and rework per week.",
        "hourly_cost",
    ),
    (
        "Cost of errors",
        "What happens after a wrong routing: who fixes it, how long is the delay, is there rework, a repeat contact, a compliance risk?",
        "delay_cost_per_day",
    ),
    (
        "Cost of errors",
        "What is one error in each bucket worth in euros, even roughly, as low / base / high?",
        "days_lost_wrong_department",
    ),
    (
        "System cost",
        "What do inference, hosting, evaluation, monitoring and human review cost per event? Costs builds it from tokens, prices and GPUs.",
        "prompted_unit_cost",
    ),
    ("System cost", "What do training, fine-tuning, relabelling and MLOps time cost up front?", "investment"),
    ("Soft metrics", "Are NPS, churn or brand effects part of the case, and has someone put a price on them?", None),
    (
        "Readiness",
        "Who owns data versioning, training, evaluation, deployment, monitoring and retraining? Is building that capability in the investment?",
        "investment",
    ),
    (
        "API risk",
        "What would silent model updates, deprecations, rate limits or a forced migration cost on the API side? Costs prices them per month.",
        "prompted_unit_cost",
    ),
    (
        "Hidden labels",
        "Does the operational history (routing, forwarding, corrections) already label past events?",
        "prompted_full_route_accuracy",
    ),
    (
        "Second layer",
        "How many minutes does a specialist spend on an event after routing, at what hourly cost?",
        "specialist_minutes",
    ),
    (
        "Second layer",
        "What share of events is routine work an agent could own (FAQ answers, acknowledgements, document requests)?",
        "routine_share",
    ),
    (
        "Second layer",
        "What does a wrong automated answer cost: repair, repeat contact, complaint, compliance?",
        "agent_error_cost",
    ),
)
"""(topic, question, the input it feeds or None) in the project's own words."""

EXAMPLE_ANSWERS = {
    0: ("5,000 emails a day, steady through the year", "Inbox statistics", "answered"),
    1: ("Steady during office hours", "Operations lead", "answered"),
    2: ("30 seconds per email", "Time study of the triage team", "answered"),
    3: ("No review planned for the models", "Product owner", "estimated"),
    4: ("20 EUR per hour", "Finance", "answered"),
    5: (
        "A wrong department costs about 2 days, a wrong subclass half a day; one day of delay costs about 4 EUR",
        "Claims handling",
        "estimated",
    ),
    6: ("Low / high ranges are rough guesses around the base", "Workshop", "estimated"),
    7: ("0.06 EUR per email via the API, 0.015 EUR self-hosted", "Vendor quotes", "answered"),
    8: ("40,000 EUR for the first fine-tuning round", "ML team estimate", "estimated"),
    9: ("", "", "missing"),
    10: ("", "", "missing"),
    11: ("", "", "missing"),
    12: ("Routing history of the last 12 months exists", "IT", "answered"),
    13: ("Not modelled yet: the case covers routing only", "Product owner", "answered"),
    14: ("Not modelled yet: the case covers routing only", "Product owner", "answered"),
    15: ("Not modelled yet: the case covers routing only", "Product owner", "answered"),
}
"""Answers of the insurance example, by question index: (answer, source, status)."""
EXAMPLE_MEASURE_COSTS = {0: 200, 2: 600, 3: 1_500, 4: 200, 5: 2_500, 6: 2_500, 7: 800, 8: 3_000, 12: 2_000}
"""What measuring each question's answer would cost in the insurance example, in euros (a time study, a
workshop, labelling 2,500 routed e-mails ...): the measurement plan weighs them against what knowing is worth."""


def question_of(name: str) -> int | None:
    """The index of the first question whose answer feeds input `name` (None: no question asks for it)."""
    return next((k for k, (_, _, feeds) in enumerate(QUESTIONS) if feeds == name), None)


OPTION_SHORT = {"human": "People", "prompted": "Prompted", "finetuned": "Fine-tuned"}


def plain_label(name: str) -> str:
    """An input's label as a reader of a table or chart needs it, without the input's code name: "Prompted:
    top-level accuracy (%)", "Events per day (events/day)"."""
    section, label = next((sec.title, item.label) for sec in SECTIONS for item in sec.inputs if item.name == name)
    key = name.split("_", 1)[0]
    if section not in dict(OPTIONS).values() or key not in OPTION_SHORT:
        return label
    short = re.sub(r": right department(?: and subclass)?", "", label)
    return f"{OPTION_SHORT[key]}: {short[0].lower()}{short[1:]}"
