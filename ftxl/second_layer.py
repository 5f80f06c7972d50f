"""The second layer: after routing, a specialist handles each event, and an agent may take over the routine ones.

Routing is only the first gate. A routine event (an FAQ answer, an acknowledgement, a document request) that
was routed right can be handled by an agent instead of a specialist; a misrouted one already carries its
layer-1 error cost and is handled by a specialist. So better routing unlocks downstream automation, and the
value of a point of full-route accuracy compounds.

Convention (tested): the agent handles exactly the routine events that were routed fully correct, a share
`routine_share x full_route_accuracy` of all events; every other event goes to a specialist. Euros per event
unless a name says otherwise. The options are the combinations of router (human, prompted, fine-tuned) and
handling (specialists only, or with the agent); each combination's total over the horizon is its router's
layer-1 total plus N x its layer-2 cost per event, plus the agent's one-off and monthly costs when it has the
agent. This module covers the per-event economics and the totals without costs over time (growth, price
change, go-live delay and discounting are layer-1 only for now, see README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import checks as check
from . import model
from .errors import InputError

MINUTES_PER_HOUR = 60.0
HANDLINGS = ("specialists", "agent")
"""How layer 2 handles the events: specialists only, or an agent for the routine events routed right."""


@dataclass(frozen=True)
class SecondLayer:
    """What handling an event after routing costs: specialists, and an agent for the routine work."""

    specialist_minutes: float
    """Minutes a specialist spends handling one event."""
    specialist_hourly_cost: float
    """Euros per specialist hour, overheads included."""
    routine_share: float
    """Share of events that are routine: an agent could own them (0-1)."""
    agent_cost: float
    """Euros per event the agent handles (inference and ops)."""
    agent_error_rate: float
    """Share of the agent's answers that are wrong (0-1)."""
    agent_error_cost: float
    """Euros one wrong automated answer costs (repair, repeat contact, complaint)."""
    agent_review_share: float = 0.0
    agent_review_cost: float = 0.0
    agent_investment: float = 0.0
    """One-off euros to build the agent."""
    agent_monthly: float = 0.0
    """Euros a month to keep the agent running (a month is 365/12 days)."""

    def __post_init__(self) -> None:
        check.non_negative("specialist_minutes", self.specialist_minutes)
        check.non_negative("specialist_hourly_cost", self.specialist_hourly_cost)
        check.fraction("routine_share", self.routine_share)
        check.non_negative("agent_cost", self.agent_cost)
        check.fraction("agent_error_rate", self.agent_error_rate)
        check.non_negative("agent_error_cost", self.agent_error_cost)
        check.fraction("agent_review_share", self.agent_review_share)
        check.non_negative("agent_review_cost", self.agent_review_cost)
        check.non_negative("agent_investment", self.agent_investment)
        check.non_negative("agent_monthly", self.agent_monthly)
        if self.agent_all_in > self.specialist_cost:
            raise InputError(
                f"the agent costs {self.agent_all_in:.4f} EUR per event all in, more than a specialist "
                f"({self.specialist_cost:.4f}): an agent dearer than a person is not an option to weigh"
            )

    @property
    def specialist_cost(self) -> float:
        """Euros per event a specialist handles: minutes / 60 x hourly cost."""
        return float(specialist_cost_of(self.specialist_minutes, self.specialist_hourly_cost))

    @property
    def agent_all_in(self) -> float:
        """Euros per event the agent handles: its cost + error rate x error cost + review share x review cost."""
        return float(
            agent_all_in_of(
                self.agent_cost,
                self.agent_error_rate,
                self.agent_error_cost,
                self.agent_review_share,
                self.agent_review_cost,
            )
        )


# The formulas of the layer, on numbers or arrays alike (`ftxl.analysis` applies them to scenarios and draws).


def specialist_cost_of(minutes: Any, hourly_cost: Any) -> Any:
    """Euros per event a specialist handles: minutes / 60 x hourly cost."""
    return minutes / MINUTES_PER_HOUR * hourly_cost


