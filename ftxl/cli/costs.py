"""`ftxl costs`: where the cost inputs come from, built from tokens, GPUs, people and API risks."""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import click

from ..costs import API_SERVING, SELF_HOSTED_SERVING
from ..errors import FtxlError
from .app import assignment, cli, set_option, toml_values
from .tables import Table, euros, percent
from .terminal import echo_json, print_table

TEXT_INPUTS = frozenset({"api_serving", "self_hosted_serving"})


@cli.command()
@click.argument("inputs_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@set_option("A builder input, by name,", "input_tokens=1200")
@click.option("--from-example", is_flag=True, help="Start from the insurance example's builder inputs.")
@click.option("--model", "model_name", help="Read input, cached and output prices from the price table (typed win).")
@click.option("--provider", help="The model's provider as genai-prices names it (openai, anthropic, google).")
@click.option(
    "--on",
    "on_day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day the table's prices apply (default: today).",
)
@click.option("--api-serving", type=click.Choice(list(API_SERVING)), help="How the API option is served.")
@click.option("--self-hosted", type=click.Choice(list(SELF_HOSTED_SERVING)), help="How the fine-tuned model runs.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON instead of tables.")
def costs(
    inputs_file: Path | None,
    settings: tuple[str, ...],
    from_example: bool,
    model_name: str | None,
    provider: str | None,
    on_day: Any,
    api_serving: str | None,
    self_hosted: str | None,
    as_json: bool,
) -> None:
    """Build the cost inputs the template asks for from what you have at hand: tokens and prices, GPU prices
    and throughput, people's days, and API risks priced in money. Prints the API cost per event, the
    self-hosted fleet, the serving options compared on cost per event including waiting, the API's risks per
    month, the fine-tuning investment part by part, and the six Inputs rows the builder can feed.

    INPUTS_FILE is a TOML file of `name = value` lines (names as `--json` lists them under "inputs"; the
    investment's parts as investment_<part>).

    \b
    Examples:
      ftxl costs --from-example
      ftxl costs --from-example --model gpt-4o-mini --provider openai --set input_tokens=1200
      ftxl costs my_costs.toml --self-hosted scheduled --json
    """
    from .. import costs as builder
    from .. import price_list

    values: dict[str, Any] = {}
    if inputs_file is not None:
        values |= toml_values(inputs_file, TEXT_INPUTS)
    for setting in settings:
        name, value = assignment("--set", setting, "input_tokens=1200")
        values[name] = value
    values |= {k: v for k, v in (("api_serving", api_serving), ("self_hosted_serving", self_hosted)) if v}
    prices: dict[str, Any] = {}
    try:
        if model_name:
            day = on_day.date() if on_day else None
            listed = price_list.api_prices(model_name, provider, day, float(values.get("input_tokens", 0)))
            found = {"input_price": listed.input, "cached_price": listed.cached, "output_price": listed.output}
            typed = sorted(set(found) & set(values))
            values = {k: v for k, v in found.items() if v is not None} | values  # typed prices win
            prices = {"snapshot": price_list.snapshot(), "model": listed.model, "provider": listed.provider}
            prices |= {"on": listed.on.isoformat(), "typed_win": typed}
        if from_example:
            inputs = builder.insurance_costs().with_values(**values)
        else:
            inputs = _inputs(values)
        report = builder.build(inputs)
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(_as_json(inputs, report, prices))
        return
    from rich.console import Console

    console = Console()
    for table in _tables(inputs, report, prices):
        print_table(console, table)


def _inputs(values: dict[str, Any]) -> Any:
    """`CostInputs` from values by name, the required ones named when missing."""
    from dataclasses import MISSING

    from ..costs import CostInputs

    required = [f.name for f in fields(CostInputs) if f.default is MISSING and f.default_factory is MISSING]
    missing = [name for name in required if name not in values]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)}: set them, or start --from-example")
    own = {k: v for k, v in values.items() if not k.startswith("investment_") and k in CostInputs.__dataclass_fields__}
    return CostInputs(**own).with_values(**{k: v for k, v in values.items() if k not in own})


