"""Decision analysis (issue 12, the Python core): costs over time, tornado, switch values, simulation."""

from __future__ import annotations

import pytest
from helpers import EXAMPLE_WORKBOOK

from ftxl import analysis
from ftxl.errors import InputError
from ftxl.use_case import insurance_example

BASE = analysis.base_inputs(insurance_example(180))
RANGES = analysis.example_ranges()


def test_with_every_new_input_at_its_default_the_closed_forms_hold():
    result = analysis.outcome(BASE)
    assert result.net_savings == pytest.approx(108_500)
    assert result.total_costs == pytest.approx({"human": 780_000, "prompted": 288_000, "finetuned": 179_500})
    assert analysis.model.OPTION_KEYS[result.choice] == "finetuned"
    assert analysis.outcome(BASE, horizon_days=1600 / 33).net_savings == pytest.approx(0, abs=1e-6)  # break-even


def test_costs_over_time_follow_the_stated_convention():
    one_year = {**BASE, "horizon_days": 365.0}
    grown = analysis.outcome({**one_year, "volume_growth": 0.10})
    flat = analysis.outcome(one_year)
    expected_events = 5000 * sum(1.1 ** (d / 365) for d in range(1, 366))
    assert grown.total_costs["human"] == pytest.approx(expected_events * 13 / 15, rel=1e-12)
    discounted = analysis.outcome({**one_year, "discount_rate": 0.08})
    assert discounted.total_costs["human"] == pytest.approx(
        sum(5000 * 13 / 15 * 1.08 ** (-d / 365) for d in range(1, 366)), rel=1e-12
    )
    monthly = analysis.outcome({**one_year, "finetuned_monthly": 1000.0})
    assert monthly.total_costs["finetuned"] - flat.total_costs["finetuned"] == pytest.approx(12_000)
    delayed = analysis.outcome({**one_year, "golive_delay_days": 30.0})
    # for 30 days the prompted model (the cheaper other option) keeps running
    assert delayed.total_costs["finetuned"] - flat.total_costs["finetuned"] == pytest.approx(30 * 5000 * 0.165)
    cheaper_api = analysis.outcome({**one_year, "api_price_change": -0.5})
    assert cheaper_api.total_costs["prompted"] < flat.total_costs["prompted"]


def test_the_tornado_of_the_example():
    bars = {bar.name: bar for bar in analysis.tornado(RANGES)}
    assert (bars["prompted_top_level_accuracy"].low, bars["prompted_top_level_accuracy"].high) == pytest.approx(
        (162_500, 54_500)
    )
    assert (bars["events_per_day"].low, bars["events_per_day"].high) == pytest.approx((78_800, 138_200))
    assert (bars["investment"].low, bars["investment"].high) == pytest.approx((118_500, 88_500))
    assert all(bar.swing == pytest.approx(0) for name, bar in bars.items() if name.startswith(("human", "handling")))
    swings = [bar.swing for bar in analysis.tornado(RANGES)]
    assert swings == sorted(swings, reverse=True)


def test_switch_values_of_the_example():
    base = {name: lbh[1] for name, lbh in RANGES.items()}
    names = ["investment", "finetuned_unit_cost", "events_per_day", "horizon_days", "handling_seconds"]
    found = {s.name: s for s in analysis.switch_values(base, names)}
    assert found["investment"].above == pytest.approx(148_500, rel=1e-8) and found["investment"].below is None
    assert found["finetuned_unit_cost"].above == pytest.approx(0.06 + 17 / 225, rel=1e-8)
    assert found["events_per_day"].below == pytest.approx(40_000 / (180 * 0.165), rel=1e-8)  # 1,346.80
    assert found["horizon_days"].below == pytest.approx(1600 / 33, rel=1e-8)
    assert str(found["handling_seconds"]).startswith("none in [0, ")


def test_worst_and_best_case_take_each_input_at_its_harmful_end():
    worst, best = analysis.extremes(RANGES)
    assert worst["investment"] == 60_000 and best["investment"] == 30_000
    assert worst["prompted_top_level_accuracy"] == RANGES["prompted_top_level_accuracy"][2]
    assert analysis.outcome(worst).net_savings < analysis.outcome(best).net_savings


def test_simulation_of_the_investment_alone():
    ranges = {name: (lbh[1],) * 3 for name, lbh in RANGES.items()}
    ranges["investment"] = (30_000.0, 40_000.0, 60_000.0)
    result = analysis.simulate(ranges, 100_000, seed=7, distribution="triangular")
    assert result.mean == pytest.approx(148_500 - 130_000 / 3, rel=0.005)  # 105,166.67 within 0.5%
    assert result.p_finetune_cheapest == 1.0 and result.p_breakeven_within_horizon == 1.0


