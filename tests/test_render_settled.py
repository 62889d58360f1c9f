"""render.Settled: a template rendered many times checks its files for changes on its first
render in a process only, takes an edited file on that render, and leaves Jinja's checks on."""

import os

import jinja2
import pytest

from generator import render


def _touch_later(path):
    later = path.stat().st_mtime + 10
    os.utime(path, (later, later))  # Jinja reloads a template whose file is newer


def test_the_first_render_takes_edited_files_and_the_checks_stay_on(tmp_path):
    own = tmp_path / "site_templates" / "private"
    own.mkdir(parents=True)
    (own / "base.html").write_text("A{% block body %}{% endblock %}", encoding="utf-8")
    (own / "page.html").write_text('{% extends "private/base.html" %}{% block body %}{{ x }}{% endblock %}',
                                   encoding="utf-8")
    env = render.environment([tmp_path / "site_templates"])
    settled = render.Settled(env.get_template("private/page.html"))
    assert [settled.render(x=n) for n in (1, 2)] == ["A1", "A2"]
    assert env.auto_reload

    (own / "base.html").write_text("B{% block body %}{% endblock %}", encoding="utf-8")
    _touch_later(own / "base.html")
    assert settled.render(x=3) == "A3"  # later renders in this process: the files it found
    again = render.Settled(env.get_template("private/page.html"))
    assert again.render(x=4) == "B4"  # a new one (the next build) checks them on its first render
    assert env.get_template("private/page.html").render(x=5) == "B5"


def test_a_failed_render_leaves_the_checks_on(tmp_path):
    env = render.environment()
    settled = render.Settled(env.from_string("{{ x.missing }}"))
    assert settled.render(x={"missing": 1}) == "1"
    for _ in range(2):  # renders without the checks, which are on again after each
        with pytest.raises(jinja2.UndefinedError):
            settled.render(x=object())
        assert env.auto_reload


def test_later_renders_see_the_globals_and_the_context_as_jinja_gives_them(tmp_path):
    env = render.environment()
    env.globals["shown"] = "global"
    source = "{{ shown }}|{{ x }}|{{ print_css is defined }}|{% set y = x %}{{ y }}"
    template = env.from_string(source)
    settled = render.Settled(template)
    for context in ({"x": 1}, {"x": "<b>&amp;</b>"}, {"x": 2, "shown": "mine"}, {"x": None, "shown": "<i>"}):
        expected = template.render(**context)
        assert settled.render(**context) == expected  # the first render, then the quick ones
        assert settled.render(**context) == expected
    assert settled.flat == dict(template.globals)