def _tables(inputs: Any, report: Any, prices: dict[str, Any]) -> list[Table]:
    from ..costs import FEEDS

    x, r = inputs, report
    source = f"prices: {prices['model']} on {prices['on']}, {prices['snapshot']}" if prices else "prices: typed"
    api = Table(
        "API per event, from tokens",
        ["figure", "value"],
        [
            ["tokens per event (input / output)", f"{x.input_tokens:,.0f} / {x.output_tokens:,.0f}"],
            ["price per million tokens (input / output)", f"{x.input_price:g} / {x.output_price:g}"],
            ["real-time API, tokens", euros(r.api_cost, 6)],
            ["operations per event", euros(x.api_ops_per_event, 6)],
        ],
        caption=source,
    )
    gpu = Table(
        "Self-hosted, from GPUs",
        ["figure", "always on", "scheduled"],
        [
            ["GPUs (at peak / per run)", f"{r.always_on.gpus:,}", f"{r.scheduled.gpus:,}"],
            ["GPU-hours per day", f"{r.always_on.gpu_hours_per_day:,.2f}", f"{r.scheduled.gpu_hours_per_day:,.2f}"],
            ["cost per day", euros(r.always_on.cost_per_day), euros(r.scheduled.cost_per_day)],
            ["cost per month", euros(r.always_on.cost_per_month), euros(r.scheduled.cost_per_month)],
            ["cost per event", euros(r.always_on.cost_per_event, 6), euros(r.scheduled.cost_per_event, 6)],
        ],
        caption=f"The peak hour ({percent(x.peak_hour_share)} of a day's events) needs {r.always_on.peak_gpus:,} "
        f"GPU(s); {x.min_replicas:,} replica(s) always run. Scheduled: a run every {x.batch_every_hours:g} hours.",
    )
    serving = Table(
        "Serving options, cheapest first, on cost per event including waiting",
        ["option", "serving", "wait (hours)", "waiting", "per event", "used"],
        [
            [
                o.name,
                euros(o.serving_cost, 6),
                f"{o.wait_hours:,.2f}",
                euros(o.waiting_cost, 6),
                euros(o.cost_per_event, 6),
                "yes" if o.name in r.used else "",
            ]
            for o in r.serving
        ],
        caption=f"Waiting costs {euros(x.delay_cost_per_day)} a day beyond {x.free_hours:g} free hours "
        f"({x.hours_per_day:g} hours a day). The models differ in errors too: the decision weighs those.",
    )
    limit = r.rate_limit
    risks = Table(
        "API risks per month",
        ["risk", "per month"],
        [
            [
                f"rate limits (peak {limit.peak_tokens_per_minute:,.0f} tokens/min; "
                + (
                    f"{limit.waiting_events_per_day:,.0f} events a day wait {limit.average_wait_hours * 60:,.1f} min)"
                    if limit.exceeded
                    else "within the limits)"
                ),
                euros(r.rate_limit_monthly),
            ],
            ["silent model changes and evaluations", euros(r.silent_change_monthly)],
            ["deprecation (expected forced migration)", euros(r.deprecation_monthly)],
        ],
    )
    investment = Table(
        "Fine-tuning investment, part by part",
        ["part", "euros"],
        [[name, euros(value)] for name, value in r.investment_parts.items()]
        + [["running costs per month (hosting is per event)", euros(r.running_monthly)]],
    )
    feeds = Table(
        "What the builder gives the Inputs rows",
        ["Inputs row", "value"],
        [[FEEDS[name], euros(value, 6 if name.endswith("unit_cost") else 2)] for name, value in r.feeds.items()],
        caption="On the template, choose Costs in a row's 'from' cell to use it; typed values stay the default.",
    )
    return [api, gpu, serving, risks, investment, feeds]


def _as_json(inputs: Any, report: Any, prices: dict[str, Any]) -> dict[str, Any]:
    r = report
    gpu = ("gpus", "peak_gpus", "gpu_hours_per_day", "cost_per_day", "cost_per_event", "cost_per_month")
    return {
        "inputs": asdict(inputs),
        "prices": prices or {"source": "typed"},
        "api_cost_per_event": r.api_cost,
        "self_hosted": {
            "always_on": {name: getattr(r.always_on, name) for name in gpu},
            "scheduled": {name: getattr(r.scheduled, name) for name in (*gpu, "run_hours", "average_wait_hours")},
        },
        "serving": [asdict(o) | {"cost_per_event": o.cost_per_event} for o in r.serving],
        "risks": {
            "rate_limit": asdict(r.rate_limit),
            "rate_limit_monthly": r.rate_limit_monthly,
            "silent_change_monthly": r.silent_change_monthly,
            "deprecation_monthly": r.deprecation_monthly,
        },
        "investment": r.investment_parts | {"total": sum(r.investment_parts.values())},
        "running_monthly": r.running_monthly,
        "feeds": r.feeds,
    }
