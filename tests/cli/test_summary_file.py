"""The --summary file (issue 22): columns in the terminal's order, numbers as Excel shows them at full precision,
and an error value in a column of its own, never in a column of figures."""

from __future__ import annotations

import csv
import re

from click.testing import CliRunner
from helpers import EXAMPLE_WORKBOOK
from helpers.template_files import edit_inputs, input_cell

from ftxl.cli import cli


def test_the_summary_csv_reads_like_the_terminal(tmp_path):
    never = tmp_path / "never.xlsx"  # fine-tuning dearer to run than prompting: it never breaks even
    edit_inputs(EXAMPLE_WORKBOOK, never, {input_cell("finetuned_unit_cost", k): 0.5 for k in range(3)})
    summary = tmp_path / "summary.csv"
    args = ["recalc", str(EXAMPLE_WORKBOOK), str(never), "--out", str(tmp_path / "out"), "--summary", str(summary)]
    result = CliRunner().invoke(cli, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    with summary.open(newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames or [], list(reader)
    assert columns[:8] == [
        "workbook",
        "status",
        "cells",
        "warnings",
        "checks",
        "decision_base",
        "decision_worst",
        "decision_best",
    ]
    assert columns.index("net_savings_base") < columns.index("net_savings_worst") < columns.index("net_savings_best")
    example, dear = rows
    assert example["finetuned_cost_per_event_base"] == "0.155"  # not 0.15500000000000014
    for row in rows:
        for column, text in row.items():
            if re.fullmatch(r"-?\d[\d.e+-]*", text or ""):
                assert len(re.sub(r"[^\d]", "", text.split("e")[0]).lstrip("0")) <= 15, (column, text)
            assert not (text or "").startswith("#"), (column, text)  # no error value among the figures
    assert dear["breakeven_days_base"] == "" and "breakeven_days_base: #NUM!" in dear["errors"]
    assert dear["breakeven_text_base"] == "never"