def agent_all_in_of(cost: Any, error_rate: Any, error_cost: Any, review_share: Any, review_cost: Any) -> Any:
    """Euros per event the agent handles, all in: its cost + error rate x error cost + review share x cost."""
    return cost + error_rate * error_cost + review_share * review_cost


def with_agent_cost(routine_share: Any, full_route_accuracy: Any, agent_all_in: Any, specialist: Any) -> Any:
    """Euros per event after a router with the agent: it takes the routine events routed fully correct
    (routine share x accuracy), specialists the rest."""
    automated = routine_share * full_route_accuracy
    return automated * agent_all_in + (1.0 - automated) * specialist


def point_value(routine_share: Any, specialist: Any, agent_all_in: Any) -> Any:
    """Euros per event one point (0.01) of full-route accuracy is worth downstream with the agent."""
    return routine_share * 0.01 * (specialist - agent_all_in)


def cost_per_event(layer: SecondLayer, full_route_accuracy: float, with_agent: bool = True) -> float:
    """Layer-2 euros per event after a router of `full_route_accuracy`: the agent takes the routine events
    routed fully correct (routine share x accuracy), specialists the rest; without the agent, all of them."""
    accuracy = check.fraction("full_route_accuracy", full_route_accuracy)
    if not with_agent:
        return layer.specialist_cost
    return float(with_agent_cost(layer.routine_share, float(accuracy), layer.agent_all_in, layer.specialist_cost))


def routing_point_value(layer: SecondLayer) -> float:
    """Euros per event that one point (0.01) of full-route accuracy is worth downstream with the agent:
    routine share x 0.01 x (specialist cost - agent all-in cost)."""
    return float(point_value(layer.routine_share, layer.specialist_cost, layer.agent_all_in))


@dataclass(frozen=True)
class Combination:
    """One router with one way of handling, and its total over the horizon."""

    router: str
    """"human", "prompted" or "finetuned"."""
    handling: str
    """"specialists" or "agent"."""
    layer2_cost_per_event: float
    total_cost: float

    @property
    def verdict(self) -> str:
        """The combination in words: "Fine-tune + agent", "Keep the human process, specialists only"."""
        return f"{model.VERDICTS[self.router]} + {'agent' if self.handling == 'agent' else 'specialists only'}"


def combinations(
    events: float,
    horizon_days: float,
    layer1_totals: dict[str, float],
    full_route_accuracy: dict[str, float],
    layer: SecondLayer,
) -> list[Combination]:
    """Every router and handling, cheapest first (ties: the order of `model.OPTION_KEYS`, specialists first):
    the router's layer-1 total (investment included) + events x layer-2 cost per event, + the agent's one-off
    and monthly costs where it runs."""
    n = float(check.non_negative("events", events))
    months = float(check.non_negative("horizon_days", horizon_days)) / (365.0 / 12)
    found = []
    for router in model.OPTION_KEYS:
        if router not in layer1_totals:
            continue
        for handling in HANDLINGS:
            agent = handling == "agent"
            per_event = cost_per_event(layer, full_route_accuracy[router], with_agent=agent)
            total = layer1_totals[router] + n * per_event
            if agent:
                total += layer.agent_investment + layer.agent_monthly * months
            found.append(Combination(router, handling, per_event, total))
    return sorted(found, key=lambda c: c.total_cost)  # a stable sort: ties keep the order above


def insurance_layer() -> SecondLayer:
    """The worked second layer of the insurance example: a specialist 4 minutes at 35 EUR/h, 40% routine, an
    agent at 0.05 EUR with 5% wrong answers at 10 EUR and 10% reviewed at 1 EUR, 60,000 EUR to build."""
    return SecondLayer(
        specialist_minutes=4.0,
        specialist_hourly_cost=35.0,
        routine_share=0.4,
        agent_cost=0.05,
        agent_error_rate=0.05,
        agent_error_cost=10.0,
        agent_review_share=0.1,
        agent_review_cost=1.0,
        agent_investment=60_000.0,
    )
