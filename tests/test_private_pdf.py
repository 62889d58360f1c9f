"""PDF output with WeasyPrint: page counts, reuse of unchanged PDFs, rows never split,
and the message instead of a failure when the PDF extra is missing."""

import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.build.steps import pdf_writer
from generator.private import pdf as pdf_output, pdf_cache, printing, write_private
from generator.private.dossiers import write_dossiers
from generator.site.wall import write_wall_printouts

from private_station import PAYOUTS, TODAY, VISITS, WORKERS, read_station

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not pdf_output.available(),
                                                   reason="WeasyPrint is not installed (pip install 'bangfu[pdf]')")]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "private"


@pytest.fixture(scope="module", autouse=True)
def weasyprint_for_everything():
    """These tests are of WeasyPrint's PDFs: volumes too (a browser would print them otherwise,
    pdf.volume_engine; see test_pdf_volume.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BANGFU_PDF_ENGINE", "weasyprint")
        yield


def pdf_pages(path: Path) -> int:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (Debian package poppler-utils) is needed to count PDF pages")
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    records = read_station(tmp_path_factory.mktemp("station") / "records")
    out = tmp_path_factory.mktemp("out") / "private"
    result = write_private(records, out, today=TODAY, pdf=True)
    return records, out, result


def test_pdfs_with_expected_page_counts(built):
    records, out, result = built
    folder = out / "档案"
    names = {p.relative_to(out).as_posix() for p in result.pdfs}
    assert {"档案/档案目录.pdf", "档案/分册_S.pdf", "档案/分册_Z.pdf", "签收单/全部签收单.pdf",
            "签收单/公示_GS-2026-05.pdf"} <= names
    assert "签收单/公示_GS-2026-03.pdf" not in names  # all signed: only in the combined PDF
    # a volume holds its dossiers' pages: 沙小红 and 单田芳 file under S
    alone = sum(len(pdf_output.render(folder / f"{no}.html").pages) for no in ("SF-0002", "SF-0001"))
    assert pdf_pages(folder / "分册_S.pdf") == alone >= 6
    assert pdf_pages(out / "签收单" / "全部签收单.pdf") == 5  # one landscape page per sheet
    assert pdf_pages(folder / "档案目录.pdf") == 1
    fonts = pdf_fonts(folder / "分册_S.pdf")
    assert "NotoSansCJKSC" in fonts.replace("-", "") and "JP" not in fonts


def test_unchanged_pdfs_are_reused_and_changed_ones_rendered(built, tmp_path):
    records, out, result = built
    assert result.pdf_rendered == len(result.pdfs)
    again = write_private(records, out, today=TODAY + timedelta(days=1), pdf=True)
    assert again.pdf_rendered == 1 and "沿用" in again.summary()  # only 待办.pdf: it depends on the day
    # one more payout for 张伟: only his volume (Z) and the receipts change
    extra = {**PAYOUTS[2], "record_no": "FF-2026-0098", "archive_no": "SF-0004", "name": "张伟",
             "item": "送温暖", "applied": date(2025, 1, 10), "approved": date(2025, 1, 15),
             "paid": date(2025, 1, 20), "signed_on": date(2025, 1, 20)}
    changed = read_station(tmp_path / "records", tables={"payouts": [*PAYOUTS, extra]})
    third = write_private(changed, out, today=TODAY, pdf=True)
    # 分册_Z, 档案目录 (counts), 全部签收单; and 待办.pdf, back from the next day's list to today's
    assert third.pdf_rendered == 4
    # without PDF output, PDFs that went stale are removed, unchanged ones kept
    write_private(records, out, today=TODAY, pdf=False)
    assert not (out / "档案" / "分册_Z.pdf").exists() and (out / "档案" / "分册_S.pdf").exists()


def test_dossier_rows_break_between_pages_never_through_one(tmp_path):
    from weasyprint.formatting_structure.boxes import TableRowBox

    many = [{**PAYOUTS[2], "record_no": f"FF-X-{i:03d}", "archive_no": "SF-0002", "name": "沙小红",
             "applied": date(2020, 1, 1) + timedelta(days=20 * i), "approved": None, "paid": None,
             "signed": False, "signed_on": None} for i in range(45)]
    records = read_station(tmp_path / "records", tables={"payouts": [*PAYOUTS, *many]})
    doc = write_dossiers(records, tmp_path / "out", today=TODAY, only={"SF-0002"})[0]
    document = pdf_output.render(doc.path)
    pages_of: dict[int, set[int]] = {}
    header_pages = 0
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if isinstance(box, TableRowBox) and box.element is not None:
                text = "".join(box.element.itertext())
                if text.startswith("序号记录编号"):
                    header_pages += 1
                elif "FF-" in text and box.element.get("class") != "case":  # a payout row (not 办结)
                    pages_of.setdefault(id(box.element), set()).add(number)
    assert len(pages_of) == 45 + 1  # and the station's own payout for SF-0002
    assert all(len(p) == 1 for p in pages_of.values())  # no row split across pages
    spanned = {n for p in pages_of.values() for n in p}
    assert len(spanned) >= 2 and header_pages == len(spanned)  # the header repeats on each page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document.write_pdf(ARTIFACTS / "dossier-long.pdf")


def test_wall_pdfs_fit_one_page_and_render_to_png(built, tmp_path):
    records, _, _ = built
    paths = write_wall_printouts(records, tmp_path, today=TODAY, to_pdf=pdf_output.write_many)
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    assert len(pdfs) == 6
    for p in pdfs:
        assert pdf_pages(p) == 1, p.name
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, src in (("wall-notice", tmp_path / "notices" / "GS-2026-05.pdf"),
                          ("wall-policy", tmp_path / "policies" / "医疗救助_大病.pdf")):
            subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(src),
                            str(ARTIFACTS / name)], check=True)
            assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


def test_without_the_pdf_extra_html_is_written_and_the_message_says_how(built, tmp_path, monkeypatch):
    records, _, _ = built
    monkeypatch.setattr(pdf_output, "_state", {"engine": None, "reason": pdf_output.HOW_TO_GET_PDF,
                                               "browser_prints": False})  # no engine, no browser
    result = write_private(records, tmp_path / "private", today=TODAY, pdf=True)
    assert result.pdfs == [] and not list((tmp_path / "private").rglob("*.pdf"))
    assert 'pip install "bangfu[pdf]"' in result.pdf_note and "fonts-noto-cjk" in result.pdf_note
    assert result.pdf_note in result.summary() and len(result.dossiers) == len(WORKERS)
    assert pdf_writer(True) is None and pdf_writer(False) is None
    wall = write_wall_printouts(records, tmp_path / "wall", today=TODAY, to_pdf=pdf_writer(True))
    assert wall and all(p.suffix == ".html" for p in wall)


def test_dossier_index_headers_fit_their_columns(tmp_path):
    """Printed, no column header of the dossier index runs over its neighbour (帮扶金额 used to
    print on top of 帮扶笔数)."""
    from generator.private.dossiers import write_index

    records = read_station(tmp_path / "records")
    index = write_index(records, tmp_path / "private", today=TODAY)
    page = pdf_output.render(index.path).pages[0]._page_box

    def header_cells(box):
        for child in getattr(box, "children", None) or []:
            el = getattr(child, "element", None)
            if type(child).__name__ == "TableCellBox" and el is not None and el.tag == "th":
                yield child
            else:
                yield from header_cells(child)

    def line_boxes(box):
        for child in getattr(box, "children", None) or []:
            if type(child).__name__ == "LineBox":
                yield child
            yield from line_boxes(child)

    cells = list(header_cells(page))
    assert len(cells) == 10
    for cell in cells:
        right = cell.content_box_x() + cell.width
        assert all(line.position_x + line.width <= right + 0.5 for line in line_boxes(cell)), \
            "".join(cell.element.itertext())


def _counting_pdf():
    """A PDF maker for write_wall_printouts that records the names of the pages it renders."""
    rendered: list[str] = []

    def to_pdf(pairs):
        rendered.extend(page.name for page, _ in pairs)
        return pdf_output.write_many(pairs)

    return rendered, to_pdf


def test_wall_pdfs_of_unchanged_pages_come_from_the_digest_cache(built, tmp_path):
    """A wall printout whose page did not change (an edit elsewhere) is copied from the
    cache; a changed one is rendered again."""
    records, _, _ = built
    cache = tmp_path / "cache"
    rendered, to_pdf = _counting_pdf()

    first = write_wall_printouts(records, tmp_path / "a", today=TODAY, to_pdf=to_pdf, pdf_cache=cache)
    pdfs = sorted(p.relative_to(tmp_path / "a") for p in first if p.suffix == ".pdf")
    assert len(list(cache.glob("*.pdf"))) == len(pdfs) == len(rendered) == 6
    rendered.clear()
    write_wall_printouts(records, tmp_path / "b", today=TODAY, to_pdf=to_pdf, pdf_cache=cache)
    assert rendered == []
    for rel in pdfs:
        assert (tmp_path / "b" / rel).read_bytes() == (tmp_path / "a" / rel).read_bytes()
    # a one-cell edit elsewhere (a visit note: private only) renders no wall printout
    visits = [dict(v) for v in VISITS]
    visits[1]["notes"] = "情况无变化，已复查"
    write_wall_printouts(read_station(tmp_path / "records2", tables={"visits": visits}), tmp_path / "b2",
                         today=TODAY, to_pdf=to_pdf, pdf_cache=cache)
    assert rendered == []
    # an amount in the running notice: that notice only is rendered again
    payouts = [dict(p) for p in PAYOUTS]
    next(p for p in payouts if p["record_no"] == "FF-2026-0021")["amount"] = 280
    write_wall_printouts(read_station(tmp_path / "records3", tables={"payouts": payouts}), tmp_path / "b3",
                         today=TODAY, to_pdf=to_pdf, pdf_cache=cache)
    assert rendered == ["GS-2026-05.html"]
    assert "280.00" in "".join(_page_texts(tmp_path / "b3" / "notices" / "GS-2026-05.pdf"))
    rendered.clear()
    # the policy pages carry the date: the next day they are rendered again, and the cache keeps
    # only the PDFs of this build's pages
    write_wall_printouts(records, tmp_path / "c", today=TODAY + timedelta(days=1), to_pdf=to_pdf, pdf_cache=cache)
    assert len(rendered) >= 4
    assert len(list(cache.glob("*.pdf"))) == 6


def test_wall_pdfs_are_kept_for_the_same_engine_only(built, tmp_path, monkeypatch):
    """The cache keys a wall printout's PDF by its page and by what else the PDF depends on
    (pdf_cache.engine_fingerprint: the engine forced, WeasyPrint's version, the browser's and the
    Chinese font's files): another engine or font renders every page again."""
    records, _, _ = built
    cache = tmp_path / "cache"
    rendered, to_pdf = _counting_pdf()

    key = pdf_cache.engine_fingerprint()
    assert key == pdf_cache.engine_fingerprint()
    write_wall_printouts(records, tmp_path / "a", today=TODAY, to_pdf=to_pdf, pdf_cache=cache, pdf_key=key)
    assert len(rendered) == 6
    rendered.clear()
    write_wall_printouts(records, tmp_path / "b", today=TODAY, to_pdf=to_pdf, pdf_cache=cache, pdf_key=key)
    assert rendered == []
    forced = os.environ.get("BANGFU_PDF_ENGINE", "")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium" if forced != "chromium" else "weasyprint")
    other = pdf_cache.engine_fingerprint()
    assert other != key
    monkeypatch.setenv("BANGFU_PDF_ENGINE", forced)
    font = pdf_output._state.get("font_file")
    if font:
        monkeypatch.setitem(pdf_output._state, "font_file", font + ".other")
        assert pdf_cache.engine_fingerprint() != key
    write_wall_printouts(records, tmp_path / "c", today=TODAY, to_pdf=to_pdf, pdf_cache=cache, pdf_key=other)
    assert len(rendered) == 6
    assert len(list(cache.glob("*.pdf"))) == 6

def _page_texts(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _outline_titles(path: Path) -> list[str]:
    import pypdf

    def walk(items):
        for item in items:
            yield from walk(item) if isinstance(item, list) else [item.title]

    return list(walk(pypdf.PdfReader(path).outline))


def test_a_one_cell_edit_renders_one_dossier_and_patches_its_volume(tmp_path, monkeypatch):
    monkeypatch.setenv("BANGFU_PDF_JOBS", "1")  # render in this process, where the spy sees it
    out = tmp_path / "private"
    write_private(read_station(tmp_path / "records"), out, today=TODAY, pdf=True)
    folder = out / "档案"
    laid_out = []
    real_render = pdf_output.render

    def spy(path):
        laid_out.append(Path(path).name)
        return real_render(path)

    monkeypatch.setattr(pdf_output, "render", spy)
    # one visit note of 单田芳 (SF-0001), who shares volume S with 沙小红 (SF-0002)
    visits = [dict(v) for v in VISITS]
    visits[1]["notes"] = "情况无变化，已复查"
    changed = read_station(tmp_path / "records2", tables={"visits": visits})
    volume_z = (folder / "分册_Z.pdf").read_bytes()
    second = write_private(changed, out, today=TODAY, pdf=True)
    assert laid_out == ["SF-0001.html"] and second.pdf_rendered == 1  # not 沙小红, not other volumes
    assert (folder / "分册_Z.pdf").read_bytes() == volume_z
    cache = pdf_cache.Cache(out)
    parts, sources = cache.parts(folder / "分册_S.pdf")
    assert sources == 2 and len(parts) == 2
    # the patched volume reads exactly as a volume rendered whole from the same pages
    members = [folder / f"{f.stem}.html" for f in printing.volumes(changed)[[n for _, n, _ in
               printing.volumes(changed)].index("分册_S.pdf")][2]]
    whole = tmp_path / "whole.pdf"
    assert pdf_output.write_combined(members, whole) == pdf_pages(folder / "分册_S.pdf") == sum(n for _, n in parts)
    assert _page_texts(folder / "分册_S.pdf") == _page_texts(whole)
    assert _outline_titles(folder / "分册_S.pdf") == _outline_titles(whole)
    assert "情况无变化，已复查" in "".join(_page_texts(folder / "分册_S.pdf"))
    # a change to most of a volume's dossiers renders it whole again (and resets its patch count)
    laid_out.clear()
    workers = [dict(w) for w in WORKERS]
    for w in workers:
        if w["archive_no"] in ("SF-0001", "SF-0002"):
            w["employer"] = "示范镇纺织厂"
    third = read_station(tmp_path / "records3", tables={"visits": visits, "workers": workers})
    write_private(third, out, today=TODAY, pdf=True)
    assert {"SF-0001.html", "SF-0002.html"} <= set(laid_out)
    assert pdf_cache.Cache(out).parts(folder / "分册_S.pdf")[1] == 1


def test_the_site_pages_are_rendered_while_one_process_lays_out_the_wall_pdfs(built, tmp_path):
    """site/prints.wall_printouts with `meanwhile` (build.steps: render_site): the PDFs are laid out
    by ONE worker process (pdf.run_jobs `background`) while `meanwhile(links)` runs in this
    process; the files and links are those made without it."""
    import multiprocessing

    from generator.site.prints import wall_printouts

    records, _, _ = built
    files, links = wall_printouts(records, tmp_path / "a", today=TODAY, to_pdf=pdf_output.write_many)
    seen = []

    def meanwhile(found):
        seen.append((found, len(multiprocessing.active_children())))

    files2, links2 = wall_printouts(records, tmp_path / "b", today=TODAY, to_pdf=pdf_output.write_many,
                                    meanwhile=meanwhile)
    assert seen == [(links, 1)]  # once, with the links, beside one worker
    assert links2 == links and sorted(files2) == sorted(files) and any(p.endswith(".pdf") for p in files)
    for path, data in files.items():
        if path.endswith(".pdf"):
            (tmp_path / "one.pdf").write_bytes(data)
            (tmp_path / "two.pdf").write_bytes(files2[path])
            assert _page_texts(tmp_path / "one.pdf") == _page_texts(tmp_path / "two.pdf")
        else:
            assert files2[path] == data
    seen.clear()
    _, links3 = wall_printouts(records, tmp_path / "c", today=TODAY, to_pdf=None, meanwhile=meanwhile)
    assert seen == [(links3, 0)] and all(len(v) == 1 for v in links3.values())  # no PDFs: pages only
