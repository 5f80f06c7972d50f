"""What fine-tuning costs up front and to keep running, built from its parts.

The investment is labels, people, training GPU time, evaluation, integration and readiness (the capability to
version data, train, evaluate, deploy and monitor: nothing if it exists, else what building it costs). The
running costs are an MLOps share of a person and retraining; hosting is priced per event by
`ftxl.cost_builder.GpuServing` and feeds the fine-tuned model's cost per event, so it is shown beside the
running costs but never added to them (nothing counted twice). Euros; GPU prices in the price list's currency
times `currency_rate`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from . import checks as check

MONTHS_PER_YEAR = 12.0


@dataclass(frozen=True)
class Investment:
    """The one-off cost of fine-tuning, part by part."""

    examples_needed: float
    """Labelled examples the training and evaluation sets need."""
    labelled_share: float
    """Share of them the operation has already labelled (routing history, corrections: the hidden labels)."""
    cost_per_label: float
    """Euros per newly labelled example."""
    engineer_days: float = 0.0
    day_rate: float = 0.0
    """Euros per engineer day, loaded."""
    training_gpu_hours: float = 0.0
    gpu_hourly_price: float = 0.0
    """Price of a training GPU hour, in the price list's currency."""
    currency_rate: float = 1.0
    evaluation: float = 0.0
    """Euros to evaluate the model before go-live."""
    integration: float = 0.0
    """Euros to wire the model into the process."""
    readiness: float = 0.0
    """Euros to build the capability to run fine-tuned models; 0 when it exists."""

    def __post_init__(self) -> None:
        for field in fields(self):
            check.non_negative(field.name, getattr(self, field.name))
        check.fraction("labelled_share", self.labelled_share)

    def parts(self) -> dict[str, float]:
        """Euros per part, in the order the Costs sheet shows them."""
        return {
            "labels": self.examples_needed * (1.0 - self.labelled_share) * self.cost_per_label,
            "engineering": self.engineer_days * self.day_rate,
            "training": self.training_gpu_hours * self.gpu_hourly_price * self.currency_rate,
            "evaluation": self.evaluation,
            "integration": self.integration,
            "readiness": self.readiness,
        }

    @property
    def total(self) -> float:
        return float(sum(self.parts().values()))


def running_monthly(
    mlops_fte_share: float, loaded_annual_cost: float, retraining_runs_per_year: float = 0.0, cost_per_run: float = 0.0
) -> float:
    """Euros a month to keep a fine-tuned model running, hosting excluded: the MLOps share of a person's loaded
    yearly cost and the retraining runs, per month.

    >>> running_monthly(0.1, 96_000, 4, 1_500)
    1300.0
    """
    check.fraction("mlops_fte_share", mlops_fte_share)
    check.non_negative("loaded_annual_cost", loaded_annual_cost)
    check.non_negative("retraining_runs_per_year", retraining_runs_per_year)
    check.non_negative("cost_per_run", cost_per_run)
    return float((mlops_fte_share * loaded_annual_cost + retraining_runs_per_year * cost_per_run) / MONTHS_PER_YEAR)
