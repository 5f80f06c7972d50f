"""`ftxl analyse`: what flips the decision, and how likely it is."""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import click

from ..analysis import DEFAULT_DRAWS, MAX_DRAWS, Simulation
from ..errors import FtxlError
from ..finetune_economics import FinetuneEconomics
from ..value_of_information import Measurement, headline
from .app import assignment, cli, max_memory_option
from .tables import Table, euros, limit, probability
from .terminal import echo_json, literal, print_table


@cli.command()
@click.argument("workbook", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--example", type=click.Choice(["insurance"]), help="Analyse a worked example instead of a workbook.")
@click.option(
    "--draws",
    type=click.IntRange(min=100, max=MAX_DRAWS),
    default=DEFAULT_DRAWS,
    show_default=True,
    help="Monte Carlo draws (the workbook's default too).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**63 - 1),
    default=0,
    show_default=True,
    help="Seed of the draws (the same seed, the same result).",
)
@max_memory_option("this command may use")
@click.option(
    "--distribution",
    type=click.Choice(["pert", "triangular", "uniform"]),
    default="pert",
    show_default=True,
    help="Of each input.",
)
@click.option(
    "--measure-cost",
    "measure_costs",
    multiple=True,
    metavar="NAME=EUR",
    help="What measuring an input would cost, e.g. --measure-cost investment=3000 (repeatable; wins over the "
    "workbook's Questions sheet).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of tables.")
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also draw tornado.png and distribution.png into this folder (for a slide).",
)
def analyse(
    workbook: Path | None,
    example: str | None,
    draws: int,
    seed: int,
    distribution: str,
    as_json: bool,
    plot_dir: Path | None,
    max_memory: float,
    measure_costs: tuple[str, ...],
) -> None:
    """What flips the decision and how likely it is, for a filled template or the worked example.

    Prints what fine-tuning is worth against the best other option at Base and its limits, the tornado
    (its net savings with each input at its Low and High, the others at Base), each input's switch value,
    a Monte Carlo summary (each input drawn independently of the others), and what to measure next: each
    input's value of information (EVPPI) against what measuring it costs (the workbook's Questions sheet,
    or --measure-cost). A workbook is computed afresh first (as `ftxl recalc` would): its saved values are
    never trusted.

    \b
    Examples:
      ftxl analyse --example insurance
      ftxl analyse my_case.xlsx --draws 20000 --json
      ftxl analyse --example insurance --plot slides/
    """
    from .. import analysis
    from ..finetune_economics import finetune_economics

    if (workbook is None) == (example is None):
        raise click.UsageError("give a WORKBOOK or --example insurance (one of them)")
    from ..recalc.batch import limit_memory

    limit_memory(max_memory)
    try:
        if workbook is not None:
            ranges, questions = _workbook_ranges(workbook)
        else:
            ranges, questions = analysis.example_ranges(), _example_questions()
        base = {name: lbh[1] for name, lbh in ranges.items()}
        economics = finetune_economics(base)
        bars = analysis.tornado(ranges)
        switches = analysis.switch_values(base, [bar.name for bar in bars] or None)
        simulation = _simulate(ranges, draws, seed, distribution, show=not as_json and sys.stderr.isatty())
        base_net = analysis.outcome(base).net_savings
        plan = _plan(simulation, questions, measure_costs)
    except FtxlError as exc:
        raise click.ClickException(str(exc)) from exc
    except MemoryError:
        raise click.ClickException(
            f"out of memory: the analysis needs more than --max-memory {max_memory:g} GiB"
        ) from None
    if plot_dir is not None:
        drawn = _plots(plot_dir, bars, base_net, simulation.bins, draws)
        click.echo(f"wrote {', '.join(map(str, drawn))}", err=as_json)
    if as_json:
        report = {
            "base_net_savings": base_net,
            "base": _economics_json(economics),
            "tornado": [{"input": b.name, "low": b.low, "high": b.high, "swing": b.swing} for b in bars],
            "switch_values": [{"input": s.name, "below": s.below, "above": s.above} for s in switches],
            "simulation": asdict(simulation),
            "measurement_plan": {
                "method": "EVPPI, Strong & Oakley's single-parameter binning estimator over the simulation's draws",
                "noise_floor": simulation.evppi_noise,
                "headline": headline(plan, _labels()),
                "inputs": [
                    asdict(m) | {"label": _labels().get(m.name, m.name), "question": _question_text(m.name)}
                    for m in plan
                ],
            },
        }
        echo_json(report)
        return
    from rich.console import Console

    console = Console()
    print_table(console, _economics_table(economics))
    print_table(
        console,
        Table(
            title="What moves it: each input at Low and High, the others at Base (largest swing first)",
            columns=["input", "at Low", "at High", "swing"],
            rows=[[b.name, euros(b.low, 0), euros(b.high, 0), euros(b.swing, 0)] for b in bars],
        ),
    )
    print_table(
        console,
        Table(
            title="Switch values: where the decision changes, the others at Base",
            columns=["input", "switch value"],
            rows=[[s.name, str(s)] for s in switches],
        ),
    )
    s = simulation
    rows = [
        ["P(fine-tuning is the cheapest option)", probability(s.p_finetune_cheapest)],
        ["P(break-even within the horizon)", probability(s.p_breakeven_within_horizon)],
        ["mean net savings", euros(s.mean, 0)],
        *([f"p{p} net savings", euros(v, 0)] for p, v in s.percentiles.items()),
        ["value of perfect information", euros(s.evpi, 2)],
    ]
    print_table(
        console,
        Table(
            title=f"Monte Carlo: {s.draws:,} {distribution} draws, seed {seed}",
            columns=["figure", "value"],
            rows=rows,
            caption="Each input is drawn independently of the others between its Low and High.",
        ),
    )
    shown = [m for m in plan if m.evppi > simulation.evppi_noise][:10]
    noise = (
        f"Inputs not listed are worth less than the estimator's noise ({euros(simulation.evppi_noise, 0)} at "
        f"{simulation.draws:,} draws): good enough as estimates."
    )
    if not shown:
        console.print(literal(f"What to measure next: {headline(plan, _labels())} {noise}"))
        return
    print_table(
        console,
        Table(
            title="What to measure next: the value of learning each input before deciding (EVPPI, same draws)",
            columns=["input", "worth knowing", "cost to measure", "question", "verdict"],
            rows=[
                [
                    _labels().get(m.name, m.name),
                    euros(m.evppi, 0),
                    "" if m.cost is None else euros(m.cost, 0),
                    _question(m.name, m.status),
                    m.verdict,
                ]
                for m in shown
            ],
            caption=f"{headline(plan, _labels())}. {noise}",
        ),
    )


