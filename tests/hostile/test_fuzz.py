"""Property-based tests: arbitrary cell values and arbitrary small workbooks go through
reading and checking with no exception other than a reported problem."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from generator import schema
from generator.pipeline import check_folder
from generator.problems import CATALOGUE

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from station import station_data, write_station  # noqa: E402

pytestmark = pytest.mark.slow  # the full suite runs these; the fast lane leaves them out

FUZZ = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(
    lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
cell_values = st.one_of(
    st.none(), text, st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(date(1800, 1, 1), date(2200, 1, 1)), st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
    st.booleans(), st.sampled_from(["=1/0", "=A1", "壹仟元整", "2024年2月30日", "../../x", "CON", "是", "否",
                                    "\u200b", "<script>alert(1)</script>", "|[x](y)|", "1e12", "-0", "NaN"]),
)

SHEETS = [(b, s) for b, s in schema.all_sheets() if not s.settings]


def _assert_well_formed(problems):
    for p in problems:
        assert p.code in CATALOGUE
        assert p.severity in ("error", "warning")
        assert p.message and p.file


@FUZZ
@given(target=st.sampled_from([(b.filename, s.name, c.name) for b, s in SHEETS for c in s.columns]),
       row=st.integers(0, 1), value=cell_values)
def test_any_value_in_any_cell(tmp_path_factory, target, row, value):
    folder = tmp_path_factory.mktemp("fuzz")
    data = station_data()
    book, sheet, column = target
    rows = data[book].setdefault(sheet, [])
    while len(rows) <= row:
        rows.append({})
    rows[row][column] = value
    write_station(folder, data)
    outcome = check_folder(folder, date(2026, 11, 23))
    _assert_well_formed(outcome.problems)


@FUZZ
@given(sheet_names=st.lists(st.one_of(text.filter(lambda s: 0 < len(s.strip()) <= 31 and not set(s) & set("[]:*?/\\'")),
                                      st.sampled_from([s.name for _, s in SHEETS])), min_size=1, max_size=3,
                            unique_by=lambda s: s.lower()),
       grid=st.lists(st.lists(cell_values, max_size=6), max_size=6))
def test_arbitrary_small_workbooks(tmp_path_factory, sheet_names, grid):
    folder = tmp_path_factory.mktemp("fuzzbook")
    write_station(folder)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in sheet_names:
        ws = wb.create_sheet(name.strip())
        for r in grid:
            ws.append(r)
    wb.save(folder / "帮扶记录.xlsx")
    outcome = check_folder(folder, date(2026, 11, 23))
    _assert_well_formed(outcome.problems)
    assert outcome.exit_code in (0, 1, 2)