def test_a_degenerate_simulation_is_the_base_case():
    ranges = {name: (lbh[1],) * 3 for name, lbh in RANGES.items()}
    result = analysis.simulate(ranges, 1000)
    assert all(value == pytest.approx(108_500) for value in result.percentiles.values())
    assert result.evpi == pytest.approx(0, abs=1e-6)


def test_the_simulation_is_seeded_and_reproducible():
    assert analysis.simulate(RANGES, 2000, seed=3) == analysis.simulate(RANGES, 2000, seed=3)
    assert analysis.simulate(RANGES, 2000, seed=3) != analysis.simulate(RANGES, 2000, seed=4)


def test_bad_inputs_are_named():
    with pytest.raises(InputError, match="unknown input 'volume'"):
        analysis.outcome({**BASE, "volume": 1.0})
    with pytest.raises(InputError, match="input 'investment' is missing"):
        analysis.outcome({k: v for k, v in BASE.items() if k != "investment"})
    with pytest.raises(InputError, match="Low 3, Base 2, High 4 must be in that order"):
        analysis.draw({"investment": (3.0, 2.0, 4.0)}, 10)


def test_analyse_the_example_and_the_example_workbook_alike():
    import json

    from click.testing import CliRunner

    from ftxl.cli import cli

    workbook = EXAMPLE_WORKBOOK
    reports = []
    for source in (["--example", "insurance"], [str(workbook)]):
        result = CliRunner().invoke(cli, ["analyse", *source, "--draws", "2000", "--json"])
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.output))
    assert reports[0] == reports[1]
    report = reports[0]
    assert report["base_net_savings"] == pytest.approx(108_500)
    assert report["tornado"][0]["input"] == "prompted_top_level_accuracy"
    switches = {s["input"]: s for s in report["switch_values"]}
    assert switches["investment"]["above"] == pytest.approx(148_500, rel=1e-8)


def test_analyse_refuses_a_workbook_it_would_read_differently(tmp_path):
    import zipfile

    import openpyxl
    from click.testing import CliRunner

    from ftxl.cli import cli
    from ftxl.recalc.ooxml.worksheet import patch

    example = EXAMPLE_WORKBOOK
    ((_, ref),) = openpyxl.load_workbook(example).defined_names["human_share_wrong_subclass_typed"].destinations
    edited = tmp_path / "typed.xlsx"
    with zipfile.ZipFile(example) as old, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":  # Inputs
                data, _ = patch(data, {ref.replace("$", "").split(":")[0]: 0.1})
            new.writestr(info, data)
    result = CliRunner().invoke(cli, ["analyse", str(edited), "--draws", "200"])
    assert result.exit_code == 1 and "human_share_wrong_subclass_typed is filled in" in result.output


def _brute_force_net(inputs: dict[str, float], discounted: bool) -> list[float]:
    """Fine-tuning's cumulative savings against the best other option, day by day, summed in a plain loop
    from the stated convention (whole days only)."""
    costs = analysis.per_event_costs(inputs)
    rate = inputs.get("discount_rate", 0.0) if discounted else 0.0
    growth, price = inputs.get("volume_growth", 0.0), inputs.get("api_price_change", 0.0)
    delay, month = inputs.get("golive_delay_days", 0.0), 365 / 12
    human, prompted = 0.0, inputs.get("prompted_one_off", 0.0)
    finetuned, waiting_h, waiting_p = inputs["investment"], 0.0, 0.0
    net = []
    for day in range(1, 400):
        factor, events = (1 + rate) ** (-day / 365), inputs["events_per_day"] * (1 + growth) ** (day / 365)
        api = costs["prompted_inference"] * (1 + price) ** (day / 365) + costs["prompted"] - costs["prompted_inference"]
        day_h = costs["human"] * events * factor
        day_p = (api * events + inputs.get("prompted_monthly", 0.0) / month) * factor
        human, prompted = human + day_h, prompted + day_p
        if day <= delay:
            waiting_h, waiting_p = waiting_h + day_h, waiting_p + day_p
        else:
            finetuned += (costs["finetuned"] * events + inputs.get("finetuned_monthly", 0.0) / month) * factor
        net.append(min(human, prompted) - (finetuned + min(waiting_h, waiting_p)))
    return net


