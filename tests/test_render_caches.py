"""What the renderer keeps between pages (printed dates, short texts with nothing to escape)
never changes what a page shows: the second time a value is printed it prints as the first."""

from datetime import date, datetime

import pytest
from markupsafe import Markup, escape

from generator import render


class Text(str):
    """A str subclass, as some libraries hand out: never taken for a plain str."""

    def __html__(self):
        return "<b>" + self + "</b>"


@pytest.mark.parametrize("value", ["已发放", "1,000.00", "a<b", "'", "&amp;", "x" * 100, "", Text("已发放"),
                                   Markup("<i>已发放</i>")])
def test_a_text_prints_the_same_every_time(value):
    first = str(render.escape_output(value))
    assert first == str(render.escape_output(value)) == str(render.escape_output(value)) == str(escape(value))


def test_a_kept_text_never_lets_a_subclass_or_markup_through():
    render.escape_output("已发放")
    assert "已发放" in render._SAFE
    assert str(render.escape_output(Text("已发放"))) == "<b>已发放</b>"
    assert str(render.escape_output(Markup("已发放"))) == "已发放"
    hostile = "<b>已发放</b>"
    render.escape_output(hostile)
    assert hostile not in render._SAFE and render.escape_output(hostile) == "&lt;b&gt;已发放&lt;/b&gt;"


def test_long_texts_are_not_kept():
    note = "走访记录：" + "家中一切正常。" * 10
    assert render.escape_output(note) == note and note not in render._SAFE


def test_dates_print_the_same_every_time():
    day = date(2026, 2, 29 - 1)
    assert render.zh_date(day) == render.zh_date(day) == "2026年2月28日"
    assert render.zh_date(datetime(2026, 2, 28, 23, 59)) == "2026年2月28日"
    assert render.zh_date(date(2024, 2, 29)) == "2024年2月29日"
    assert (render.zh_date(None), render.zh_date(""), render.zh_date("待定")) == ("", "", "待定")


def test_the_kept_dates_are_bounded(monkeypatch):
    monkeypatch.setattr(render, "_DAYS", {})
    monkeypatch.setattr(render, "_DAYS_LIMIT", 2)
    days = [date(2026, 1, d) for d in range(1, 6)]
    assert [render.zh_date(d) for d in days] == [f"2026年1月{d}日" for d in range(1, 6)]
    assert len(render._DAYS) == 2
