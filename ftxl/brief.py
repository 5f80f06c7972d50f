"""A one-page decision brief of a filled template: the figures a board handout needs, as PDF and HTML.

`read_brief` takes the figures from a workbook that `ftxl recalc` has just computed (never the
values a file was saved with): the decision and net value of fine-tuning in the worst case,
Base and the best case, the cost per event of each option, the break-even, the largest
investment and premium the savings justify, and the questions still open on the Questions
sheet with the inputs that were only estimated. `pdf_bytes` and `html_bytes` lay them out on one A4 page
with matplotlib (PDF) and as one self-contained HTML file for e-mail (charts inlined as PNG).
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import WorkbookError
from .template.content import OPTIONS, QUESTIONS, inputs
from .template.layout import CASES, TIMELINE_POINTS, WHAT_IS_WRONG
from .template.ranges import named_values

WRAP = {"title": 72, "headline": 78, "heading": 90, "body": 105, "small": 115}
"""Characters per line of each text style on the A4 page."""
PARTS = (("unit_cost", "Handling or inference"), ("error_cost", "Errors"), ("review_cost", "Review"))


@dataclass
class Brief:
    """What the brief says, read off a recalculated template."""

    workbook: str
    decisions: list[Any]
    """Worst case, Base, best case: the decision in words (or why there is none)."""
    net_savings: list[Any]
    """Euros: fine-tuning against the best other option over the horizon, per case (NPV with a rate)."""
    against: list[Any]
    """Per case: the option fine-tuning is measured against, in words ("the prompted model")."""
    breakeven_days: list[Any]
    breakeven_text: list[Any]
    """Per case: the break-even in words ("day 48.5", "not within the 180-day horizon (day 389)", "never")."""
    cost_parts: dict[str, list[float]]
    """Option -> Base euros per event: handling or inference, errors, review."""
    investment: Any
    horizon_days: Any
    max_investment: Any
    max_unit_cost: Any
    max_premium: Any
    limits_text: Any
    """Base: what the limits mean, in words."""
    measure_first: Any
    """What to measure next, in one line ("Measure X first: worth up to EUR Y"), from the Sensitivity sheet."""
    curve: list[tuple[Any, Any, Any]]
    """Base: (day, cumulative savings before one-off costs, one-off costs), as the Timeline sheet charts it."""
    checks_problems: int
    missing_inputs: int = 0
    """Required input rows with an empty Low, Base or High cell."""
    open_questions: list[tuple[str, str, str]] = field(default_factory=list)
    """(topic, question, status) of every question not answered."""
    estimated_inputs: list[str] = field(default_factory=list)
    layer2_handling: Any = None
    """Base: the handling after routing in words, or None without a second layer (or in an older template)."""
    routing_point_value: Any = None
    """Base: euros per event one point of full-route accuracy is worth downstream."""

    @property
    def question(self) -> str:
        return "Fine-tune a small model, or prompt a frontier model through an API?"


def read_brief(path: Path, name: str | None = None) -> Brief:
    """The brief's figures from a template workbook whose cached values ftxl has just computed (`name`: the
    workbook the user gave, when `path` is ftxl's computed copy of it)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise WorkbookError(f"cannot read {path}: {exc}") from None

    sizes = {"checks_problems": 1, "limits_text_base": 1, "measure_first_text": 1, "timeline_days": TIMELINE_POINTS + 1}
    sizes |= dict.fromkeys(("timeline_savings", "timeline_one_off"), TIMELINE_POINTS + 1)
    shown = name or path.name

    def row(name: str) -> list[Any]:
        return named_values(book, name, sizes.get(name, 3), shown)

    def base(name: str) -> Any:
        return row(name)[1]

    problems = row("checks_problems")[0]
    brief = Brief(
        workbook=name or path.name,
        decisions=row("result_decision"),
        net_savings=row("result_net_savings"),
        against=row("result_against"),
        breakeven_days=row("result_breakeven_days"),
        breakeven_text=row("result_breakeven_text"),
        cost_parts={key: [_number(base(f"result_{key}_{part}")) for part, _ in PARTS] for key, _ in OPTIONS},
        investment=base("investment"),
        horizon_days=base("horizon_days"),
        max_investment=base("result_max_ft_investment"),
        max_unit_cost=base("result_max_finetuned_unit_cost"),
        max_premium=base("result_max_cost_premium"),
        limits_text=row("limits_text_base")[0],
        measure_first=row("measure_first_text")[0],
        curve=list(zip(row("timeline_days"), row("timeline_savings"), row("timeline_one_off"), strict=True)),
        checks_problems=int(problems) if isinstance(problems, (int, float)) else 1,
    )
    if "result_layer2_handling" in book.defined_names:  # templates before the second layer have no such row
        handling = base("result_layer2_handling")
        if isinstance(handling, str) and not handling.startswith("Off"):
            brief.layer2_handling, brief.routing_point_value = handling, base("result_routing_point_value")
    brief.missing_inputs = sum(
        1 for item in inputs() if not item.optional and any(v in (None, "") for v in row(item.name))
    )
    labels = {item.name: item.label for item in inputs()}
    if "Questions" not in book.sheetnames:
        raise WorkbookError(f"{shown} has no Questions sheet: is it an ftxl template?")
    statuses = [r[5] for r in book["Questions"].iter_rows(min_row=4, max_row=3 + len(QUESTIONS), values_only=True)]
    for (topic, question, feeds), status in zip(QUESTIONS, statuses, strict=True):
        if status != "answered":
            brief.open_questions.append((topic, question, status or "missing"))
        if status == "estimated" and feeds and labels[feeds] not in brief.estimated_inputs:
            brief.estimated_inputs.append(labels[feeds])
    return brief


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _euros(value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "–" if value in (None, "") else str(value)
    return f"€{value:,.0f}" if value >= 0 else f"−€{-value:,.0f}"


def _text(value: Any) -> str:
    return "–" if value in (None, "") else str(value)


def _price(value: Any) -> str:
    """Euros per event, to a hundredth of a cent."""
    if not _is_number(value):
        return _text(value)
    return f"€{value:.4f}" if value >= 0 else f"−€{-value:.4f}"


def headline(brief: Brief) -> str:
    """The decision in one sentence."""
    if brief.checks_problems:
        missing = f"{brief.missing_inputs} inputs missing, " if brief.missing_inputs else ""
        problems = f"{brief.checks_problems} input problem(s) to fix"
        return f"No decision yet: {missing}{problems}, see the checks beside Inputs (column {WHAT_IS_WRONG})."
    worst, base, best = brief.decisions
    if worst == base == best:
        return f"{base}: the same decision in the worst case, Base and the best case."
    return f"{base} at Base; the worst case says {worst}, the best case {best}."


def _cost_chart(brief: Brief, axes: Any) -> None:
    bottoms = [0.0] * len(OPTIONS)
    colours = ("#2E75B6", "#C00000", "#7F7F7F")
    titles = [title for _, title in OPTIONS]
    for k, (_, part) in enumerate(PARTS):
        values = [brief.cost_parts[key][k] for key, _ in OPTIONS]
        axes.bar(titles, values, bottom=bottoms, label=part, color=colours[k])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    for x, total in enumerate(bottoms):
        axes.annotate(f"€{total:.3f}", (x, total), ha="center", va="bottom", fontsize=8)
    axes.set_ylim(0, max(bottoms + [0.01]) * 1.18)  # room for the labels above the bars
    axes.set_ylabel("EUR per event")
    axes.set_title("Cost per event by option (Base)", fontsize=10)
    axes.legend(fontsize=7, loc="upper right")
    axes.tick_params(labelsize=7)


def _breakeven_chart(brief: Brief, axes: Any) -> None:
    """Base: cumulative savings against the best other option and the one-off costs, as on the Timeline sheet."""
    from matplotlib.ticker import FuncFormatter

    points = [(d, v, i) for d, v, i in brief.curve if all(_is_number(x) for x in (d, v, i))]
    against = brief.against[1] if isinstance(brief.against[1], str) else "the best other option"
    if points:
        days = [p[0] for p in points]
        axes.plot(days, [p[1] for p in points], color="#2E75B6", linewidth=2, label="Cumulative savings (Base)")
        axes.plot(days, [p[2] for p in points], color="#C00000", linestyle="--", label="One-off costs (Base)")
        axes.set_xlim(0, max(days) or 1)
    payback = brief.breakeven_days[1]
    horizon = _number(brief.horizon_days)
    if points and _is_number(payback) and 0 <= payback <= horizon:
        axes.plot([payback], [points[0][2]], marker="D", color="black")
        axes.annotate(f"day {payback:,.2f}", (payback, points[0][2]), textcoords="offset points", xytext=(6, -12))
    axes.set_xlabel("Day")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _euros(v)))
    axes.set_title(f"Break-even: fine-tuning against {against}", fontsize=10)
    axes.legend(fontsize=7, loc="lower right")
    axes.tick_params(labelsize=7)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _figure(brief: Brief, kind: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    size = (4.2, 3.0)
    figure, axes = pyplot.subplots(figsize=size, dpi=150)
    (_cost_chart if kind == "costs" else _breakeven_chart)(brief, axes)
    figure.tight_layout()
    return figure


def _lines(brief: Brief) -> list[tuple[str, str]]:
    """(style, text) lines of the page's text part, in reading order."""
    made = f"Computed on {datetime.date.today():%d %B %Y} by ftxl {__version__} from the workbook {brief.workbook}"
    lines = [("title", brief.question), ("headline", headline(brief)), ("small", made)]
    if brief.checks_problems:  # no figure from inputs that break a rule
        lines += _question_lines(brief)
        return lines
    lines.append(("heading", "Decision by case"))
    for case, decision, net, against, breakeven in zip(
        CASES, brief.decisions, brief.net_savings, brief.against, brief.breakeven_text, strict=True
    ):
        lines.append(
            (
                "body",
                f"{case}: {decision}; fine-tuning against {_text(against)}: net savings {_euros(net)}, "
                f"break-even {_text(breakeven)}",
            )
        )
    if brief.layer2_handling is not None:
        point = brief.routing_point_value
        worth = f"€{point:,.6f}" if isinstance(point, (int, float)) and not isinstance(point, bool) else _text(point)
        lines.append(
            (
                "body",
                f"Second layer (Base): {brief.layer2_handling}; one point of full-route accuracy is worth {worth} "
                "per event downstream.",
            )
        )
    lines.append(("heading", f"Limits (Base, against {_text(brief.against[1])})"))
    lines.append(("body", f"Largest one-off investment that pays: {_euros(brief.max_investment)}"))
    lines.append(("body", f"Largest fine-tuned inference cost per event that pays: {_price(brief.max_unit_cost)}"))
    lines.append(("body", f"Largest premium over the prompted model's inference cost: {_price(brief.max_premium)}"))
    if isinstance(brief.limits_text, str) and brief.limits_text:
        lines.append(("body", brief.limits_text))
    if isinstance(brief.measure_first, str) and brief.measure_first:
        lines.append(("heading", "What to measure next"))
        lines.append(("body", brief.measure_first))
    return lines + _question_lines(brief)


def _question_lines(brief: Brief) -> list[tuple[str, str]]:
    lines = [("heading", f"Open questions ({len(brief.open_questions)})")]
    lines += [("body", f"[{status}] {topic}: {question}") for topic, question, status in brief.open_questions[:8]]
    if len(brief.open_questions) > 8:
        lines.append(("small", f"... and {len(brief.open_questions) - 8} more on the Questions sheet"))
    lines.append(("heading", "Inputs only estimated"))
    lines.append(("body", ", ".join(brief.estimated_inputs) or "none"))
    return lines


def pdf_bytes(brief: Brief) -> bytes:
    """The brief on one A4 page, as a PDF file's bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    page = pyplot.figure(figsize=(8.27, 11.69), dpi=150)
    sizes = {"title": 13.5, "headline": 12, "heading": 10.5, "body": 8.5, "small": 7.5}
    y = 0.965
    for style, text in _lines(brief):
        if style == "heading":
            y -= 0.012
        wrapped = textwrap.wrap(text, WRAP[style]) or [""]
        for line in wrapped:
            page.text(
                0.06,
                y,
                line,
                fontsize=sizes[style],
                weight="bold" if style in ("title", "headline", "heading") else "normal",
                color="#C00000" if style == "headline" and brief.checks_problems else "black",
                va="top",
                parse_math=False,  # workbook text ($ signs, backslashes) is text, never TeX
            )
            y -= sizes[style] / 11.69 / 72 * 1.45
        if style == "headline":
            y -= 0.01
    chart_top = y - 0.04  # the charts follow the text, not the foot of the page
    for k, kind in enumerate(("costs", "breakeven") if not brief.checks_problems else ()):
        axes = page.add_axes((0.08 + 0.47 * k, chart_top - 0.26, 0.38, 0.24))
        (_cost_chart if kind == "costs" else _breakeven_chart)(brief, axes)
    buffer = io.BytesIO()
    page.savefig(buffer, format="pdf")
    pyplot.close(page)
    if y < 0.33:  # the text would run into the charts
        raise WorkbookError("the brief does not fit on one page")
    return buffer.getvalue()


def html_bytes(brief: Brief) -> bytes:
    """The brief as one self-contained HTML page (charts inlined), for e-mail."""
    from matplotlib import pyplot

    charts = []
    for kind in ("costs", "breakeven") if not brief.checks_problems else ():
        figure = _figure(brief, kind)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        pyplot.close(figure)
        charts.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    tags = {"title": "h1", "headline": "p class=headline", "heading": "h2", "body": "p", "small": "p class=small"}
    body = []
    for style, text in _lines(brief):
        tag = tags[style]
        body.append(f"<{tag}>{html.escape(text)}</{tag.split()[0]}>")
    images = "".join(f'<img alt="chart" src="data:image/png;base64,{data}">' for data in charts)
    style = (
        "body{font-family:sans-serif;max-width:820px;margin:auto}h1{font-size:1.4em}h2{font-size:1.05em}"
        ".headline{font-weight:bold;font-size:1.15em}.small{color:#595959;font-size:.85em}img{width:49%}"
    )
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>ftxl decision brief</title><style>{style}</style>"
    page += f"</head><body>{''.join(body)}<div>{images}</div></body></html>"
    return page.encode("utf-8")
