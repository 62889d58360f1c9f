"""A volume of dossiers printed by Chromium (Edge on Windows) as ONE document, each dossier
keeping its own page numbers "第 k 页，共 n 页": the pages read and look exactly as when each
dossier is printed on its own, and a patched volume reads as a fresh one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.private import browser_share, pdf, pdf_cache, pdf_objects, pdf_stamps, pdf_volume

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("BANGFU_CHROMIUM", "/usr/lib/chromium/chromium")
PRINT_CSS = (ROOT / "site_templates" / "private" / "print.css").read_text(encoding="utf-8")


def document(title: str, pages: int, css: str = PRINT_CSS) -> str:
    """A dossier-like document of `pages` pages with the project's print stylesheet."""
    breaks = ["<h2>"] + ['<h2 class="page-break">'] * (pages - 1)
    body = "".join(f'{breaks[i]}{title} 第{i + 1}部分</h2>'
                   f"<table><tr><th>姓名</th><td>{title}</td><th>页</th><td>{i + 1}</td></tr></table>"
                   for i in range(pages))
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>档案 {title}</title>\n'
            f'<style>\n{css}</style>\n</head>\n<body class="dossier">\n<p class="doc-title">档案 {title}</p>\n'
            f"<h1>困难职工档案</h1>\n{body}\n</body>\n</html>\n")


def page_texts(path: Path) -> list[str]:
    """Each page's text as poppler reads it (layout kept, so the footer is its last line)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [page.rstrip() for page in out.split("\f")[:-1]]


def footer(text: str) -> str:
    return text.splitlines()[-1].strip()


def stamped(path: Path) -> bool:
    """Whether the PDF's pages carry their page numbers as overlaid stamps (printed as one)."""
    import pypdf

    page = pypdf.PdfReader(path).pages[0]
    return pdf_objects.STAMP in page["/Resources"].get("/XObject", {})


@pytest.fixture
def chromium(monkeypatch):
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is needed")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(pdf, "_state", {})
    assert pdf.engine() == "chromium"
    with pdf.browser_session():
        assert pdf.running_session() is not None
        yield


