"""The `ftxl` command line, run through click's test runner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ftxl.cli import cli


def test_example_prints_the_worked_example():
    result = CliRunner().invoke(cli, ["example"], terminal_width=140)
    assert result.exit_code == 0, result.output
    for figure in (
        "€0.8667",
        "€4,333.33",
        "€0.3200",
        "€1,600.00",
        "€0.1550",
        "€775.00",
        "day 48.48",
        "€108,500.00",
        "€74,250.00",
        "€148,500.00",
        "€0.0311",
        "€0.0756",
        "€0.1994",
        "-€0.0450",
    ):
        assert figure in result.output, figure


def test_example_json_has_the_exact_figures():
    result = CliRunner().invoke(cli, ["example", "--json", "--horizon", "180"])
    assert result.exit_code == 0
    (evaluation,) = json.loads(result.output)
    assert abs(evaluation["net_savings"] - 108_500) < 1e-6


def test_bad_horizon_is_a_usage_error():
    result = CliRunner().invoke(cli, ["example", "--horizon", "0"])
    assert result.exit_code == 2 and "--horizon" in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["example", "--help"])
    assert "ftxl example --horizon 90 --horizon 180" in result.output


def test_missing_cli_extras_are_named():
    import subprocess
    import sys

    code = "import sys; sys.modules['click'] = None; from ftxl.__main__ import main; main()"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "pip install 'ftxl[cli]'" in run.stderr


def test_the_terminal_summary_reads_at_80_columns_with_8_workbooks(tmp_path):
    import shutil

    from helpers import TESTS

    example = TESTS.parent / "workbook_templates" / "ftxl_insurance_example.xlsx"
    (tmp_path / "in").mkdir()
    for k in range(8):
        shutil.copy(example, tmp_path / "in" / f"case_{k}.xlsx")
    result = CliRunner().invoke(
        cli, ["recalc", str(tmp_path / "in"), "--out", str(tmp_path / "out")], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    table = result.output[result.output.index("Summary") :].splitlines()
    assert all(len(line) <= 80 for line in table)
    rows = [line for line in table if "case_" in line]
    assert len(rows) == 8 and all("Fine-tune" in row and "108,500.00" in row and "48.48" in row for row in rows)
    assert "more outputs per workbook: --wide" in result.output
    assert rows[0].index("Fine-tune") < rows[0].index("108,500.00") < rows[0].index("48.48")  # decision first


def test_the_wide_summary_keeps_each_figures_scenarios_together():
    from ftxl.cli.tables import summary_view

    columns = ["workbook", "status", "cells", "warnings", "checks", "breakeven_days_high", "breakeven_days_low"]
    columns += ["decision_high", "decision_low", "decision_base", "breakeven_days_base", "max_cost_premium_base"]
    table = [{"checks": 0}]
    assert summary_view(columns, table, wide=False) == ["decision_base", "breakeven_days_base", "checks"]
    assert summary_view(columns, table, wide=True) == [
        "checks",
        "decision_base",
        "decision_low",
        "decision_high",
        "breakeven_days_base",
        "breakeven_days_low",
        "breakeven_days_high",
        "max_cost_premium_base",
    ]


def test_analyse_draws_the_tornado_and_the_distribution_as_png(tmp_path):
    import struct

    result = CliRunner().invoke(cli, ["analyse", "--example", "insurance", "--draws", "2000", "--plot", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("tornado.png", "distribution.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
        assert width >= 1000 and height >= 500, name
    assert f"wrote {tmp_path / 'tornado.png'}" in result.output


def test_analyse_says_why_it_cannot_write_the_plots(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    inside = blocker / "plots"
    result = CliRunner().invoke(cli, ["analyse", "--example", "insurance", "--draws", "200", "--plot", str(inside)])
    assert result.exit_code == 1 and f"cannot write the plots to {inside}" in result.output
    result = CliRunner().invoke(cli, ["analyse", "--example", "insurance", "--draws", "200", "--plot", str(blocker)])
    assert result.exit_code == 2 and "is a file" in result.output
