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


# The renderer's code generator prints kept safe texts and looks up `name.attr` inline
# (render._CodeGenerator): a page must read exactly as Jinja's own code prints it.
_PAGE = """{% macro cell(x, cls="c") %}<td class="{{ cls }}">{{ x }}</td>{% endmacro %}
{% set body %}{{ d.name }}|{{ d.count }}|{{ d.total }}|{{ d.markup }}|{{ d.text }}|{{ d.none }}{% endset %}{{ body }}
{{ d.name }} {{ d.name }} {{ d.hostile }} {{ d.hostile }} {{ d.nested.inner }} {{ item.key }} {{ item.other }}
{% for row in d.rows %}{{ row.label }}={{ row.value }}{% if not loop.last %},{% endif %}{% endfor %}
{{ cell(d.name) }}{{ cell(d.count, cls=d.name) }}{{ d.rows | length }}{{ d.name | upper }}{{ "x" ~ d.name }}
{% if d.name %}{{ d.missing is defined }}{% endif %}{{ d.hostile ~ d.name }}{{ d.day }}"""


class _Row:
    __slots__ = ("label", "value")

    def __init__(self, label, value):
        self.label, self.value = label, value


class _Dossier:
    def __init__(self):
        self.name, self.count, self.total, self.none = "已发放", 12, 3.5, None
        self.markup, self.text, self.hostile = Markup("<i>粗</i>"), Text("文"), "<script>&'\""
        self.rows = [_Row("a", "<1>"), _Row("b", 2)]
        self.day = date(2026, 11, 23)


class _Nested:
    inner = "<里>"


def _jinja_page(env, **context) -> str:
    return env.from_string(_PAGE).render(**context)


def test_pages_read_as_jinja_prints_them():
    import jinja2

    plain = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True)
    ours = render.environment()
    assert type(ours).code_generator_class is render._CodeGenerator
    dossier = _Dossier()
    dossier.nested = _Nested()
    context = {"d": dossier, "item": {"key": "<k>", "other": "a key, found after no attribute"}}
    for _ in range(2):  # the second time, the texts are kept as safe ones
        assert _jinja_page(ours, **context) == _jinja_page(plain, **context)
    assert "&lt;script&gt;" in _jinja_page(ours, **context)


def test_an_unknown_attribute_still_fails_the_page():
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        render.environment().from_string("{{ d.nothing }}").render(d=_Row("a", "b"))
    with pytest.raises(jinja2.UndefinedError):
        render.environment().from_string("{{ d.name }}").render()