def write(folder: Path, docs: dict[str, int]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, pages in docs.items():
        path = folder / f"{name}.html"
        path.write_text(document(name, pages), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.browser
@pytest.mark.slow
def test_a_volume_printed_as_one_document_numbers_each_dossier_on_its_own(tmp_path, chromium):
    sizes = {"朴成哲": 1, "李文": 3, "王芳": 2, "张晓明": 5}
    paths = write(tmp_path / "docs", sizes)
    volume = tmp_path / "分册_A.pdf"
    assert pdf.write_parts(paths, volume) == list(sizes.values())
    assert stamped(volume)  # printed as one document, not one by one
    texts = page_texts(volume)
    assert [footer(t) for t in texts] == [f"第 {k} 页，共 {n} 页" for n in sizes.values() for k in range(1, n + 1)]

    # each page reads exactly as the page of the dossier printed on its own
    alone = []
    for path in paths:
        assert pdf.write_pdf(path, path.with_suffix(".pdf")) == sizes[path.stem]
        alone += page_texts(path.with_suffix(".pdf"))
    assert texts == alone
    # and looks the same, to the pixel: footer in the same place, same font
    for first, page in ((volume, 5), (paths[2].with_suffix(".pdf"), 1)):
        subprocess.run(["pdftoppm", "-r", "40", "-gray", "-f", str(page), "-l", str(page), str(first),
                        str(tmp_path / first.stem)], check=True)
    images = sorted(tmp_path.glob("*.pgm"))
    assert len(images) == 2 and images[0].read_bytes() == images[1].read_bytes()
    fonts = subprocess.run(["pdffonts", str(volume)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded

    # a patched volume (one dossier changed and grown by a page) reads as a fresh one
    old_parts = [(name, n) for name, n in sizes.items()]
    paths[1].write_text(document("李文", 4), encoding="utf-8")
    old = volume.read_bytes()
    digests = [name if name != "李文" else "李文-2" for name in sizes]
    assert pdf.patch_combined(volume, old_parts, paths, digests) == [1, 4, 2, 5]
    assert volume.read_bytes().startswith(old)  # old pages kept, not written again
    fresh = tmp_path / "fresh.pdf"
    assert pdf.write_parts(paths, fresh) == [1, 4, 2, 5]
    assert page_texts(volume) == page_texts(fresh)
    assert [footer(t) for t in page_texts(volume)][1:5] == [f"第 {k} 页，共 4 页" for k in range(1, 5)]
    import pypdf

    assert len(pypdf.PdfReader(volume, strict=True).pages) == 12


@pytest.mark.browser
@pytest.mark.slow
def test_documents_that_cannot_share_one_print_are_printed_one_by_one(tmp_path, chromium):
    """Different stylesheets: each printed on its own, still numbered on its own."""
    folder = tmp_path / "docs"
    paths = write(folder, {"甲": 2, "乙": 1})
    other = folder / "丙.html"
    other.write_text(document("丙", 2, PRINT_CSS + "\nh1 { color: #333; }\n"), encoding="utf-8")
    docs = [*paths, other]
    with pytest.raises(pdf_objects.Unfit):
        pdf_volume.volume_html([pdf_volume.Document(p) for p in docs], "file:///v.html")
    counts = pdf.write_parts(docs, tmp_path / "v.pdf")
    assert not stamped(tmp_path / "v.pdf")
    assert [footer(t) for t in page_texts(tmp_path / "v.pdf")] == [
        f"第 {k} 页，共 {n} 页" for n in counts for k in range(1, n + 1)]
    assert counts == [2, 1, 2]


@pytest.mark.browser
@pytest.mark.slow
def test_a_document_linking_to_files_beside_it_joins_a_print_from_its_own_folder(tmp_path, chromium):
    """A document that refers to files relative to itself (as the dossier index links to the
    volumes beside it) is joined with the others of its folder, printed from that folder (a
    hidden file there, removed after): its links point where its own print points them, its
    pages read as its own print, numbered on their own. Printed from elsewhere it does not fit."""
    import pypdf

    folder = tmp_path / "docs"
    paths = write(folder, {"甲": 2, "乙": 1})
    linked = folder / "丁.html"
    linked.write_text(document("丁", 2).replace("<h1>", '<h1><a href="分册_A.pdf">分册 A</a>'), encoding="utf-8")
    with pytest.raises(pdf_objects.Unfit):
        pdf_volume.volume_html([pdf_volume.Document(p) for p in [*paths, linked]], "file:///v.html")
    assert pdf.write_parts([*paths, linked], tmp_path / "v.pdf") == [2, 1, 2]
    assert stamped(tmp_path / "v.pdf") and {p.name for p in folder.iterdir()} == {"甲.html", "乙.html", "丁.html"}
    alone = tmp_path / "alone.pdf"
    pdf.write_pdf(linked, alone)
    assert page_texts(tmp_path / "v.pdf")[3:] == page_texts(alone)

    def uris(path: Path, first: int) -> list[str]:
        pages = pypdf.PdfReader(path).pages[first:]
        return [a.get_object()["/A"]["/URI"] for p in pages for a in p.get("/Annots", [])
                if "/URI" in a.get_object().get("/A", {})]

    # relative to the PDF's own folder (test_pdf_links.py), as its own print puts them
    assert uris(tmp_path / "v.pdf", 3) == uris(alone, 0) == ["./docs/%E5%88%86%E5%86%8C_A.pdf"]


def test_a_volume_document_joins_bodies_once_with_its_head_and_no_margin_boxes(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    a.write_text(document("甲", 2), encoding="utf-8")
    b.write_text(document("乙", 1), encoding="utf-8")
    html = pdf_volume.volume_html([pdf_volume.Document(a), pdf_volume.Document(b)], "file:///t/v.html")
    # the document's own stylesheet, the margin boxes switched off, the page hidden on screen
    assert html.count("<style>") == 3 and html.count("<title>") == 1 and html.count("<body") == 1
    assert pdf_volume.SCREEN_HIDDEN in html
    assert "@bottom-center { content: none !important; }" in html
    assert '<div id="bangfu-part-1" style="break-before: page"><div class="dossier">' in html
    assert '<a href="file:///t/v.html#bangfu-part-0"></a>' in html
    stamp = pdf_volume.stamp_html(pdf_volume.Document(a), 3)
    assert stamp.count('style="break-before: page; height: 1px"') == 3 and "甲 第1部分" not in stamp
    assert pdf_volume.SCREEN_HIDDEN in stamp


def test_a_browser_takes_one_print_of_elements_less_towards_the_end_so_the_browsers_finish_together(tmp_path):
    """printing.take_reach: a full print (PRINT_ELEMENTS) while much is left, an even share of
    what is left towards the end, never under half a print; print_cost counts start tags."""
    from generator.private import pdf_volume, printing

    most = pdf_volume.PRINT_ELEMENTS
    assert printing.take_reach(93_000, 2) == most  # the demo: full prints first
    assert printing.take_reach(30_000, 2) == 15_000  # then an even share for each browser
    assert printing.take_reach(12_000, 2) == most // 2 == printing.take_reach(0, 2)  # not under half a print
    assert printing.take_reach(10 * most, 1) == most
    page = tmp_path / "a.html"
    page.write_text("<!DOCTYPE html><html><head><title>甲</title></head><body><p>1<br>2</p></body></html>",
                    encoding="utf-8")
    assert printing.print_cost([page, page, tmp_path / "missing.html"]) == 2 * 6
    assert printing.print_cost([page]) == pdf_volume.elements(page.read_text(encoding="utf-8"))


@pytest.mark.browser
@pytest.mark.slow
def test_several_volumes_printed_as_one_read_exactly_as_each_printed_alone(tmp_path, chromium):
    """pdf_volume.print_volumes: volumes sharing a head are one print, split into PDFs of their
    own pages only (each a whole PDF, patchable like a volume printed alone); a volume with
    another head is printed apart. Every page reads as when its volume is printed on its own."""
    import pypdf

    paths = write(tmp_path / "docs", {"甲": 2, "乙": 1, "丙": 3, "丁": 1, "戊": 2})
    other = tmp_path / "docs" / "己.html"
    other.write_text(document("己", 2, PRINT_CSS + "\nh1 { color: #333; }\n"), encoding="utf-8")
    volumes = [paths[0:2], paths[2:3], [other], paths[3:5]]
    prints = []
    session = pdf.running_session()

    def print_file(path):
        prints.append(Path(path).name)
        return session.print_pdf(path)

    joined = pdf_volume.print_volumes(print_file, volumes, {})
    assert sorted(prints) == ["stamp-1.html", "stamp-2.html", "stamp-2.html", "stamp-3.html",
                              "volume.html", "volume.html"]  # one print per head, its stamps once
    assert [counts for _, counts in joined] == [[2, 1], [3], [2], [1, 2]]
    for k, ((data, counts), docs) in enumerate(zip(joined, volumes)):
        (tmp_path / f"joined-{k}.pdf").write_bytes(data)
        alone = tmp_path / f"alone-{k}.pdf"
        assert pdf.write_parts(docs, alone) == counts
        texts = page_texts(tmp_path / f"joined-{k}.pdf")
        assert texts == page_texts(alone)
        assert [footer(t) for t in texts] == [f"第 {i} 页，共 {n} 页" for n in counts for i in range(1, n + 1)]
        reader = pypdf.PdfReader(tmp_path / f"joined-{k}.pdf", strict=True)
        assert len(reader.pages) == sum(counts) and "/Dests" not in reader.trailer["/Root"]
        # titled by its own first document, as printed alone (not by the print's first one)
        assert reader.metadata.title == pypdf.PdfReader(alone).metadata.title == f"档案 {docs[0].stem}"
    # a split volume is patched in place like any other: 乙 changed
    old = pdf_objects.Update(joined[0][0])
    assert len(old.reader.pages) == 3
    (tmp_path / "docs" / "乙.html").write_text(document("乙", 2), encoding="utf-8")
    patched = tmp_path / "joined-0.pdf"
    assert pdf.patch_combined(patched, [("a", 2), ("b", 1)], paths[0:2], ["a", "c"]) == [2, 2]
    assert [footer(t) for t in page_texts(patched)] == ["第 1 页，共 2 页", "第 2 页，共 2 页",
                                                       "第 1 页，共 2 页", "第 2 页，共 2 页"]
    fresh = tmp_path / "fresh-0.pdf"
    assert pdf.write_parts(paths[0:2], fresh) == [2, 2] and page_texts(fresh) == page_texts(patched)


@pytest.mark.browser
@pytest.mark.slow
def test_one_volume_printed_whole_is_written_as_it_comes_and_reads_as_made_in_memory(tmp_path, chromium,
                                                                                     monkeypatch):
    """pdf.write_volumes of ONE volume (printing._whole_combined: 全部签收单 at 20,000 workers,
    about 13,000 pages, and every volume a browser takes alone) writes it into its file as its
    documents are printed, never holding it whole; it reads exactly as the volume made in memory
    (write_parts). A bound of bytes (pdf_volume.PRINT_BYTES) that gives each document a print of
    its own changes none of its pages either."""
    paths = write(tmp_path / "docs", {"甲": 2, "乙": 1, "丙": 3})
    targets, printed = [], []
    plain_volumes, plain_print = pdf_volume.print_volumes, pdf._chromium_pdf

    def volumes(print_file, html_paths, stamps, **options):
        targets.append(options.get("targets"))
        return plain_volumes(print_file, html_paths, stamps, **options)

    def print_file(path):
        printed.append(Path(path).name)
        return plain_print(path)

    monkeypatch.setattr(pdf_volume, "print_volumes", volumes)
    monkeypatch.setattr(pdf, "_chromium_pdf", print_file)
    spooled, in_memory = tmp_path / "spooled.pdf", tmp_path / "memory.pdf"
    assert pdf.write_volumes([(paths, spooled)]) == [[2, 1, 3]]
    assert targets == [[spooled]] and printed.count("volume.html") == 1
    assert pdf.write_parts(paths, in_memory) == [2, 1, 3]
    assert targets[-1] is None
    assert page_texts(spooled) == page_texts(in_memory)
    assert [footer(t) for t in page_texts(spooled)] == [f"第 {i} 页，共 {n} 页" for n in (2, 1, 3)
                                                       for i in range(1, n + 1)]
    sizes = [pdf_volume.Document(p).bytes for p in paths]
    monkeypatch.setattr(pdf_volume, "PRINT_BYTES", max(sizes) + 1)  # no two documents in one print
    printed.clear()
    apart = tmp_path / "apart.pdf"
    assert pdf.write_volumes([(paths, apart)]) == [[2, 1, 3]]
    assert printed.count("volume.html") == 3
    assert page_texts(apart) == page_texts(in_memory)


@pytest.mark.browser
@pytest.mark.slow
def test_a_rebuild_prints_the_changed_documents_of_two_volumes_and_a_single_one_as_one(tmp_path, chromium,
                                                                                      monkeypatch):
    """printing.write after one edit (as after a payout amount: the index, one dossier of a volume,
    one receipt sheet of 全部签收单, sharing one head): the changed documents are ONE print
    (pdf.write_joined), the two volumes patched from it and the single document written from it;
    every PDF then reads page for page, footers included, as the fresh build's, and the next
    rebuild patches the volumes again."""
    from generator.private import printing

    docs = tmp_path / "docs"
    paths = write(docs, {"甲": 2, "乙": 1, "丙": 3, "丁": 1, "目录": 2})
    a, b, c, d, index = paths

    def targets(digests, folder="out"):
        out = tmp_path / folder
        return [printing.Target(out / "分册_J.pdf", (a, b), pdf_cache.combined_digest(digests[0:2]), digests[0:2]),
                printing.Target(out / "全部签收单.pdf", (c, d), pdf_cache.combined_digest(digests[2:4]), digests[2:4]),
                printing.Target(out / "档案目录.pdf", (index,), digests[4])]

    (tmp_path / "out").mkdir()
    printing.write(tmp_path / "out", targets(("a", "b", "c", "d", "i")), jobs=1)
    for path, name, pages in ((b, "乙", 2), (d, "丁", 3), (index, "目录", 3)):  # each one page more
        path.write_text(document(name + "改", pages), encoding="utf-8")
    from generator.private import browser

    prints = []
    monkeypatch.setattr(browser.Session, "print_pdf", lambda self, path, print_pdf=browser.Session.print_pdf:
                        prints.append(Path(path).name) or print_pdf(self, path))
    wanted = targets(("a", "b2", "c", "d2", "i2"))
    paths_, rendered = printing.write(tmp_path / "out", wanted, jobs=1)
    assert rendered == 3 and prints == ["volume.html"]  # the stamps of 2 and 3 pages are kept
    cache = pdf_cache.Cache(tmp_path / "out")
    assert cache.parts(wanted[0].path) == ([("a", 2), ("b2", 2)], 2)
    assert cache.parts(wanted[1].path) == ([("c", 3), ("d2", 3)], 2)
    (tmp_path / "fresh").mkdir()
    printing.write(tmp_path / "fresh", targets(("a", "b2", "c", "d2", "i2"), "fresh"), jobs=1)
    for t in wanted:
        texts = page_texts(t.path)
        assert texts == page_texts(tmp_path / "fresh" / t.path.name)
    assert [footer(t) for t in page_texts(wanted[2].path)] == ["第 1 页，共 3 页", "第 2 页，共 3 页",
                                                              "第 3 页，共 3 页"]
    assert [footer(t) for t in page_texts(wanted[0].path)] == ["第 1 页，共 2 页", "第 2 页，共 2 页",
                                                              "第 1 页，共 2 页", "第 2 页，共 2 页"]


@pytest.mark.browser
@pytest.mark.slow
def test_where_weasyprint_runs_a_found_browser_prints_the_volumes(tmp_path, monkeypatch):
    """pdf.volume_engine: volumes (documents numbered on their own) by the browser, which prints
    them as one document for a quarter of WeasyPrint's CPU; the build's single documents
    (pdf.document_engine) by the same browser, joined into the same print, so that the private
    writer never imports WeasyPrint: each reads as printed alone; BANGFU_PDF_ENGINE=weasyprint
    makes WeasyPrint print everything."""
    pytest.importorskip("weasyprint")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from generator.private import printing

    monkeypatch.delenv("BANGFU_PDF_ENGINE", raising=False)
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(pdf, "_state", {})
    if pdf.engine() != "weasyprint":
        pytest.skip("WeasyPrint has no Chinese font here")
    assert pdf.volume_engine() == "chromium" and pdf.document_engine() == "chromium"
    a, b = write(tmp_path / "docs", {"甲": 2, "乙": 1})
    digests = ("a", "b")
    wanted = [printing.Target(tmp_path / "分册_J.pdf", (a, b), pdf_cache.combined_digest(digests), digests),
              printing.Target(tmp_path / "甲.pdf", (a,), "a")]
    printing.write(tmp_path, wanted, jobs=1)
    assert stamped(tmp_path / "分册_J.pdf") and stamped(tmp_path / "甲.pdf")  # one print for both
    assert [footer(t) for t in page_texts(tmp_path / "分册_J.pdf")] == ["第 1 页，共 2 页", "第 2 页，共 2 页",
                                                                       "第 1 页，共 1 页"]
    import pypdf

    assert "Skia" in pypdf.PdfReader(tmp_path / "甲.pdf").metadata.get("/Producer", "")
    with pdf.browser_session("chromium"):
        pdf.write_pdf(a, tmp_path / "甲-alone.pdf", "chromium")
    assert page_texts(tmp_path / "甲.pdf") == page_texts(tmp_path / "甲-alone.pdf")
    assert pdf_cache.Cache(tmp_path).parts(tmp_path / "分册_J.pdf") == ([("a", 2), ("b", 1)], 1)
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "weasyprint")
    assert pdf.volume_engine() == "weasyprint" and pdf.document_engine() == "weasyprint"


@pytest.mark.browser
@pytest.mark.slow
def test_volumes_are_printed_by_one_browser_per_core_side_by_side_as_by_one(tmp_path, monkeypatch,
                                                                             browser_sessions):
    """printing.write: with two cores two browsers print the volumes at once (each thread its own
    session, stamps and queue position); every volume reads exactly as when one browser prints them
    all, carries each document's own page numbers, and has no structure tree (untagged, as
    WeasyPrint's PDFs)."""
    import pypdf

    from generator.private import printing

    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(pdf, "_state", {})
    monkeypatch.setattr(pdf, "volume_engine", lambda: "chromium")
    monkeypatch.setattr(pdf, "engine", lambda: "weasyprint")  # volumes apart, as where WeasyPrint runs
    monkeypatch.setattr(printing, "LANE_DOCUMENTS", 2)  # a second browser for these few documents
    started = browser_sessions
    sizes = {"甲": 2, "乙": 1, "丙": 3, "丁": 1, "戊": 2, "己": 1}
    paths = write(tmp_path / "docs", sizes)
    names = list(sizes)
    expected = {}
    # "budget": two cores, but a memory budget (BANGFU_MEMORY_MB) holding one browser beside this
    # process: one lane prints them all, the volumes reading exactly as before
    # (a roomy budget for "one" and "two": the test process itself may be large in a long run)
    for folder, lanes, budget in (("one", 1, "100000"), ("two", 2, "100000"), ("budget", 1, "1")):
        monkeypatch.setenv("BANGFU_MEMORY_MB", budget)
        wanted = []
        for k in range(3):
            docs, digests = tuple(paths[2 * k:2 * k + 2]), tuple("abcdef"[2 * k:2 * k + 2])
            wanted.append(printing.Target(tmp_path / folder / f"分册_{k}.pdf", docs, pdf_cache.combined_digest(digests),
                                          digests))
        (tmp_path / folder).mkdir()
        before = len(started)
        printing.write(tmp_path / folder, wanted, jobs=2 if folder == "budget" else lanes)
        assert len(started) - before == lanes and all(s.proc.poll() is not None for s in started)
        # the lanes print side by side in one browser (pdf.browser_session: a context each)
        assert len({s.proc.pid for s in started[before:]}) == 1
        assert pdf.running_session() is None
        for k in range(3):
            volume = tmp_path / folder / f"分册_{k}.pdf"
            counts = [sizes[n] for n in names[2 * k:2 * k + 2]]
            texts = page_texts(volume)
            assert [footer(t) for t in texts] == [f"第 {i} 页，共 {n} 页" for n in counts for i in range(1, n + 1)]
            assert stamped(volume) and "/StructTreeRoot" not in pypdf.PdfReader(volume).trailer["/Root"]
            assert expected.setdefault(k, texts) == texts
    assert printing.browser_lanes(0) == 0 and printing.browser_lanes(1, 4) == 1
    monkeypatch.setenv("BANGFU_MEMORY_MB", "100000")
    # a rebuild patching two volumes (one changed document each) starts one browser, not two
    assert printing.browser_lanes(2, 2, documents=2) == 1 and printing.browser_lanes(2, 2, documents=11) == 2


def test_browser_lanes_are_as_many_as_the_memory_budget_holds_beside_the_python_processes(monkeypatch):
    """printing.lanes_within: the lanes of BROWSER_MB each that fit in the budget beside the build's
    Python processes, at least one; browser_lanes takes the budget (BANGFU_MEMORY_MB, 2 GiB by
    default) and the Python processes' resident memory measured at the time of choosing, besides
    the cores, the work and the free memory."""
    from generator.private import printing

    assert printing.lanes_within(2048, 200, 900) == 2  # 2,000 workers: build and writer small
    assert printing.lanes_within(2048, 886, 900) == 1  # 20,000 workers: 435 + 451 MiB measured
    assert printing.lanes_within(4096, 886, 900) == 3
    assert printing.lanes_within(1000, 1500, 900) == 1  # over budget already: still one to print
    assert printing.lanes_within(2048, 0, 0) == 2048  # a lane of no cost: the other bounds decide
    monkeypatch.setenv("BANGFU_MEMORY_MB", "")
    assert printing.memory_budget_mb() == printing.MEMORY_BUDGET_MB == 2048
    monkeypatch.setenv("BANGFU_MEMORY_MB", "abc")
    assert printing.memory_budget_mb() == 2048
    monkeypatch.setenv("BANGFU_MEMORY_MB", "3000")
    assert printing.memory_budget_mb() == 3000
    # this process's memory is read (and the build's too, from the writer's child)
    assert printing.python_mb() > 10
    monkeypatch.setattr(pdf, "_available_mb", lambda: 64_000)
    python = {"mb": 100}
    monkeypatch.setattr(printing, "python_mb", lambda: python["mb"])
    assert printing.browser_lanes(4, 4, documents=100) == 3  # (3000 - 100) // 900
    python["mb"] = 1300
    assert printing.browser_lanes(4, 4, documents=100) == 1  # measured when choosing, not guessed
    monkeypatch.setenv("BANGFU_MEMORY_MB", "")
    python["mb"] = 200
    assert printing.browser_lanes(4, 2, documents=100) == 2
    monkeypatch.setattr(pdf, "_available_mb", lambda: 1000)  # the free memory stays a bound
    assert printing.browser_lanes(4, 2, documents=100) == 1


def _python_mb_of_child(conn) -> None:
    from generator.private import memory, printing

    conn.send((printing.python_mb(), memory._process_kb(os.getpid()) // 1024, memory._process_kb(os.getppid()) // 1024))
    conn.close()


def test_the_writer_counts_the_build_process_beside_itself():
    """printing.python_mb in a child process (the private writer, build.private_job) counts its
    parent, the build process, too (by PSS where /proc gives it: memory.tree_mb): the Python side
    of the tree, not the writer alone."""
    import multiprocessing

    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("spawn").Process(target=_python_mb_of_child, args=(send,))
    child.start()
    both, own, parent = receive.recv()
    child.join()
    assert own > 0 and parent > 0 and both >= own + parent - 5  # the parent's memory moves a little


def test_a_volume_made_by_another_engine_is_printed_whole_never_patched(tmp_path):
    """printing._patch_plan: a volume whose few changed documents could be patched in is patched
    only when the engine printing them made it (pdf_cache.Cache keeps the engine of each combined PDF);
    after an engine switch (BANGFU_PDF_ENGINE, WeasyPrint installed or removed, a browser found)
    or without a recorded engine (an older version's PDF) it is printed whole unless its head
    names the browser as its producer, so that no volume mixes two engines' pages, fonts and
    footers."""
    from generator.private import printing

    path = tmp_path / "分册_J.pdf"
    path.write_bytes(b"%PDF-1.4")
    digests = ("a", "b", "c")
    target = printing.Target(path, (path,) * 3, pdf_cache.combined_digest(("a", "b", "x")), ("a", "b", "x"))
    cache = pdf_cache.Cache(tmp_path)
    for made_by, printing_now, patched in (("chromium", "chromium", True), ("weasyprint", "weasyprint", True),
                                           ("weasyprint", "chromium", False), ("chromium", "weasyprint", False),
                                           (None, "chromium", False)):
        cache.store(path, pdf_cache.combined_digest(digests), parts=[(d, 2) for d in digests], engine=made_by)
        cache.save()
        reread = pdf_cache.Cache(tmp_path)
        assert reread.engine(path) == made_by
        plan = printing._patch_plan(reread, target, printing_now)
        assert plan == (([("a", 2), ("b", 2), ("c", 2)], 1) if patched else None)
    # an older version's browser volume: the engine read from the producer at its head
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<</Producer (Skia/PDF m156)>>\nendobj\n")
    assert pdf_cache.Cache(tmp_path).engine(path) == "chromium"
    assert printing._patch_plan(pdf_cache.Cache(tmp_path), target, "chromium") == ([("a", 2), ("b", 2), ("c", 2)], 1)
    assert printing._patch_plan(pdf_cache.Cache(tmp_path), target, "weasyprint") is None


def blank_pdf(pages: int) -> bytes:
    """A PDF of `pages` blank A4 pages (a stamp of that many pages, as pdf_stamps keeps them)."""
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_stamps_kept_in_the_output_folder_serve_the_next_build(tmp_path, monkeypatch):
    """pdf_stamps.Stamps: a stamp the browser printed (by head and page count) is kept in the build's
    output folder (.pdf-stamps, linked into the next build's with the PDFs), so that a rebuild
    patching one dossier into its volume prints the dossier, not its footers again; a stamp of
    another browser or with another page count than asked is not taken (printed again)."""
    monkeypatch.setattr(pdf_stamps, "_state", {})
    monkeypatch.setenv("BANGFU_BROWSER", str(tmp_path / "browser"))
    (tmp_path / "browser").write_bytes(b"version 1")
    folder = tmp_path / "private" / pdf_stamps.STAMPS_FOLDER
    kept = pdf_stamps.Stamps(folder)
    assert ("head", 2) not in kept
    kept["head", 2] = blank_pdf(2)
    assert [p.suffix for p in folder.iterdir()] == [".pdf"]
    again = pdf_stamps.Stamps(folder)  # the next build
    assert ("head", 2) in again and again["head", 2] == kept["head", 2]
    assert ("head", 3) not in again and ("other head", 2) not in again
    next(folder.iterdir()).write_bytes(blank_pdf(3))  # damaged, or not what the name says
    assert ("head", 2) not in pdf_stamps.Stamps(folder)
    kept["head", 2] = blank_pdf(2)
    monkeypatch.setattr(pdf_stamps, "_state", {})
    (tmp_path / "browser").write_bytes(b"version 2, updated")  # another browser prints its own
    assert ("head", 2) not in pdf_stamps.Stamps(folder)
    assert ("head", 2) not in pdf_stamps.Stamps(None)  # in memory only


def test_stamps_a_build_used_are_kept_however_many_and_the_unused_go_oldest_first(tmp_path, monkeypatch):
    """pdf_stamps.Stamps.prune (at the end of a build, keep_stamps(None)): while the folder holds more
    than MOST_STAMPS, the stamps this build did not use are removed, the oldest first; those it
    used stay even beyond the bound (a 20,000-worker station's receipt sheets need hundreds of
    page counts, which emptying the folder had printed again in every build)."""
    monkeypatch.setattr(pdf_stamps, "_state", {})
    monkeypatch.setattr(pdf_stamps, "MOST_STAMPS", 2)
    monkeypatch.setenv("BANGFU_BROWSER", str(tmp_path / "browser"))
    (tmp_path / "browser").write_bytes(b"version 1")
    folder = tmp_path / "private" / pdf_stamps.STAMPS_FOLDER
    first = pdf_stamps.Stamps(folder)
    for n in (1, 2, 3, 4):
        first["head", n] = blank_pdf(n)
    first.prune()
    assert len(list(folder.glob("*.pdf"))) == 4  # all used by this build: none removed
    for n, path in zip((1, 2, 3, 4), [first._file(("head", n)) for n in (1, 2, 3, 4)]):
        os.utime(path, ns=(n * 10**9, n * 10**9))  # printed in this order
    second = pdf_stamps.Stamps(folder)  # the next build uses the oldest and the newest
    assert ("head", 1) in second and ("head", 4) in second
    second.prune()
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted(second._file(("head", n)).name for n in (1, 4))
    third = pdf_stamps.Stamps(folder)
    third["head", 5] = blank_pdf(5)
    third.prune()  # three kept, one over: the oldest unused goes
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted(third._file(("head", n)).name for n in (4, 5))
    serving = pdf_stamps.Stamps(folder)  # one process building again and again (serve)
    assert ("head", 4) in serving
    serving.prune()
    serving["head", 6] = blank_pdf(6)
    serving.prune()  # the next build did not use 4, the oldest: gone from the folder and from memory
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted(third._file(("head", n)).name for n in (5, 6))
    assert ("head", 4) not in serving and ("head", 6) in serving
    assert pdf_objects.page_count(blank_pdf(7)) == 7


def test_a_split_piece_holds_only_what_its_pages_reach_and_never_another_page(tmp_path):
    """pdf_objects.split on a two-page PDF with a classic cross-reference table: each piece is a
    whole PDF of its own page (its content stream copied, the other page's left out); a page
    that refers to the other one (a link) cannot be split off: Unfit, printed one by one."""
    import io

    import pypdf
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = pypdf.PdfWriter()
    for text in (b"first page", b"second page"):
        page = writer.add_blank_page(200, 200)
        stream = DecodedStreamObject()
        stream.set_data(b"% " + text + b"\n")
        page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    whole = pdf_objects.reader(data)
    first, second = pdf_objects.split(data, whole, [(0, 1), (1, 2)])
    for piece, own, other in ((first, b"first page", b"second page"), (second, b"second page", b"first page")):
        assert own in piece and other not in piece
        assert len(pdf_objects.reader(piece).pages) == 1
        assert pdf_objects.reader(piece).pages[0].get_contents().get_data() == b"% " + own + b"\n"
    link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                             NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                             NameObject("/Dest"): ArrayObject([writer.pages[1].indirect_reference,
                                                               NameObject("/Fit")])})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    buffer = io.BytesIO()
    writer.write(buffer)
    linked = buffer.getvalue()
    with pytest.raises(pdf_objects.Unfit):
        pdf_objects.split(linked, pdf_objects.reader(linked), [(0, 1), (1, 2)])


def _pdf_of(pages: list[bytes], family: bytes = b"Noto Sans CJK SC") -> bytes:
    """A PDF with a classic cross-reference table (as the browser writes one): a page per content
    text, each drawing with a font whose descriptor holds a string, as the browser's do."""
    import io

    import pypdf
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

    writer = pypdf.PdfWriter()
    descriptor = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/FontDescriptor"),
                                                      NameObject("/FontFamily"): TextStringObject(family.decode())}))
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type3"),
                                                NameObject("/FontDescriptor"): descriptor}))
    for text in pages:
        page = writer.add_blank_page(200, 200)
        stream = DecodedStreamObject()
        stream.set_data(b"% " + text + b"\n")
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): font})})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _contents(data: bytes) -> list[tuple[bytes, str]]:
    """Each page's content and its font's family, as a strict reader finds them."""
    pages = pdf_objects.reader(data).pages
    return [(page.get_contents().get_data(),
             str(page["/Resources"]["/Font"]["/F1"]["/FontDescriptor"]["/FontFamily"])) for page in pages]