def test_the_break_even_day_with_constant_flows_is_investment_over_daily_saving():
    assert analysis.breakeven_day(BASE) == pytest.approx(40_000 / 825, rel=1e-12)
    assert analysis.discounted_payback(BASE) == pytest.approx(40_000 / 825, rel=1e-12)  # no rate: the same
    assert analysis.npv(BASE) == pytest.approx(108_500, rel=1e-12)


def test_break_even_and_payback_follow_the_day_by_day_cash_flows():
    case = {**BASE, "golive_delay_days": 20.0, "finetuned_monthly": 3000.0, "prompted_one_off": 5000.0}
    case |= {"volume_growth": 0.3, "api_price_change": -0.2, "discount_rate": 0.1}
    for discounted, found in ((False, analysis.breakeven_day(case)), (True, analysis.discounted_payback(case))):
        net = _brute_force_net(case, discounted)
        first = next(day for day, value in enumerate(net, start=1) if value >= 0)
        assert first - 1 < found <= first  # within the day the loop first sees it
        before = net[first - 2]
        assert found == pytest.approx(first - 1 + -before / (net[first - 1] - before), rel=1e-9)
    assert analysis.discounted_payback(case) > analysis.breakeven_day(case)


def test_a_break_even_that_never_comes_is_infinite():
    assert analysis.breakeven_day({**BASE, "finetuned_unit_cost": 1.0}) == float("inf")


def test_cost_curves_start_with_the_one_off_costs():
    curves = analysis.cost_curves({**BASE, "prompted_one_off": 7000.0}, [0.0, 1.0, 180.0])
    assert curves["finetuned"][0] == 40_000 and curves["prompted"][0] == 7_000 and curves["human"][0] == 0
    assert curves["finetuned"][2] == pytest.approx(179_500)


def test_the_excel_functions_of_the_analysis_give_the_issue_figures():
    from ftxl import cell_functions as cells

    names, base = [[n] for n in BASE], [[v] for v in BASE.values()]
    low, mid, high = ([[RANGES.get(n, (v, v, v))[k]] for n, v in BASE.items()] for k in range(3))
    assert cells.answer(cells.total_costs_over_time, names, base) == [pytest.approx([780_000, 288_000, 179_500])]
    assert cells.answer(cells.finetune_npv, names, base) == pytest.approx(108_500)
    assert cells.answer(cells.payback_days, names, base, True) == pytest.approx(48.4848484848, rel=1e-9)
    assert cells.answer(cells.switch_value, names, base, "investment") == pytest.approx(148_500, rel=1e-9)
    assert cells.answer(cells.switch_value, names, base, "finetuned_unit_cost") == pytest.approx(0.135556, rel=1e-5)
    tornado = cells.answer(cells.sensitivity, names, low, mid, high)
    assert tornado[0][:3] == ["prompted_top_level_accuracy", pytest.approx(162_500), pytest.approx(54_500)]
    assert len(tornado) == len(BASE)  # every input, those without a range last with a swing of 0
    cases = cells.answer(cells.sensitivity, names, low, mid, high, "cases")
    assert [row[0] for row in cases] == ["Worst case", "Base", "Best case"] and cases[1][1] == pytest.approx(108_500)
    simulation = cells.answer(cells.sensitivity, names, low, mid, high, "simulation", 2000, 1)
    assert [row[0] for row in simulation] == list(cells.SIMULATION_LABELS)
    assert cells.answer(cells.switch_value, names, base, "human_review_cost").code == "#NUM!"
    refused = cells.answer(cells.finetune_npv, names, [[v] for v in BASE.values()][:-1])
    assert refused.code == "#VALUE!" and "give one value per name" in refused.reason


def test_a_break_even_that_a_falling_api_price_takes_back_still_counts():
    # the API price falls 99 % a year: fine-tuning pays back by day 69, then the cheaper API wins it back
    case = {**BASE, "horizon_days": 720.0, "api_price_change": -0.99, "prompted_unit_cost": 0.5}
    case |= {"finetuned_unit_cost": 0.16, "investment": 100_000.0}
    assert analysis.breakeven_day(case) < 720 and analysis.npv(case) < 0
    fixed = {name: (value, value, value) for name, value in case.items()}
    assert analysis.simulate(fixed, 200).p_breakeven_within_horizon == 1.0
    assert analysis.simulate({**fixed, "investment": (150_000.0,) * 3}, 200).p_breakeven_within_horizon == 0.0
