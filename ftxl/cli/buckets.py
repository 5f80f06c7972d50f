"""`ftxl buckets`: bucket shares of a label log."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from ..errors import FtxlError
from .app import cli
from .tables import buckets_tables
from .terminal import echo_json, print_table


@cli.command()
@click.argument("log", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--true", "true_column", required=True, help="Column with where each event truly belonged.")
@click.option("--pred", "pred_column", required=True, help="Column with where each event was routed.")
@click.option("--sep", "separator", default="/", show_default=True, help="Separator between department and subclass.")
@click.option("--weight", "weight_column", help="Column with a weight per event.")
@click.option("--abstain", help="Prediction value meaning 'sent to a human' (its own bucket).")
@click.option(
    "--abstain-cost",
    type=click.FloatRange(min=0),
    help="EUR per event sent to a human (its handling cost, e.g. 0.1667 for 30 s at 20 EUR/h); "
    "required with --abstain and --costs.",
)
@click.option("--by", "by_column", help="Break the shares down by this column instead of by true department.")
@click.option(
    "--costs", help="EUR per wrong subclass and per wrong department, e.g. 2,8: adds the expected error cost."
)
@click.option(
    "--precision",
    type=click.FloatRange(min=0, min_open=True, max=50, max_open=True),
    default=1.0,
    show_default=True,
    help="Points of the 95%% interval (±) wanted on each share: says how many labelled events that takes.",
)
@click.option("--sheet", help="The sheet of an .xlsx log (default: the first), e.g. Labels for an ftxl template's log.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def buckets(
    log: Path,
    true_column: str,
    pred_column: str,
    separator: str,
    weight_column: str | None,
    abstain: str | None,
    abstain_cost: float | None,
    by_column: str | None,
    costs: str | None,
    sheet: str | None,
    precision: float,
    as_json: bool,
) -> None:
    """Bucket shares (correct, wrong subclass, wrong department) of a routing log, with 95% intervals.

    LOG is a .csv, .xlsx or .parquet file with one row per event. Labels are compared
    after trimming spaces and ignoring case. In a workbook, the column headers may stand
    under a title (the first row holding both --true and --pred is the header row).

    \b
    Examples:
      ftxl buckets routing_log.csv --true final_queue --pred first_queue --costs 2,8
      ftxl buckets log.parquet --true truth --pred model --abstain HUMAN --by channel --json
      ftxl buckets workbook_templates/sample_routing_log.csv --true true_route --pred routed_route
      ftxl buckets my_case.xlsx --sheet Labels --true "True route (where it belonged)" --pred "Routed by: Human process"
    """
    from ..label_logs import BucketsRequest, analyse, read_log

    cost_pair = _cost_pair(costs)
    if abstain is not None and cost_pair is not None and abstain_cost is None:
        raise click.UsageError(
            "--abstain-cost is missing: events sent to a person cost that person's handling time "
            "(e.g. --abstain-cost 0.1667 for 30 s at 20 EUR/h); 0 only if that is really free"
        )
    if abstain_cost is not None and abstain is None:
        raise click.UsageError("--abstain-cost needs --abstain: the prediction value meaning 'sent to a human'")
    try:
        frame = read_log(log, sheet, tuple(c for c in (true_column, pred_column) if c))
        report = analyse(
            frame,
            BucketsRequest(
                true_column, pred_column, separator, weight_column, abstain, by_column, cost_pair, abstain_cost
            ),
        )
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from exc
    report["labels_needed"] = _labels_needed(report, precision / 100)
    if as_json:
        echo_json(report)
        return
    from rich.console import Console

    console = Console()
    for table in buckets_tables(report):
        print_table(console, table)
    for label, rows in report.get("unknown_predictions", {}).items():
        click.echo(
            f"note: the prediction {label!r} ({rows:,} rows) is in no department of the true labels; it counts "
            "as a wrong department. If it means 'sent to a person', pass --abstain."
        )
    for bucket, need in report["labels_needed"]["buckets"].items():
        more = need["more"]
        click.echo(
            f"{bucket}: ±{precision:g} points (95% Wilson) takes {need['events']:,} labelled events; "
            + ("the log has enough" if more == 0 else f"{more:,} more than the log holds")
        )
    if "expected_error_cost" in report:
        e = report["expected_error_cost"]
        click.echo(
            f"Expected cost per event: €{e['value']:.4f} (95% interval of the expectation: "
            f"€{e['low']:.4f} to €{e['high']:.4f})"
        )


def _labels_needed(report: dict[str, Any], half_width: float) -> dict[str, Any]:
    """Per bucket: the labelled events its share needs for a 95% Wilson interval of ± `half_width`, and how many
    more than the log's (effective) events that is."""
    from ..value_of_information import labels_needed

    have = float(report.get("effective_events") or 0)
    found = {}
    for bucket, share in report["shares"].items():
        need = labels_needed(float(share["share"]), half_width)
        found[bucket] = {"events": need, "more": max(0, math.ceil(need - have))}
    return {"half_width": half_width, "method": "95% Wilson interval at the observed share", "buckets": found}


def _cost_pair(costs: str | None) -> tuple[float, float] | None:
    if costs is None:
        return None
    try:
        wrong_subclass, wrong_department = (float(x) for x in costs.split(","))
    except ValueError:
        raise click.BadParameter(
            "give two numbers: EUR per wrong subclass, EUR per wrong department, e.g. 2,8"
        ) from None
    return wrong_subclass, wrong_department