def test_a_patch_copies_the_new_pages_objects_byte_for_byte_renumbered(tmp_path, monkeypatch):
    """pdf_objects.patched with the changed document's print: its pages' objects (content, fonts,
    their descriptors with a string) are appended as they are, renumbered after the old PDF's,
    never parsed and written again by pypdf (Update.copy, about half a CPU-second for one
    printed dossier); the patched PDF reads as the old pages with the new one in its place."""
    old = _pdf_of([b"page one", b"page two old", b"page three"])
    new = _pdf_of([b"page two new"], b"Noto Sans CJK SC Bold")

    def parsed(self, reader_, obj):
        raise AssertionError("parsed and written again")

    monkeypatch.setattr(pdf_objects.Update, "copy", parsed)
    out = pdf_objects.patched(pdf_objects.Update(old), [(0, 0), (1, 0), (0, 2)], new)
    assert out.startswith(old)  # an incremental update: the old bytes as they were
    assert _contents(out) == [(b"% page one\n", "Noto Sans CJK SC"), (b"% page two new\n", "Noto Sans CJK SC Bold"),
                              (b"% page three\n", "Noto Sans CJK SC")]
    assert (b"% page two new\n" in out[len(old):]) and out.count(b"/FontFamily (Noto Sans CJK SC Bold)") == 1


