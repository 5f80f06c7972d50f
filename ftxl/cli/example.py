"""`ftxl example`: the worked example's figures."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from ..errors import FtxlError
from .app import cli
from .terminal import echo_json, print_table


@cli.command()
@click.option(
    "--horizon",
    "horizons",
    type=click.FloatRange(min=0, min_open=True),
    multiple=True,
    default=(90.0, 180.0),
    show_default=True,
    help="Decision horizon in days; repeat for several.",
)
@click.option(
    "--layers",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="2: add the second layer (specialists, or an agent for the routine events routed right).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of tables.")
def example(horizons: tuple[float, ...], layers: int, as_json: bool) -> None:
    """Compute the worked example: e-mail triage at an insurer, 5,000 events a day.

    \b
    Example:
      ftxl example --horizon 90 --horizon 180
      ftxl example --layers 2
    """
    from rich.console import Console

    from ..use_case import evaluate, insurance_example
    from .tables import finetune_table, options_table, second_layer_table

    try:
        evaluations = [evaluate(insurance_example(h)) for h in horizons]
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    second = [_second_layer(e) for e in evaluations] if layers == 2 else []
    if as_json:
        documents = [asdict(e) for e in evaluations]
        for figures, layer in zip(documents, second, strict=False):
            figures["second_layer"] = layer
        echo_json(documents)
        return
    console = Console()
    print_table(console, options_table(evaluations[0]))
    print_table(console, finetune_table(evaluations))
    for evaluation, found in zip(evaluations, second, strict=False):
        print_table(console, second_layer_table(evaluation, found))


def _second_layer(evaluation: Any) -> dict[str, Any]:
    """The worked second layer on top of one evaluation of the example: every combination, cheapest first."""
    from .. import second_layer

    layer = second_layer.insurance_layer()
    accuracy = {key: o.shares[0] for key, o in zip(("human", "prompted", "finetuned"), evaluation.options, strict=True)}
    found = second_layer.combinations(
        evaluation.use_case.events, evaluation.use_case.horizon_days, evaluation.decision.total_costs, accuracy, layer
    )
    totals = {(c.router, c.handling): c.total_cost for c in found}
    return {
        "layer": asdict(layer) | {"specialist_cost": layer.specialist_cost, "agent_all_in": layer.agent_all_in},
        "combinations": [asdict(c) | {"verdict": c.verdict} for c in found],
        "decision": found[0].verdict,
        "finetuning_against_prompting_with_agent": totals[("prompted", "agent")] - totals[("finetuned", "agent")],
        "finetuning_against_prompting_layer_1": evaluation.decision.total_costs["prompted"]
        - evaluation.decision.total_costs["finetuned"],
        "routing_point_value": second_layer.routing_point_value(layer),
    }
