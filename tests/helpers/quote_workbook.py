"""A realistic quote workbook (Inputs Low / Base / High, Results with ftxl's or native formulas) and filled copies
of it: what the recalc tests and `bench_recalc.py` both run on."""

from __future__ import annotations

import random
from pathlib import Path

import xlsxwriter

SCENARIOS = ("B", "C", "D")  # low / base / high
INPUTS = [
    ("Events per day", (3000, 5000, 8000)),
    ("Horizon (days)", (90, 180, 365)),
    ("Handling time (s)", (20, 30, 45)),
    ("Hourly cost (EUR)", (18, 20, 25)),
    ("Cost wrong subclass (EUR)", (1, 2, 3)),
    ("Cost wrong department (EUR)", (6, 8, 12)),
    ("Human top-level accuracy", (0.93, 0.95, 0.97)),
    ("Human full-route accuracy", (0.75, 0.80, 0.85)),
    ("Prompted top-level accuracy", (0.97, 0.98, 0.99)),
    ("Prompted full-route accuracy", (0.90, 0.93, 0.95)),
    ("Fine-tuned top-level accuracy", (0.98, 0.99, 0.995)),
    ("Fine-tuned full-route accuracy", (0.94, 0.96, 0.97)),
    ("Prompted inference (EUR/event)", (0.04, 0.06, 0.09)),
    ("Fine-tuned inference (EUR/event)", (0.01, 0.015, 0.02)),
    ("Review share", (0.0, 0.05, 0.1)),
    ("Review cost (EUR)", (0.5, 1.0, 1.5)),
    ("Investment (EUR)", (30000, 40000, 60000)),
]
ROW = {label: index + 2 for index, (label, _) in enumerate(INPUTS)}


