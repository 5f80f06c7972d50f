"""`ftxl case`: one case of your own, from a small TOML file and options, without a workbook."""

from __future__ import annotations

import math
from pathlib import Path

import click

from ..errors import FtxlError
from .app import assignment, cli, set_option, toml_values
from .tables import Table, euros, limit
from .terminal import echo_json, print_table


@cli.command()
@click.argument("inputs_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@set_option("An input, by its template name,", "handling_seconds=10")
@click.option(
    "--from-example", is_flag=True, help="Start from the insurance example's Base and change only what you set."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of tables.")
def case(inputs_file: Path | None, settings: tuple[str, ...], from_example: bool, as_json: bool) -> None:
    """Compute one case: each option's cost per event and total over the horizon, the decision, and what
    fine-tuning is worth against the best other option, with the template's inputs by name.

    INPUTS_FILE is a TOML file of `name = value` lines (the names of the template's Inputs sheet, as
    `ftxl analyse --json` lists them); costs over time left out count as 0. The figures and the verdict are
    those the template gives for the same Base inputs.

    \b
    Examples:
      ftxl case --from-example --set handling_seconds=10 --set human_top_level_accuracy=0.99
      ftxl case my_case.toml --set finetuned_monthly=2500
    """
    from .. import analysis
    from ..finetune_economics import breakeven_text, finetune_economics, limits_sentences

    values: dict[str, float] = {}
    if from_example:
        values |= {name: lbh[1] for name, lbh in analysis.example_ranges().items()}
    if inputs_file is not None:
        values |= toml_values(inputs_file)
    for setting in settings:
        name, value = assignment("--set", setting, "investment=40000")
        values[name] = value
    if not values:
        raise click.UsageError("give an INPUTS_FILE, --set NAME=VALUE options, or --from-example")
    try:
        result = analysis.outcome(values)
        per_event = analysis.per_event_costs(values)
        economics = finetune_economics(values)
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    from ..model import OPTION_KEYS

    verdict = analysis.decision_words(result)
    if as_json:
        from dataclasses import asdict

        echo_json(
            {
                "inputs": values,
                "cost_per_event": {key: float(per_event[key]) for key in OPTION_KEYS},
                "total_costs": {key: float(result.total_costs[key]) for key in OPTION_KEYS},
                "after_routing": {key: float(v) for key, v in analysis.after_routing_costs(values).items()},
                "handling": {key: "agent" if result.agent[key] else "specialists" for key in result.agent},
                "decision": verdict,
                "finetuning": asdict(economics)
                | {
                    "against_label": economics.against_label,
                    "breakeven_text": breakeven_text(economics.breakeven_day, economics.horizon_days),
                    "limits": limits_sentences(economics),
                },
            }
        )
        return
    from rich.console import Console

    names = {"human": "people", "prompted": "prompted model", "finetuned": "fine-tuned model"}
    console = Console()
    after = analysis.after_routing_costs(values)
    handling = {key: " + agent" if result.agent[key] else " + specialists" for key in after}
    if after:
        names = {"human": "people", "prompted": "prompted", "finetuned": "fine-tuned"}
    columns = ["option", "routing per event" if after else "cost per event"]
    columns += ["after routing"] if after else []
    rows = [
        [names[key] + handling.get(key, ""), euros(float(per_event[key]), 4)]
        + ([euros(float(after[key]), 4)] if after else [])
        + [euros(float(result.total_costs[key]))]
        for key in OPTION_KEYS
    ]
    print_table(
        console,
        Table(
            title=f"Decision over {economics.horizon_days:,g} days: {verdict}",
            columns=[*columns, "total over the horizon"],
            rows=rows,
            caption="Totals include one-off and monthly costs, go-live delay, growth, price change and discounting"
            + ("; each router with its cheaper handling after routing (the second layer)." if after else "."),
        ),
    )
    e = economics
    rows = [
        ["net savings" + (" (NPV)" if e.discounted else ""), euros(e.net_savings)],
        ["break-even", breakeven_text(e.breakeven_day, e.horizon_days)],
        ["largest one-off investment that pays", limit(e.max_investment, "no investment pays")],
        [
            "largest fine-tuned inference cost per event",
            "not live within the horizon"
            if math.isnan(e.max_unit_cost)
            else limit(e.max_unit_cost, "no price pays", 4),
        ],
        ["largest investment at equal running cost", euros(e.max_investment_same_unit_cost)],
    ]
    print_table(
        console,
        Table(
            title=f"Fine-tuning against {e.against_label} (the best other option)",
            columns=["figure", "value"],
            rows=rows,
            caption=" ".join(limits_sentences(e)),
        ),
    )