def _simulate(ranges: dict[str, tuple[float, float, float]], draws: int, seed: int, distribution: str, show: bool):  # type: ignore[no-untyped-def]
    """The Monte Carlo run, with a progress bar on a terminal."""
    from .. import analysis

    if not show:
        return analysis.simulate(ranges, draws, seed, distribution)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("draws", total=draws)
        return analysis.simulate(
            ranges, draws, seed, distribution, progress=lambda done, _: progress.update(task, completed=done)
        )


def _plots(
    folder: Path, bars: Sequence[object], base_net: float, bins: list[tuple[float, float, float]], draws: int
) -> list[Path]:
    """tornado.png and distribution.png in `folder` (made when missing)."""
    from . import plots

    try:
        folder.mkdir(parents=True, exist_ok=True)
        return [
            plots.tornado_png(bars, base_net, folder / "tornado.png"),  # type: ignore[arg-type]
            plots.distribution_png(bins, f"Net savings over {draws:,} Monte Carlo draws", folder / "distribution.png"),
        ]
    except ImportError as missing:
        hint = "pip install 'ftxl[plot]'"
        raise click.ClickException(f"--plot needs matplotlib ({missing.name} is missing): {hint}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write the plots to {folder}: {exc.strerror or exc}") from None


def _workbook_ranges(
    workbook: Path,
) -> tuple[dict[str, tuple[float, float, float]], dict[str, tuple[str, float | None]]]:
    """The Low / Base / High of a template, read from a copy computed afresh (saved values may be stale), and
    per input its question's status and cost to measure (Questions sheet)."""
    import tempfile

    from ..recalc import ModelCache, recalculate
    from ..template.ranges import template_questions, template_ranges

    with tempfile.TemporaryDirectory(prefix=".ftxl-analyse-") as folder:
        computed = Path(folder) / workbook.name
        result = recalculate(workbook, computed, ModelCache())
        if not result.ok:
            raise click.ClickException(f"{workbook.name}: {result.error}")
        return template_ranges(computed, workbook.name), template_questions(computed, workbook.name)


