"""The first hour of a new user (issue 22): a sample log that ships, the template's own Labels sheet, one case
from a file or options, and LibreOffice's TRUE() in the plain engine."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import EXAMPLE_WORKBOOK, TEMPLATES

from ftxl.cli import cli

SAMPLE = TEMPLATES / "sample_routing_log.csv"


def _shares(output: str) -> dict[str, float]:
    return {name: share["share"] for name, share in json.loads(output)["shares"].items()}


def test_the_shipped_sample_log_gives_the_worked_examples_buckets():
    result = CliRunner().invoke(
        cli, ["buckets", str(SAMPLE), "--true", "true_route", "--pred", "routed_route", "--by", "channel", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert _shares(result.output) == pytest.approx({"correct": 0.8, "wrong_subclass": 0.15, "wrong_department": 0.05})
    assert set(json.loads(result.output)["groups"]) == {"email", "letter", "web form"}


def test_buckets_reads_the_templates_labels_sheet():
    args = ["--sheet", "Labels", "--true", "True route (where it belonged)", "--pred", "Routed by: Human process"]
    result = CliRunner().invoke(cli, ["buckets", str(EXAMPLE_WORKBOOK), *args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["events"] == 10_000
    assert _shares(result.output) == pytest.approx({"correct": 0.8, "wrong_subclass": 0.15, "wrong_department": 0.05})


def test_a_missing_sheet_is_named():
    result = CliRunner().invoke(cli, ["buckets", str(EXAMPLE_WORKBOOK), "--sheet", "Log", "--true", "a", "--pred", "b"])
    assert result.exit_code != 0 and "no sheet 'Log'" in result.output and "Labels" in result.output


def test_true_and_false_as_functions_stay_in_the_plain_engine(tmp_path):
    import xlsxwriter

    from ftxl.recalc.workbook import ModelCache, recalculate

    path = tmp_path / "logicals.xlsx"
    book = xlsxwriter.Workbook(str(path))
    page = book.add_worksheet("S")
    page.write_formula("A1", "=TRUE()")
    page.write_formula("A2", "=IF(FALSE(),1,2)")
    page.write_formula("A3", "=AND(TRUE(),A1)")
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache())
    assert result.ok and result.engine == "plain" and not result.warnings
    cells = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]
    assert (cells["A1"].value, cells["A2"].value, cells["A3"].value) == (True, 2, True)


def test_one_case_from_options_gives_the_templates_figures():
    """Case A of issue 20, from options alone: the same figures and verdict as the template gives."""
    args = ["--from-example", "--set", "handling_seconds=10"]
    args += ["--set", "human_top_level_accuracy=0.99", "--set", "human_full_route_accuracy=0.97", "--json"]
    result = CliRunner().invoke(cli, ["case", *args])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["decision"] == "Keep the human process"
    assert found["finetuning"]["net_savings"] == pytest.approx(-21_500)
    assert found["finetuning"]["max_investment"] == pytest.approx(18_500)
    assert found["finetuning"]["breakeven_text"] == "not within the 180-day horizon (day 389)"


def test_one_case_from_a_toml_file(tmp_path):
    from ftxl import analysis

    lines = [f"{name} = {lbh[1]!r}" for name, lbh in analysis.example_ranges().items()]
    path = tmp_path / "case.toml"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        cli, ["case", str(path), "--set", "finetuned_monthly=2500", "--set", "investment=25000"]
    )
    assert result.exit_code == 0, result.output
    assert "Fine-tune" in result.output and "€108,705.48" in result.output and "day 33.66" in result.output


@pytest.mark.parametrize(
    "args, says",
    [
        (["--set", "investment"], "NAME=VALUE"),
        (["--from-example", "--set", "investment=lots"], "give a number"),
        (["--from-example", "--set", "horizon_days=-5"], "horizon_days = -5 must be above 0"),
        (["--from-example", "--set", "profit=1"], "unknown input 'profit'"),
        ([], "give an INPUTS_FILE"),
    ],
)
def test_bad_case_inputs_are_named(args, says):
    result = CliRunner().invoke(cli, ["case", *args])
    assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output
