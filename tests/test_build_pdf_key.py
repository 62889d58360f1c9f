"""The build's keys hold what its PDFs depend on besides their pages (pdf_cache.engine_fingerprint:
the engine forced, WeasyPrint's version, the browser's and the Chinese font's files): another
engine prints them again, also where nothing else changed."""

from __future__ import annotations

import pypdf

from generator.build import state as state_module, steps
from generator.build.run import build_all

from private_station import TODAY, write_station


def test_the_keys_hold_the_pdf_engine():
    key = dict(today=TODAY, pdf=True, private_dir="/p", code="c")
    assert state_module.options_key(**key, pdf_key="a") != state_module.options_key(**key, pdf_key="b")
    site = dict(code="c", today=TODAY, versions="v")
    assert state_module.site_input_key("f", **site, pdf_engine="a") != \
        state_module.site_input_key("f", **site, pdf_engine="b")
    assert state_module.site_input_key("f", **site, pdf_engine="a") != \
        state_module.site_input_key("f", **site, pdf_engine="")


def test_another_pdf_engine_prints_the_wall_printouts_again(tmp_path, monkeypatch):
    rendered: list[str] = []

    def to_pdf(pairs, meanwhile=None):
        for page, pdf_path in pairs:
            rendered.append(page.name)
            writer = pypdf.PdfWriter()
            writer.add_blank_page(595, 842)
            writer.write(pdf_path)
        if meanwhile is not None:
            meanwhile()

    monkeypatch.setattr(steps, "pdf_writer", lambda pdf: to_pdf if pdf else None)
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "weasyprint")
    records = write_station(tmp_path / "records")
    lines: list[str] = []

    def build() -> list[str]:
        rendered.clear()
        lines.clear()
        assert build_all(records, site_dir=tmp_path / "site", private_dir=None, today=TODAY, pdf=True,
                         echo=lines.append) == 0, "\n".join(lines)
        return list(rendered)

    first = build()
    assert first
    assert build() == []
    assert any("没有变化，网站已是最新" in line for line in lines)
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")  # the fingerprint changes: printed again
    assert sorted(build()) == sorted(first)
    assert not any("网站已是最新" in line for line in lines)
    assert build() == []  # and then kept again
    assert any("没有变化，网站已是最新" in line for line in lines)
