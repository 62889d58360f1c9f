"""The cheaper rendering of the printed pages keeps what they show and how it is escaped:
`{{ value }}` prints exactly what markupsafe prints, user text in a dossier stays text,
the stylesheet is the station's own and follows its edits, and a build's direct writes into
its staging folder never go through an existing file."""

import os
from datetime import date
from decimal import Decimal

import pytest
from markupsafe import Markup, escape

from generator import render
from generator.paths import FolderWriter
from generator.private import write_private

from private_station import PAYOUTS, TODAY, VISITS, WORKERS, read_station

HOSTILE = "<script>alert('x')</script> & \"q\""
HOSTILE_PRINTED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34;"


@pytest.mark.parametrize("value", [
    "", "单田芳", "SF-0001", "1,234.50", HOSTILE, "a&b", "<", ">", "'", '"', "&amp;", 0, 7, -12,
    10**30, True, False, None, Decimal("3.50"), date(2026, 11, 23), 1.5, Markup("<b>ok</b>"),
    ("a", "<b>"), ["x"], Markup(""), Markup("&lt;已 &amp; <i>x</i>"),
])
def test_escape_output_prints_what_markupsafe_prints(value):
    assert str(render.escape_output(value)) == str(escape(value))


class _Shown(Markup):
    def __html__(self):
        return Markup("<b>") + str(self) + Markup("</b>")


def test_a_markup_prints_as_it_is_and_a_subclass_through_its_own_html():
    body = Markup("<p>困难职工档案 &amp;</p>")
    assert render.escape_output(body) is body  # no copy of a dossier's whole body
    assert str(render.escape_output(_Shown("x"))) == str(escape(_Shown("x"))) == "<b>x</b>"


def test_templates_escape_user_text_and_keep_markup():
    env = render.environment()
    template = env.from_string("{{ a }}|{{ b }}|{{ n }}|{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}{{ m(a) }}")
    out = template.render(a=HOSTILE, b=Markup("<br>"), n=3)
    assert out == f"{HOSTILE_PRINTED}|<br>|3|<i>{HOSTILE_PRINTED}</i>"
    assert "<script" not in out


def test_user_text_in_a_dossier_stays_text(tmp_path):
    no = "SF-0001"
    records = read_station(tmp_path / "records", tables={
        "workers": [{**w, "name": HOSTILE, "note": HOSTILE, "address": HOSTILE} if w["archive_no"] == no else w
                    for w in WORKERS],
        "visits": [{**v, "notes": HOSTILE, "visitor": HOSTILE} if v["archive_no"] == no else v for v in VISITS],
        "payouts": [{**p, "beneficiary": HOSTILE} if p["archive_no"] == no else p for p in PAYOUTS],
    })
    out = tmp_path / "private"
    write_private(records, out, today=TODAY, pdf=False)  # a fresh folder: the direct writes
    page = (out / "档案" / f"{no}.html").read_text(encoding="utf-8")
    assert "<script" not in page and "alert('x')" not in page
    # title, cover, 六知一定 address, visits (notes and visitor), payout, note
    assert page.count(HOSTILE_PRINTED) >= 8
    assert f"<title>困难职工档案 {no} {HOSTILE_PRINTED}</title>" in page
    index = (out / "档案" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index and HOSTILE_PRINTED in index


def test_dossiers_inline_the_stylesheet_once(tmp_path):
    records = read_station(tmp_path / "records")
    out = tmp_path / "private"
    write_private(records, out, today=TODAY, pdf=False)
    css = (render.PACKAGE_TEMPLATES / "private" / "print.css").read_text(encoding="utf-8")
    for page in (out / "档案" / "SF-0001.html", out / "档案" / "index.html", out / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert text.count(f"<style>\n{css}</style>") == 1, page


def test_a_stations_stylesheet_wins_and_its_edits_show(tmp_path):
    own = tmp_path / "site_templates" / "private"
    own.mkdir(parents=True)
    css = own / "print.css"
    css.write_text("body { color: red; }\n", encoding="utf-8")
    env = render.environment([tmp_path / "site_templates"])
    page = env.from_string('{% extends "private/base.html" %}')
    assert "<style>\nbody { color: red; }\n</style>" in page.render()
    css.write_text("body { color: blue; }\n", encoding="utf-8")
    later = css.stat().st_mtime + 10
    os.utime(css, (later, later))  # Jinja reloads a template whose file is newer
    assert "<style>\nbody { color: blue; }\n</style>" in page.render()


def test_a_fresh_folder_writer_never_writes_through_an_existing_name(tmp_path):
    outside = tmp_path / "elsewhere.html"
    outside.write_bytes(b"keep me")
    folder = tmp_path / "staging" / "docs"
    writer = FolderWriter(tmp_path / "staging", folder, fresh=True)
    os.link(outside, folder / "linked.html")
    os.symlink(outside, folder / "symlinked.html")
    for name in ("linked.html", "symlinked.html", "new.html"):
        path = writer.write(name, b"written")
        assert path == folder / name and path.read_bytes() == b"written" and not path.is_symlink()
        assert (path.stat().st_mode & 0o777) == 0o600  # personal data: owner only
    assert outside.read_bytes() == b"keep me" and outside.stat().st_nlink == 1
    assert sorted(p.name for p in folder.iterdir()) == ["linked.html", "new.html", "symlinked.html"]


@pytest.mark.parametrize("name", ["", ".", "..", "../x.html", "a/b.html", "a\\b.html"])
def test_a_folder_writer_refuses_anything_but_a_plain_name(tmp_path, name):
    writer = FolderWriter(tmp_path, tmp_path / "docs", fresh=True)
    with pytest.raises(ValueError):
        writer.write(name, b"x")
    assert list((tmp_path / "docs").iterdir()) == []


def test_a_folder_writer_stays_inside_its_root(tmp_path):
    with pytest.raises(ValueError):
        FolderWriter(tmp_path / "root", tmp_path / "root" / ".." / "other")


def test_a_live_folder_writer_replaces_files(tmp_path):
    outside = tmp_path / "elsewhere.html"
    outside.write_bytes(b"keep me")
    folder = tmp_path / "live"
    folder.mkdir()
    os.link(outside, folder / "a.html")
    FolderWriter(tmp_path, folder).write("a.html", b"new")
    assert (folder / "a.html").read_bytes() == b"new" and outside.read_bytes() == b"keep me"
    assert not [p for p in folder.iterdir() if p.name.startswith(".bangfu-")]  # no temporary left


def test_a_stations_own_template_may_still_read_the_dossier_as_a_dict(tmp_path):
    from generator.private.dossiers import dossier_context

    records = read_station(tmp_path / "records")
    d = dossier_context(records, records.worker_by_no["SF-0001"], TODAY)
    assert d.payouts and d.cases  # SF-0001 has paid and finished cases
    page = render.environment().from_string(
        '{{ d["name"] }}|{{ d["payouts"][0]["amount"] }}|{{ d.cases[0].steps.get("申请").day }}'
        '|{{ d.cases[0]["cells"][0][0] }}').render(d=d)
    applied = d.cases[0].steps["申请"].day
    assert page == f"单田芳|{d.payouts[0].amount}|{applied}|{applied.isoformat()}"
