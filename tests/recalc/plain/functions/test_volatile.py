"""TODAY, NOW, RAND and RANDBETWEEN in the plain engine: the value of this moment, in the workbook's date system,
and a note on each cell that uses one (or reads one, or uses a name that does): its saved value was of its moment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import xlsxwriter

from ftxl.recalc.engines import ModelCache
from ftxl.recalc.values import CellError
from ftxl.recalc.workbook import recalculate
from tests.helpers.plain_cells import calc, left_to_another_engine


def test_today_and_now_are_this_moment_as_a_serial_number():
    before = dt.datetime.now()
    (today,), (now,) = calc("TODAY()")[0], calc("NOW()")[0]
    assert today == (before.date() - dt.date(1899, 12, 30)).days  # 1900 system: serial 61 is 1900-03-01
    assert today <= now < today + 1
    seconds = (before - before.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds()
    assert abs((now - today) * 86400 - seconds) < 5
    assert calc("YEAR(TODAY())") == [[float(before.year)]]


def test_random_numbers_are_drawn_each_time_within_excels_bounds():
    draws = [calc("RAND()")[0][0] for _ in range(200)]
    assert all(isinstance(d, float) and 0 <= d < 1 for d in draws) and len(set(draws)) > 190
    dice = {calc("RANDBETWEEN(1,6)")[0][0] for _ in range(300)}
    assert dice == {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}
    assert calc("RANDBETWEEN(-2,-2)") == [[-2.0]]
    assert calc("RANDBETWEEN(6,1)") == [[CellError("#NUM!")]]
    assert calc("RANDBETWEEN(1/0,6)") == [[CellError("#DIV/0!")]]
    assert "whole numbers" in left_to_another_engine("RANDBETWEEN(1.5,6)")  # Excel's rounding there: unsure


def test_each_cell_that_moves_with_the_clock_or_a_draw_carries_a_note(tmp_path: Path):
    path = tmp_path / "model.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": True})
    sheet = book.add_worksheet("S")
    book.define_name("ValuationDate", "=TODAY()")
    sheet.write_formula("A1", "=ValuationDate", None, 0)
    sheet.write_formula("A2", "=A1+30")
    sheet.write_formula("A3", "=RAND()")
    sheet.write_formula("A4", "=2+2")
    book.close()
    result = recalculate(path, tmp_path / "out.xlsx", ModelCache())
    assert result.ok and result.engine == "plain", (result.error, result.engine)
    cells = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]
    assert cells["A1"].value == (dt.date.today() - dt.date(1904, 1, 1)).days  # the workbook's 1904 system
    assert cells["A2"].value == cells["A1"].value + 30
    assert {"S!A1", "S!A2", "S!A3"} <= set(result.warned_cells) and "S!A4" not in result.warned_cells
    noted = [w for w in result.every_warning if "volatile: recomputed now" in w]
    assert any(w.startswith("S!A1") and "TODAY" in w for w in noted) and any(w.startswith("S!A3") for w in noted)
