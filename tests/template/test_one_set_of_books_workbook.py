"""One set of books through the workbook (issue 20): cases A, M and R computed by `ftxl recalc`, and the same
figure read from Results, Start, the summary names, the brief's text and chart data, and `ftxl analyse --json`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import EXAMPLE_WORKBOOK
from helpers.template_files import edit_inputs, input_cell, named_values
from helpers.workbooks import libreoffice

from ftxl.brief import _lines, pdf_bytes, read_brief
from ftxl.cli import cli

CHANGES = {
    "A": {"handling_seconds": 10.0, "human_top_level_accuracy": 0.99, "human_full_route_accuracy": 0.97},
    "M": {"finetuned_monthly": 25_000.0},
    "R": {"finetuned_monthly": 2_500.0, "investment": 25_000.0},
}
"""Each case's inputs, set in Low, Base and High alike on a copy of the example."""
EXPECTED = {
    "A": {
        "decision": "Keep the human process",
        "against": "the human process",
        "net_savings": -21_500.0,
        "breakeven_days": 389.19,
        "breakeven_text": "not within the 180-day horizon (day 389)",
        "max_ft_investment": 18_500.0,
        "max_finetuned_unit_cost": -0.008889,
        "max_unit_cost_text": "no inference price pays",
    },
    "M": {
        "decision": "Prompt the API model",
        "against": "the prompted model",
        "net_savings": -39_445.21,
        "breakeven_text": "not within the 180-day horizon (day 12,978)",
        "max_ft_investment": 554.79,
        "max_finetuned_unit_cost": -0.028828,
        "max_cost_premium": -0.088828,
        "max_unit_cost_text": "no inference price pays",
    },
    "R": {
        "decision": "Fine-tune",
        "against": "the prompted model",
        "net_savings": 108_705.48,
        "breakeven_days": 33.6561,
        "breakeven_text": "day 33.66",
        "max_ft_investment": 133_705.48,
    },
}
TOLERANCE = {"net_savings": 0.005, "max_ft_investment": 0.005, "breakeven_days": 0.005}


@pytest.fixture(scope="module")
def computed(tmp_path_factory) -> dict[str, tuple[Path, Path, dict[str, object]]]:
    """Case -> (the edited copy, its recalculated copy, its row of the --summary JSON)."""
    folder = tmp_path_factory.mktemp("cases")
    sources = []
    for case, changes in CHANGES.items():
        source = folder / f"case_{case}.xlsx"
        edit_inputs(EXAMPLE_WORKBOOK, source, {input_cell(n, k): v for n, v in changes.items() for k in range(3)})
        sources.append(source)
    out, summary = folder / "out", folder / "summary.json"
    result = CliRunner().invoke(cli, ["recalc", *map(str, sources), "--out", str(out), "--summary", str(summary)])
    assert result.exit_code == 0, result.output
    rows = {Path(row["workbook"]).name: row for row in json.loads(summary.read_text())}
    return {case: (s, out / s.name, rows[s.name]) for case, s in zip(CHANGES, sources, strict=True)}


def _matches(key: str, actual: object, expected: object) -> bool:
    if isinstance(expected, float):
        return isinstance(actual, (int, float)) and abs(actual - expected) <= TOLERANCE.get(key, 5e-7)
    return actual == expected


def _result(path: Path, key: str) -> object:
    """The Base cell of a result row (column C), read by openpyxl."""
    book = openpyxl.load_workbook(path, data_only=True)
    ((sheet, ref),) = book.defined_names[f"result_{key}"].destinations
    return book[sheet][ref.replace("$", "").split(":")[0].replace("B", "C")].value


@pytest.mark.parametrize("case", list(CHANGES))
def test_results_and_the_summary_names_agree_with_the_issue(computed, case):
    _, out, summary_row = computed[case]
    names = named_values(out)
    for key, expected in EXPECTED[case].items():
        if f"{key}_base" in names:
            assert _matches(key, names[f"{key}_base"], expected), (key, names[f"{key}_base"])
            assert _matches(key, summary_row[f"{key}_base"], expected), (key, summary_row[f"{key}_base"])
        assert _matches(key, _result(out, key), expected), (key, _result(out, key))
    net = names["net_savings_base"]
    assert names["net_savings_worst"] <= net <= names["net_savings_best"]  # type: ignore[operator]


@pytest.mark.parametrize("case", list(CHANGES))
def test_start_shows_the_same_figures(computed, case):
    _, out, _ = computed[case]
    start = openpyxl.load_workbook(out, data_only=True)["Start"]
    expected = EXPECTED[case]
    assert start["C5"].value == expected["decision"]
    assert _matches("net_savings", start["C6"].value, expected["net_savings"])
    assert start["C7"].value == expected["against"]
    assert start["C8"].value == expected["breakeven_text"]
    limits = start["B9"].value
    assert isinstance(limits, str) and expected["against"] in limits


@pytest.mark.parametrize("case", list(CHANGES))
def test_the_brief_text_and_chart_data_say_the_same(computed, case):
    source, out, _ = computed[case]
    brief = read_brief(out, source.name)
    expected = EXPECTED[case]
    text = "\n".join(line for _, line in _lines(brief))
    net = expected["net_savings"]
    shown = f"€{abs(net):,.0f}"  # type: ignore[arg-type]
    assert (f"−{shown}" if net < 0 else shown) in text  # type: ignore[operator]
    assert f"against {expected['against']}" in text
    assert expected["breakeven_text"] in text
    day, savings, one_off = brief.curve[-1]
    assert day == 180 and savings - one_off == pytest.approx(net, abs=0.005)


@pytest.mark.parametrize("case", list(CHANGES))
def test_analyse_json_says_the_same(computed, case):
    source, _, _ = computed[case]
    result = CliRunner().invoke(cli, ["analyse", str(source), "--json", "--draws", "200"])
    assert result.exit_code == 0, result.output
    base = json.loads(result.output)["base"]
    expected = EXPECTED[case]
    assert _matches("net_savings", base["net_savings"], expected["net_savings"])
    assert _matches("max_ft_investment", base["max_investment"], expected["max_ft_investment"])
    assert base["against_label"] == expected["against"]
    assert base["breakeven_text"] == expected["breakeven_text"]


@pytest.mark.libreoffice
def test_case_a_printed_shows_no_figure_against_prompting_without_saying_so(computed, tmp_path):
    """Rendered by LibreOffice (Start, Results) and by the brief's PDF: the old figures measured against
    prompting (net savings 108,500, break-even 48.5, largest investment 148,500) are gone, and the figures say
    they are against the human process."""
    _, out, _ = computed["A"]
    libreoffice("--convert-to", "pdf", "--outdir", str(tmp_path), str(out), profile=tmp_path / "profile")
    pdf = tmp_path / out.with_suffix(".pdf").name
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    brief_pdf = tmp_path / "brief.pdf"
    brief_pdf.write_bytes(pdf_bytes(read_brief(out, out.name)))
    brief = subprocess.run(["pdftotext", str(brief_pdf), "-"], capture_output=True, text=True, check=True).stdout
    for printed in (text, brief):
        assert "108,500" not in printed and "148,500" not in printed and "48.48" not in printed
        assert "21,500" in printed and "18,500" in printed
        assert "human process" in printed
    assert "not within the 180-day horizon" in text and "no inference price pays" in text
