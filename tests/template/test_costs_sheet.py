"""The Costs sheet (issue 24) through `ftxl recalc`: each case of the issue computed in the workbook, the example's
figures as the builder makes them, and a row switched to Costs on Inputs feeding the decision."""

from __future__ import annotations

import json
import socket
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import EXAMPLE_WORKBOOK
from helpers.template_files import parts

from ftxl.analysis import example_ranges
from ftxl.cli import cli
from ftxl.costs import FEEDS, build, insurance_costs
from ftxl.finetune_economics import finetune_economics
from ftxl.recalc.ooxml.worksheet import patch
from ftxl.template.layout import Layout
from ftxl.template.ranges import template_ranges

INPUTS_PART, COSTS_PART = "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"
LAYOUT = Layout()
BASE = 2


def costs_ref(name: str, column: int = BASE) -> str:
    return "BCD"[column - 1] + str(LAYOUT.cost_rows[name] + 1)


def edit(source: Path, target: Path, changes: dict[str, dict[str, object]]) -> None:
    """A copy of `source` with cells of some parts set, as a user typing them would leave them."""
    members = parts(source)
    for part, values in changes.items():
        members[part], missing = patch(members[part], values)
        assert not missing, missing
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)


def recalc(path: Path) -> Path:
    out = path.parent / "out"
    result = CliRunner().invoke(cli, ["recalc", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / path.name


def costs_values(path: Path) -> dict[str, list[object]]:
    sheet = openpyxl.load_workbook(path, data_only=True)["Costs"]
    return {
        name: [sheet.cell(row + 1, column + 1).value for column in (1, 2, 3)] for name, row in LAYOUT.cost_rows.items()
    }


@pytest.fixture(scope="module")
def issue_cases(tmp_path_factory) -> dict[str, list[object]]:
    """The example with the issue's cases typed in Base: 800 and 20 tokens of gpt-4o; 2 GPUs at $2 an hour."""
    folder = tmp_path_factory.mktemp("issue")
    source = folder / "issue_cases.xlsx"
    typed = {"input_tokens": 800, "output_tokens": 20, "gpu_hourly_price": 2.0, "gpu_rate": 0.92}
    edit(EXAMPLE_WORKBOOK, source, {COSTS_PART: {costs_ref(name): value for name, value in typed.items()}})

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a network call was attempted")

    with pytest.MonkeyPatch.context() as offline:  # API_PRICE reads the bundled table: no network
        offline.setattr(socket.socket, "connect", refuse)
        offline.setattr(socket, "getaddrinfo", refuse)
        return costs_values(recalc(source))


def test_the_issue_cases_in_the_workbook(issue_cases):
    base = {name: values[BASE - 1] for name, values in issue_cases.items()}
    assert base["input_price"] == 2.5 and base["output_price"] == 10  # gpt-4o in the price table, 2026-12-01
    assert base["api_tokens_cost"] == pytest.approx((800 * 2.5 + 20 * 10) / 1e6 * 0.92, abs=1e-15)  # 0.002024
    assert base["gpus"] == 2  # the replicas decide: the peak hour needs one
    assert base["gpu_per_day"] == pytest.approx(2 * 24 * 2.0 * 0.92)  # 88.32
    assert base["gpu_per_event"] == pytest.approx(88.32 / 5000)  # 0.017664
    # waiting at the example's 4 EUR a day with 4 free hours: a 24-hour batch window costs 20/24 x 4 ...
    assert base["batch_total"] - base["api_batch_cost"] == pytest.approx(4 * 20 / 24)
    assert base["batch_total"] > base["realtime_total"]  # dearer than any discount
    # ... a self-hosted batch every 4 hours costs nothing in delay
    assert base["scheduled_total"] == base["scheduled_per_event"]


def test_the_example_sheet_is_the_builder_in_every_figure():
    values = costs_values(EXAMPLE_WORKBOOK)
    report = build(insurance_costs())
    base = {name: v[BASE - 1] for name, v in values.items()}
    assert base["api_tokens_cost"] == pytest.approx(report.api_cost)
    assert base["gpu_per_event"] == pytest.approx(report.always_on.cost_per_event)
    assert base["scheduled_per_event"] == pytest.approx(report.scheduled.cost_per_event)
    assert base["rate_limit_monthly"] == pytest.approx(report.rate_limit_monthly)
    assert base["rate_limit_wait"] == pytest.approx(report.rate_limit.average_wait_hours)
    assert base["silent_monthly"] == pytest.approx(report.silent_change_monthly)
    assert base["deprecation_monthly"] == pytest.approx(625.0)
    assert base["investment_total"] == pytest.approx(40_000.0)
    assert base["running_monthly"] == pytest.approx(1_300.0)
    for name in FEEDS:
        assert base[f"built_{name}"] == pytest.approx(report.feeds[name]), name
    # the worked example types its figures, so the model uses them: the example stays exactly as it was
    typed = example_ranges()
    for name in FEEDS:
        assert values[f"used_{name}"] == pytest.approx(list(typed[name])), name
    assert base["cheapest_serving"] == "Scheduled"
    sheet = openpyxl.load_workbook(EXAMPLE_WORKBOOK, data_only=True)["Costs"]
    note = sheet.cell(LAYOUT.cost_rows["price_table"] + 1, 2).value
    assert note.startswith("genai-prices 0.2.5 (bundled snapshot, newest price change dated 20")  # shown, not fetched


def test_a_fresh_template_shows_no_error_on_costs():
    blank = Path(EXAMPLE_WORKBOOK).with_name("ftxl_blank.xlsx")
    values = costs_values(blank)
    errors = {n: v for n, vs in values.items() for v in vs if isinstance(v, str) and v.startswith("#")}
    assert not errors


@pytest.fixture(scope="module")
def fed(tmp_path_factory) -> Path:
    """The example with every row the builder can feed switched to Costs, and the typed cells emptied."""
    folder = tmp_path_factory.mktemp("fed")
    source = folder / "fed.xlsx"
    froms = {f"E{LAYOUT.input_rows[name] + 1}": "Costs" for name in FEEDS}
    edit(EXAMPLE_WORKBOOK, source, {INPUTS_PART: froms})
    return recalc(source)


def test_rows_taken_from_costs_feed_the_decision(fed):
    book = openpyxl.load_workbook(fed, data_only=True)
    report = build(insurance_costs())
    assert book["Inputs"]["N5"].value is not None  # the first rule's count, beside Inputs
    flag = book.defined_names["checks_flag"]
    ((sheet, ref),) = flag.destinations
    assert book[sheet][ref.replace("$", "")].value == "All 10 checks pass"
    values = {name: lbh[1] for name, lbh in example_ranges().items()} | report.feeds
    expected = finetune_economics(values)
    ((sheet, ref),) = book.defined_names["out_net_savings_base"].destinations
    assert book[sheet][ref.replace("$", "")].value == pytest.approx(expected.net_savings, rel=1e-9)
    costs = costs_values(fed)
    for name in FEEDS:  # Low and High: the lowest and highest column of the builder
        built = costs[f"built_{name}"]
        assert costs[f"used_{name}"] == pytest.approx([min(built), built[1], max(built)]), name  # type: ignore[type-var]
    # the analysis reads what the model uses, not the typed cells
    ranges = template_ranges(fed)
    assert ranges["prompted_monthly"] == pytest.approx(tuple(costs["used_prompted_monthly"]))
    assert ranges["investment"] == pytest.approx((23_200, 40_000, 71_740))
    # and so does the tornado: the API's monthly costs swing net savings by 6 x (3,814.06 - 409.72) a month
    result = CliRunner().invoke(cli, ["analyse", str(fed), "--json", "--draws", "200"])
    assert result.exit_code == 0, result.output
    bars = {bar["input"]: bar for bar in json.loads(result.output)["tornado"]}
    monthly = costs["used_prompted_monthly"]
    assert bars["prompted_monthly"]["swing"] == pytest.approx((monthly[2] - monthly[0]) * 180 / (365 / 12), rel=1e-9)  # type: ignore[operator]


def test_a_row_taken_from_costs_without_figures_is_a_failed_check(tmp_path):
    source = tmp_path / "empty_costs.xlsx"
    blank = Path(EXAMPLE_WORKBOOK).with_name("ftxl_blank.xlsx")
    edit(blank, source, {INPUTS_PART: {f"E{LAYOUT.input_rows['investment'] + 1}": "Costs"}})
    book = openpyxl.load_workbook(recalc(source), data_only=True)
    checks = {row[12]: row[13] for row in book["Inputs"].iter_rows(min_row=5, max_row=14, values_only=True)}
    assert checks["Rows taken from Costs have a figure there in Low, Base and High"] == 3
    assert checks["Every required input is filled in"] > 0  # the other rows, still empty; investment is not counted
