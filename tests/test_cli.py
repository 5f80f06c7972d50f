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
        "48.48",
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