def test_a_patch_whose_new_pages_hold_a_string_like_a_reference_parses_them(monkeypatch):
    """A dictionary string that reads like a reference ("1 0 R") could be renumbered by the byte
    copy: those pages are copied by pypdf (Update.copy) instead, to the same pages."""
    old = _pdf_of([b"page one"])
    new = _pdf_of([b"page two"], b"Family 1 0 R")
    copies = []
    copy = pdf_objects.Update.copy
    monkeypatch.setattr(pdf_objects.Update, "copy",
                        lambda self, r, obj, *rest: copies.append(1) or copy(self, r, obj, *rest))
    out = pdf_objects.patched(pdf_objects.Update(old), [(0, 0), (1, 0)], new)
    assert copies and _contents(out) == [(b"% page one\n", "Noto Sans CJK SC"), (b"% page two\n", "Family 1 0 R")]
    assert pdf_objects._doubtful_strings(b"<</A (x) /B (y 2 0 R)>>")
    assert pdf_objects._doubtful_strings(b"<</A (a(b)c)>>")
    assert not pdf_objects._doubtful_strings(b"<</A (x \\) y) /B 2 0 R>>")


@pytest.mark.browser
@pytest.mark.slow
def test_threads_printing_at_once_share_one_browser_each_in_a_renderer_of_its_own(tmp_path, monkeypatch,
                                                                                browser_sessions):
    """pdf.browser_session: threads of a process that print at the same time drive ONE browser,
    started by the main thread, each over its own connection and browser context (a renderer of
    its own); each prints exactly what a browser of its own prints; the browser ends when the last
    of them leaves, whichever it is. A browser a thread other than the main one started is not
    shared (on Linux it dies with that thread)."""
    import threading

    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(pdf, "_state", {})
    paths = write(tmp_path / "docs", {"甲": 2, "乙": 3})
    with pdf.browser_session():  # alone: the reference
        for path in paths:
            pdf.write_pdf(path, path.with_name(f"{path.stem}-alone.pdf"))
    assert browser_sessions[0].proc.poll() is not None  # ended as it left
    started = len(browser_sessions)
    pdf.prestart()  # as printing.write does for two lanes: by the main thread
    inside, leave = threading.Barrier(2), [threading.Event(), threading.Event()]
    errors: list = []

    def lane(k: int) -> None:
        try:
            with pdf.browser_session():
                pdf.write_pdf(paths[k], paths[k].with_name(f"{paths[k].stem}-shared.pdf"))
                inside.wait(timeout=60)  # both in the browser at once
                leave[k].wait(timeout=60)
        except BaseException as err:  # noqa: BLE001 - failed below
            errors.append(err)

    threads = [threading.Thread(target=lane, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    leave[0].set()  # the first to leave, either the one that started it or not, leaves it running
    threads[0].join()
    shared = browser_sessions[started:]
    assert len(shared) == 2 and shared[0].proc is shared[1].proc and shared[0].proc.poll() is None
    leave[1].set()
    threads[1].join()
    assert not errors and shared[0].proc.poll() is not None  # the last one ended it
    assert browser_share._shared == {} and pdf.running_session() is None
    for path in paths:
        alone = page_texts(path.with_name(f"{path.stem}-alone.pdf"))
        assert page_texts(path.with_name(f"{path.stem}-shared.pdf")) == alone

    # a browser started by another thread is that thread's alone
    def own() -> None:
        with pdf.browser_session():
            pdf.write_pdf(paths[0], tmp_path / "own.pdf")
            errors.append(dict(browser_share._shared))

    thread = threading.Thread(target=own)
    thread.start()
    thread.join()
    assert errors == [{}] and browser_sessions[-1].proc.poll() is not None
    assert page_texts(tmp_path / "own.pdf") == page_texts(paths[0].with_name("甲-alone.pdf"))


@pytest.mark.browser
@pytest.mark.slow
def test_the_stamps_of_a_print_come_from_one_page_and_read_and_look_as_each_printed_alone(tmp_path, chromium):
    """pdf_volume._print_stamps: the stamps a print needs (one per page count) are printed from ONE
    page whose body is replaced for each further count (browser.Session.print_bodies: the
    stylesheets and fonts set up once); each reads and renders exactly as that stamp printed from
    a page of its own."""
    paths = write(tmp_path / "docs", {"甲": 1, "乙": 3, "丙": 2, "丁": 3})
    session = pdf.running_session()
    calls: list[str] = []
    real_call = session.call

    def call(method, params=None, session_id=None):
        calls.append(method)
        return real_call(method, params, session_id)

    session.call = call
    stamps: dict = {}
    [(data, counts)] = pdf_volume.print_volumes(pdf._chromium_pdf, [paths], stamps)
    assert counts == [1, 3, 2, 3]
    # the volume's print and one stamp page loaded; four PDFs: the volume and the stamps of 1, 3 and 2 pages
    assert calls.count("Page.navigate") == 2 and calls.count("Page.printToPDF") == 4
    assert calls.count("Runtime.evaluate") == 2
    key = pdf_volume._head_key(pdf_volume.Document(paths[0]))
    assert sorted(n for _, n in stamps) == [1, 2, 3]
    for n in (1, 2, 3):
        page = tmp_path / f"alone-{n}.html"
        page.write_text(pdf_volume.stamp_html(pdf_volume.Document(paths[0]), n), encoding="utf-8")
        (tmp_path / f"alone-{n}.pdf").write_bytes(pdf._chromium_pdf(page))
        (tmp_path / f"joined-{n}.pdf").write_bytes(stamps[key, n])
        assert page_texts(tmp_path / f"joined-{n}.pdf") == page_texts(tmp_path / f"alone-{n}.pdf")
        assert f"共 {n} 页" in page_texts(tmp_path / f"joined-{n}.pdf")[-1]
        for name in ("alone", "joined"):
            subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / f"{name}-{n}.pdf"),
                            str(tmp_path / f"{name}-{n}")], check=True)
        for k in range(1, n + 1):
            assert (tmp_path / f"joined-{n}-{k}.png").read_bytes() == (tmp_path / f"alone-{n}-{k}.png").read_bytes()
    (tmp_path / "volume.pdf").write_bytes(data)
    assert [footer(t) for t in page_texts(tmp_path / "volume.pdf")] == [
        "第 1 页，共 1 页", "第 1 页，共 3 页", "第 2 页，共 3 页", "第 3 页，共 3 页", "第 1 页，共 2 页",
        "第 2 页，共 2 页", "第 1 页，共 3 页", "第 2 页，共 3 页", "第 3 页，共 3 页"]
