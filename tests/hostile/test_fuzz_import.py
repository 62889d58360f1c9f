"""Property-based: any grid a station's old register may hold (known and unknown header names,
title and note rows, merged ranges anywhere, any cell values) goes through the import's
layout, mapping and placing with problems only, never an exception."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from generator.importing.layout import find_table
from generator.importing.mapping import KNOWN, LOOKUP, propose
from generator.importing.place import Known, place
from generator.problems import CATALOGUE
from generator.reading.xlsxfile import RawSheet

pytestmark = pytest.mark.slow  # the full suite runs these; the fast lane leaves them out

FUZZ = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

names = st.sampled_from(sorted(LOOKUP) + ["序号", "家庭成员", "家庭情况", "合计", "注：本表一式两份", "填报单位：x"])
values = st.one_of(
    st.just(""), names, st.text(max_size=12), st.integers(-10**18, 10**18),
    st.floats(allow_nan=False, allow_infinity=False), st.dates(date(1800, 1, 1), date(2200, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)), st.booleans(),
    st.sampled_from(["户主", "本人", "配偶", "女儿", "壹拾万零叁仟元整", "1.2万", "3.70102197906060e17", "合计"]),
)


@st.composite
def sheets(draw):
    width = draw(st.integers(1, 8))
    rows = draw(st.lists(st.lists(values, min_size=width, max_size=width), max_size=12))
    merged = []
    for _ in range(draw(st.integers(0, 4))):
        r0, c0 = draw(st.integers(0, 12)), draw(st.integers(0, width))
        merged.append(((r0, c0), (r0 + draw(st.integers(0, 5)), c0 + draw(st.integers(0, 3)))))
    return RawSheet("表", rows, merged=merged)


@FUZZ
@given(sheet=sheets())
def test_any_grid_imports_with_problems_only(sheet):
    table = find_table(sheet, KNOWN)
    if table is None:
        return
    assert all(0 <= c.index for c in table.columns)
    mappings = propose("old.xls", table)
    placed = place("old.xls", table, mappings, Known())
    for p in placed.problems:
        assert p.code in CATALOGUE and p.file == "old.xls" and p.sheet == "表"
    rownos = {rowno for rowno, _ in table.rows}
    for rows in placed.rows.values():
        assert all(r.origin[2] in rownos for r in rows)