def _formulas(col: str, native: bool) -> list[tuple[str, str]]:
    """(label, formula) rows of the Results sheet for one scenario column."""

    def i(label: str) -> str:
        return f"Inputs!{col}{ROW[label]}"

    rows: list[tuple[str, str]] = []
    human = (
        f"{i('Handling time (s)')}/3600*{i('Hourly cost (EUR)')}"
        if native
        else (f"HUMAN_COST_PER_EVENT({i('Handling time (s)')},{i('Hourly cost (EUR)')})")
    )
    rows.append(("Human handling (EUR)", "=" + human))
    for option, top, full in (
        ("Human", "Human top-level accuracy", "Human full-route accuracy"),
        ("Prompted", "Prompted top-level accuracy", "Prompted full-route accuracy"),
        ("Fine-tuned", "Fine-tuned top-level accuracy", "Fine-tuned full-route accuracy"),
    ):
        rows += [
            (f"{option} correct", f"={i(full)}"),
            (f"{option} wrong subclass", f"={i(top)}-{i(full)}"),
            (f"{option} wrong department", f"=1-{i(top)}"),
        ]
    rows.append(("Bucket costs", "=0"))
    rows.append(("", f"={i('Cost wrong subclass (EUR)')}"))
    rows.append(("", f"={i('Cost wrong department (EUR)')}"))
    base = 2  # Results row of "Human handling"
    shares = {"Human": base + 1, "Prompted": base + 4, "Fine-tuned": base + 7}
    costs = f"{col}{base + 10}:{col}{base + 12}"
    for option, first in shares.items():
        block = f"{col}{first}:{col}{first + 2}"
        formula = f"SUMPRODUCT({block},{costs})" if native else f"EXPECTED_ERROR_COST({block},{costs})"
        rows.append((f"{option} error cost (EUR)", "=" + formula))
    err = {name: base + 13 + k for k, name in enumerate(shares)}
    unit = {
        "Human": f"{col}{base}",
        "Prompted": i("Prompted inference (EUR/event)"),
        "Fine-tuned": i("Fine-tuned inference (EUR/event)"),
    }
    share, review = i("Review share"), i("Review cost (EUR)")
    for option in shares:
        e = f"{col}{err[option]}"
        formula = (
            f"{unit[option]}+{e}+{share}*{review}" if native else f"COST_PER_EVENT({e},{unit[option]},{share},{review})"
        )
        rows.append((f"{option} cost per event (EUR)", "=" + formula))
    c = {name: f"{col}{base + 16 + k}" for k, name in enumerate(shares)}
    v, h, inv = i("Events per day"), i("Horizon (days)"), i("Investment (EUR)")
    for option in shares:
        rows.append((f"{option} cost per day (EUR)", f"={c[option]}*{v}"))
    n = f"({v}*{h})"
    cp, cft = c["Prompted"], c["Fine-tuned"]
    ep, eft = f"{col}{err['Prompted']}", f"{col}{err['Fine-tuned']}"
    if native:
        rows += [
            ("Break-even (days)", f"=IF({cp}>{cft},{inv}/({v}*({cp}-{cft})),NA())"),
            ("Net savings (EUR)", f"={n}*({cp}-{cft})-{inv}"),
            ("Max investment (EUR)", f"={n}*({cp}-{cft})"),
            ("Max premium (EUR/event)", f"=({ep}-{eft})-{inv}/{n}"),
            ("Amortised cost (EUR/event)", f"={cft}+{inv}/{n}"),
        ]
    else:
        rows += [
            ("Break-even (days)", f"=BREAKEVEN_DAYS({inv},{v},{cp},{cft})"),
            ("Net savings (EUR)", f"=NET_SAVINGS({n},{cp},{cft},{inv})"),
            ("Max investment (EUR)", f"=MAX_FT_INVESTMENT({n},{cp},{cft})"),
            ("Max premium (EUR/event)", f"=MAX_COST_PREMIUM({ep},{eft},{inv},{n})"),
            ("Amortised cost (EUR/event)", f"=AMORTIZED_COST_PER_EVENT({cft},{inv},{n})"),
        ]
    last = base + len(rows) - 1
    rows += [
        ("Savings vs human (EUR/day)", f"=ROUND(({c['Human']}-{cft})*{v},2)"),
        ("Automate?", f'=IF(MIN({cp},{cft})<{c["Human"]},"automate","keep people")'),
        ("Fine-tune?", f'=IF({col}{last - 3}>0,"fine-tune","stay prompted")'),
        (
            "Cheapest option",
            f'=INDEX({{"Human","Prompted","Fine-tuned"}},MATCH(MIN({c["Human"]},{cp},{cft}),'
            f"CHOOSE({{1,2,3}},{c['Human']},{cp},{cft}),0))",
        ),
    ]
    return rows


def write_template(path: Path, values: dict[str, tuple[float, float, float]], native: bool) -> None:
    """The benchmark template: Inputs (low/base/high) and Results, with ftxl or native formulas."""
    book = xlsxwriter.Workbook(str(path))
    inputs = book.add_worksheet("Inputs")
    inputs.write_row("A1", ["Input", "Low", "Base", "High"])
    for label, row in ROW.items():
        inputs.write(f"A{row}", label)
        inputs.write_row(f"B{row}", values[label])
    results = book.add_worksheet("Results")
    results.write_row("A1", ["Result", "Low", "Base", "High"])
    for col in SCENARIOS:
        for offset, (label, formula) in enumerate(_formulas(col, native)):
            results.write(f"A{offset + 2}", label)
            results.write_formula(f"{col}{offset + 2}", formula)
    results.write("F1", "Totals")
    results.write_formula("F2", "=SUM(B2:D40)")
    results.write_formula("F3", "=AVERAGE(B19:D19)")
    book.close()


def filled_copies(folder: Path, copies: int, native: bool, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(copies):
        values = {
            label: tuple(
                v * rng.uniform(0.97, 1.0) if v < 1 else round(v * rng.uniform(0.8, 1.2)) for v in low_base_high
            )
            for label, low_base_high in INPUTS
        }
        path = folder / f"quote_{k:03d}.xlsx"
        write_template(path, values, native)  # type: ignore[arg-type]
        paths.append(path)
    return paths