def _economics_json(e: FinetuneEconomics) -> dict[str, object]:
    """Fine-tuning against the best other option at Base, as `ftxl.finetune_economics` gives it, with words."""
    from dataclasses import asdict as fields

    from .. import finetune_economics as fe

    found: dict[str, object] = {k: (None if isinstance(v, float) and v != v else v) for k, v in fields(e).items()}
    found["against_label"] = e.against_label
    found["breakeven_text"] = fe.breakeven_text(e.breakeven_day, e.horizon_days)
    found["limits"] = fe.limits_sentences(e)
    return found


def _economics_table(e: FinetuneEconomics) -> Table:
    from .. import finetune_economics as fe

    rows = [
        ["net savings over the horizon" + (" (NPV)" if e.discounted else ""), euros(e.net_savings, 0)],
        ["break-even" + (" (discounted)" if e.discounted else ""), fe.breakeven_text(e.breakeven_day, e.horizon_days)],
        ["largest one-off investment that pays", limit(e.max_investment, "no investment pays", 0)],
        ["largest fine-tuned inference cost per event", limit(e.max_unit_cost, "no price pays", 4)],
        ["largest premium over the prompted inference cost", euros(e.max_premium, 4)],
        ["largest investment at equal running cost", euros(e.max_investment_same_unit_cost, 0)],
    ]
    return Table(
        title=f"Base: fine-tuning against {e.against_label} (the best other option), costs over time included",
        columns=["figure", "value"],
        rows=rows,
        caption=" ".join(fe.limits_sentences(e)),
    )


def _question(name: str, status: str) -> str:
    """The question behind an input and its status: "Q6 Cost of errors (estimated)", or "no question"."""
    from ..template.content import QUESTIONS, question_of

    k = question_of(name)
    return "no question" if k is None else f"Q{k + 1} {QUESTIONS[k][0]} ({status})"


def _question_text(name: str) -> str | None:
    """The text of the question behind an input, or None."""
    from ..template.content import QUESTIONS, question_of

    k = question_of(name)
    return None if k is None else QUESTIONS[k][1]


@functools.cache
def _labels() -> dict[str, str]:
    """Input name -> its plain label, as the template shows it."""
    from ..template.content import plain_label
    from ..template.layout import ANALYSED

    return {name: plain_label(name) for name in ANALYSED}


def _example_questions() -> dict[str, tuple[str, float | None]]:
    """Input name -> (its question's status, what measuring it costs) in the insurance example."""
    from ..template.content import EXAMPLE_ANSWERS, EXAMPLE_MEASURE_COSTS, question_of
    from ..template.layout import ANALYSED

    found: dict[str, tuple[str, float | None]] = {}
    for name in ANALYSED:
        k = question_of(name)
        if k is not None:
            found[name] = (EXAMPLE_ANSWERS[k][2], EXAMPLE_MEASURE_COSTS.get(k))
    return found


def _plan(
    simulation: Simulation, questions: dict[str, tuple[str, float | None]], overrides: tuple[str, ...]
) -> list[Measurement]:
    """Each input's EVPPI against what measuring it costs (the workbook's, or --measure-cost NAME=EUR)."""
    from ..value_of_information import measurement_plan

    costs: dict[str, float | None] = {name: cost for name, (_, cost) in questions.items()}
    for item in overrides:
        name, cost = assignment("--measure-cost", item, "investment=3000")
        if cost < 0:
            raise click.UsageError(f"--measure-cost {item}: a cost of 0 or more")
        costs[name] = cost
    statuses = {name: status for name, (status, _) in questions.items()}
    return measurement_plan(simulation.evppi, costs, statuses, floor=simulation.evppi_noise)
