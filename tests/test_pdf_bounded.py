"""Every browser print is bounded in size: a long receipt sheet is cut between its rows into
pieces printed on their own, small documents are joined only up to a bound, and the PDF put
together from the pieces reads as one document, numbered "第 k 页，共 n 页" across them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from generator.private import pdf, pdf_objects, pdf_volume
from generator.private.receipts import write_receipts

from private_station import PAYOUTS, TODAY, WORKERS, read_station

CHROMIUM = "/usr/lib/chromium/chromium"
ROWS = 3000


def body(rows: int, head: str = "<h1>签收单</h1>") -> str:
    cells = "".join(f"<td>{c}</td>" for c in range(8))
    trs = "".join(f"\n<tr><td>{i}</td>{cells}</tr>" for i in range(1, rows + 1))
    return (f'{head}<table class="receipt"><colgroup><col></colgroup><thead><tr><th>序号</th></tr></thead>'
            f'<tbody>{trs}\n<tr class="total"><td>合计</td></tr>\n</tbody></table><p>经办人：</p>')


def row_numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", text)]


def test_a_long_table_is_cut_between_rows_and_each_piece_is_a_whole_table():
    text = body(2500)
    pieces = pdf_volume.cut(text, most=100_000, rows_most=1000)
    assert len(pieces) == 3
    assert [len(row_numbers(p)) for p in pieces] == [834, 834, 832]
    assert [n for p in pieces for n in row_numbers(p)] == list(range(1, 2501))  # every row once, in order
    assert pieces[0].startswith("<h1>签收单</h1><table") and "<h1>" not in pieces[1] + pieces[2]
    for piece in pieces:  # each opens its table with the columns and the head row repeated on every page
        assert piece.count('<table class="receipt"><colgroup><col></colgroup><thead>') == 1
        assert piece.count("</tbody></table>") == 1
    assert '<tr class="total">' in pieces[-1] and pieces[-1].endswith("<p>经办人：</p>")
    assert '<tr class="total">' not in pieces[0] + pieces[1]
    # by elements too: about ten elements a row, so 2,500 rows are four pieces of at most 7,000
    by_size = pdf_volume.cut(text, most=7_000, rows_most=10_000)
    assert len(by_size) == 4 and all(pdf_volume.elements(p) <= 7_000 for p in by_size)
    assert [n for p in by_size for n in row_numbers(p)] == list(range(1, 2501))


def test_short_documents_and_tables_within_tables_are_not_cut():
    assert pdf_volume.cut(body(10)) == [body(10)]
    nested = body(3000).replace("<td>0</td>", "<td><table><tr><td>x</td></tr></table></td>", 1)
    assert pdf_volume.cut(nested, most=1000, rows_most=100) == [nested]


def test_prints_join_documents_up_to_the_bound_and_print_a_cut_one_alone(tmp_path):
    paths = []
    for name, rows in (("a", 40), ("b", 40), ("c", 40), ("long", 500), ("d", 40)):
        path = tmp_path / f"{name}.html"
        path.write_text(f"<html><head><title>{name}</title></head><body>{body(rows)}</body></html>", encoding="utf-8")
        paths.append(path)
    documents = [pdf_volume.Document(p) for p in paths]
    sizes = [d.size for d in documents]
    most = sizes[0] * 2 + 10
    planned = pdf_volume.prints(documents, most=most, rows_most=200)
    # a and b share a print, c is alone (with it the print would pass the bound), the long one
    # in pieces (by its elements: about ten a row), each on its own, d alone again
    assert sizes[3] > 5 * most
    assert [[d for d, _ in p] for p in planned] == [[0, 1], [2], *[[3]] * 7, [4]]
    assert all(sum(pdf_volume.elements(b) for _, b in p) <= most for p in planned)
    assert [n for p in planned[2:9] for n in row_numbers(p[0][1])] == list(range(1, 501))
    assert [len(row_numbers(p[0][1])) for p in planned[2:9]] == [72] * 6 + [68]


def wide_body(rows: int, note: str) -> str:
    """A table whose rows hold a long text each (visit notes): few elements, many bytes."""
    trs = "".join(f"\n<tr><td>{i}</td><td>{note}</td></tr>" for i in range(1, rows + 1))
    return (f'<h1>走访记录</h1><table class="visits"><thead><tr><th>序号</th><th>情况</th></tr></thead>'
            f"<tbody>{trs}\n</tbody></table><p>完</p>")


def test_a_document_of_long_texts_is_cut_by_its_bytes_as_well_as_by_its_elements_and_rows():
    """pdf_volume.PRINT_BYTES: a table of few elements but long cells is cut by its bytes (the
    rows shared out evenly), within the bounds of elements and rows; each piece holds about its
    share of the bytes and every row once, in order."""
    note = "家中困难，" * 200  # 3,000 bytes of UTF-8 a row
    text = wide_body(400, note)
    size = pdf_volume.html_bytes(text)
    assert size == len(text.encode("utf-8")) and size > 400 * 3000
    assert pdf_volume.cut(text, most=100_000, rows_most=10_000, bytes_most=10 * size) == [text]
    pieces = pdf_volume.cut(text, most=100_000, rows_most=10_000, bytes_most=size // 4)
    assert len(pieces) == 5  # the opening repeated in every piece after the first: a little over a quarter each
    assert all(pdf_volume.html_bytes(p) <= size // 4 + 4000 for p in pieces)
    assert [int(n) for p in pieces for n in re.findall(r"<tr><td>(\d+)</td>", p)] == list(range(1, 401))
    assert all(p.count("</tbody></table>") == 1 for p in pieces)


def test_prints_join_documents_up_to_a_bound_of_bytes_too(tmp_path):
    """Documents small in elements but large in bytes share a print only up to `bytes_most`; one
    larger than that alone is cut (long_document)."""
    paths = []
    for name, rows in (("a", 20), ("b", 20), ("c", 20), ("long", 200)):
        path = tmp_path / f"{name}.html"
        path.write_text(f"<html><head><title>{name}</title></head><body>{wide_body(rows, '困难' * 500)}</body></html>",
                        encoding="utf-8")
        paths.append(path)
    documents = [pdf_volume.Document(p) for p in paths]
    assert documents[0].bytes == pdf_volume.html_bytes(documents[0].body)
    bound = documents[0].bytes * 2 + 100
    assert all(d.size * 3 < pdf_volume.PRINT_ELEMENTS for d in documents)  # the elements alone join them all
    assert [[d for d, _ in p] for p in pdf_volume.prints(documents)] == [[0, 1, 2, 3]]
    planned = pdf_volume.prints(documents, bytes_most=bound)
    assert [[d for d, _ in p] for p in planned][:2] == [[0, 1], [2]]
    assert not pdf_volume.long_document(documents[0], bytes_most=bound)
    assert pdf_volume.long_document(documents[3], bytes_most=bound)
    assert len(planned) > 3 and all(p == [(3, p[0][1])] for p in planned[2:])
    assert all(sum(pdf_volume.html_bytes(b) for _, b in p) <= bound + 2000 for p in planned)
    assert [int(n) for p in planned[2:] for n in re.findall(r"<tr><td>(\d+)</td>", p[0][1])] == list(range(1, 201))


@pytest.fixture(scope="module")
def long_sheet(tmp_path_factory):
    """A station whose running disclosure lists ROWS payouts not yet signed for: its receipt
    sheet (printed on its own, as the clerk prints it next) and the station's other sheets."""
    extra = [{"record_no": f"FF-2026-9{i:04d}", "archive_no": w["archive_no"], "name": w["name"], "item": "生活救助",
              "applied": date(2026, 11, 2), "verified": date(2026, 11, 6), "batch": "GS-2026-05",
              "amount": D(100 + i % 50), "fund": "上级帮扶专项资金", "method": "银行卡", "signed": False,
              "clerk": "李文"}
             for i in range(ROWS - 3) for w in [WORKERS[i % len(WORKERS)]]]
    records = read_station(tmp_path_factory.mktemp("station") / "records",
                           tables={"payouts": [*PAYOUTS, *extra]})
    out = tmp_path_factory.mktemp("out")
    docs = write_receipts(records, out, today=TODAY)
    sheets = {d.path.stem: d.path for d in docs if d.path.name != "index.html"}
    assert sheets["公示_GS-2026-05"].read_text(encoding="utf-8").count("<tr><td class=\"center\">") == ROWS
    return sheets


@pytest.fixture
def chromium(monkeypatch):
    if not Path(CHROMIUM).is_file() or shutil.which("pdftotext") is None:
        pytest.skip("Chromium and pdftotext (poppler-utils) are needed")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(pdf, "_state", {})
    printed: list[str] = []
    plain = pdf._chromium_pdf

    def recorded(path):
        printed.append(Path(path).read_text(encoding="utf-8"))
        return plain(path)

    monkeypatch.setattr(pdf, "_chromium_pdf", recorded)
    with pdf.browser_session():
        yield printed


def page_texts(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def footers(texts: list[str]) -> list[tuple[int, int]]:
    found = []
    for text in texts:
        numbers = re.findall(r"第 (\d+) 页，共 (\d+) 页", text)
        assert len(numbers) == 1, text[-200:]
        found.append((int(numbers[0][0]), int(numbers[0][1])))
    return found


def listed(texts: list[str]) -> list[int]:
    """The 序号 of the rows on the pages, in order (the first number of each table line)."""
    return [int(m) for text in texts for m in re.findall(r"^\s{0,8}(\d{1,4})\s+SF-\d{4}\b", text, re.M)]


def content_prints(printed: list[str]) -> list[str]:
    return [text for text in printed if "content: none !important" in text]


@pytest.mark.slow
@pytest.mark.browser
def test_a_long_receipt_sheet_is_printed_in_bounded_pieces_and_reads_as_one(long_sheet, chromium, tmp_path):
    out = tmp_path / "公示_GS-2026-05.pdf"
    pages = pdf.write_pdf(long_sheet["公示_GS-2026-05"], out, "chromium")
    pieces = content_prints(chromium)
    assert len(pieces) == 4  # 3,000 rows and the total in pieces of at most CUT_ROWS (1,000) rows
    assert all(piece.count("<tr") <= pdf_volume.CUT_ROWS + 5 for piece in pieces)
    texts = page_texts(out)
    assert len(texts) == pages
    assert footers(texts) == [(k, pages) for k in range(1, pages + 1)]  # numbered across the pieces
    assert listed(texts) == list(range(1, ROWS + 1))  # every row once, in order
    assert "帮扶资金发放签收单" in texts[0] and "合计 3000 人次" in texts[-1] and "经办人" in texts[-1]
    assert all("本人签名" in text for text in texts)  # the table's head on every page


@pytest.mark.slow
@pytest.mark.browser
def test_all_receipt_sheets_span_bounded_prints_each_numbered_on_its_own(long_sheet, chromium, tmp_path):
    order = sorted(long_sheet)
    out = tmp_path / "全部签收单.pdf"
    counts = pdf.write_parts([long_sheet[s] for s in order], out, "chromium")
    assert len(counts) == len(order) and all(n >= 1 for n in counts)
    assert all(piece.count("<tr") <= pdf_volume.CUT_ROWS + 5 for piece in content_prints(chromium))
    texts = page_texts(out)
    assert len(texts) == sum(counts)
    assert footers(texts) == [(k, n) for n in counts for k in range(1, n + 1)]
    at = 0
    for stem, n in zip(order, counts):
        own = texts[at:at + n]
        at += n
        rows = listed(own)
        assert rows == list(range(1, len(rows) + 1)) and rows, stem
    big = order.index("公示_GS-2026-05")
    assert len(listed(texts[sum(counts[:big]):sum(counts[:big + 1])])) == ROWS


def small_pdf(texts: list[bytes]) -> bytes:
    """A PDF of one page per text (its content stream), with a classic cross-reference table and
    a resource shared by its pages, as the browser writes them."""
    import io

    import pypdf
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = pypdf.PdfWriter()
    shared = DecodedStreamObject()
    shared.set_data(b"% shared by " + b" ".join(texts) + b"\n")
    shared_ref = writer._add_object(shared)
    for text in texts:
        page = writer.add_blank_page(200, 200)
        stream = DecodedStreamObject()
        stream.set_data(b"% " + text + b"\n")
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
            {NameObject("/Shared"): shared_ref})})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pages_of_several_prints_are_put_together_with_their_own_objects():
    """pdf_objects.assemble joins pages of two prints (object numbers that collide): each page keeps
    its own content and its own print's shared resource, the PDF reads strictly, and it can be
    patched later as a volume printed in one piece (pdf_objects.Update)."""
    first, second = small_pdf([b"one", b"two"]), small_pdf([b"three", b"four"])
    a = pdf_objects._Source(first, pdf_objects.reader(first))
    b = pdf_objects._Source(second, pdf_objects.reader(second))
    joined = pdf_objects.assemble([(a, 1, 2), (b, 0, 2)])
    read = pdf_objects.reader(joined)
    assert [p.get_contents().get_data() for p in read.pages] == [b"% two\n", b"% three\n", b"% four\n"]
    shared = [p["/Resources"]["/XObject"]["/Shared"].get_data() for p in read.pages]
    assert shared == [b"% shared by one two\n", b"% shared by three four\n", b"% shared by three four\n"]
    assert b"% one\n" not in joined  # the page left out, and what only it reaches
    update = pdf_objects.Update(joined)
    patched = pdf_objects.patched(update, [(0, 2), (0, 0)], None)
    assert [p.get_contents().get_data() for p in pdf_objects.reader(patched).pages] == [b"% four\n", b"% two\n"]
    # the second print's objects are numbered after the first's, each print's in its own order
    numbers = [p.indirect_reference.idnum for p in read.pages]
    shift = numbers[0] - a.page_numbers[1]
    assert numbers[1:] == [n + a.size - 1 + shift for n in b.page_numbers]
    alone = pdf_objects.reader(pdf_objects.assemble([(a, 0, 2)]))
    assert [p.get_contents().get_data() for p in alone.pages] == [b"% one\n", b"% two\n"]


def test_a_volume_written_as_it_comes_is_the_volume_made_in_memory(tmp_path):
    """pdf_objects._Spool: a volume whose documents are written into its file one by one as
    their prints come (each print let go once its documents are written) is byte for byte the
    volume put together in memory from the same prints (assemble), with the document
    information's title of its own, and its objects rewritten as they are written."""
    first, second = small_pdf([b"one", b"two"]), small_pdf([b"three", b"four"])
    a = pdf_objects._Source(first, pdf_objects.reader(first))
    b = pdf_objects._Source(second, pdf_objects.reader(second))
    whole = pdf_objects.assemble([(a, 0, 2), (b, 0, 1), (b, 1, 2)], title="卷")
    with open(tmp_path / "volume.pdf", "wb") as out:
        spool = pdf_objects._Spool(out, title="卷")
        spool.add_pages([(a, 0, 2)])
        spool.add_pages([(b, 0, 1)])
        spool.add_pages([(b, 1, 2)])
        spool.finish()
    assert (tmp_path / "volume.pdf").read_bytes() == whole
    read = pdf_objects.reader(whole)
    assert [p.get_contents().get_data() for p in read.pages] == [b"% one\n", b"% two\n", b"% three\n", b"% four\n"]
    assert pdf_objects.page_count(whole) == 4
    rewritten = io.BytesIO()
    spool = pdf_objects._Spool(rewritten, rewrite=lambda data: data.replace(b"% three", b"% THREE"))
    spool.add_pages([(a, 0, 2), (b, 0, 2)])
    spool.finish()
    assert len(rewritten.getvalue()) == len(pdf_objects.assemble([(a, 0, 2), (b, 0, 2)]))
    assert [p.get_contents().get_data() for p in pdf_objects.reader(rewritten.getvalue()).pages][2] == b"% THREE\n"


@pytest.mark.slow
@pytest.mark.browser
def test_a_browser_prints_in_a_new_tab_after_many_bytes_and_closes_the_old_one(tmp_path, monkeypatch):
    """A tab's renderer keeps the memory of its prints: after browser.RENEW_BYTES of HTML the
    next print is made in a new tab, the old one closed (its renderer ends)."""
    from generator.private import browser

    if not Path(CHROMIUM).is_file():
        pytest.skip("Chromium is needed")
    paths = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.html"
        path.write_text(f"<html><head><title>{name}</title></head><body>{body(30)}</body></html>", encoding="utf-8")
        paths.append(path)
    size = paths[0].stat().st_size
    monkeypatch.setattr(browser, "RENEW_BYTES", size + 1)  # renewed after two prints
    session = browser.Session(CHROMIUM)
    try:
        targets = []
        for path in paths:
            data = session.print_pdf(path)
            assert len(pdf_objects.reader(data).pages) >= 1
            targets.append(session.target)
        assert targets[0] == targets[1] != targets[2]
        pages = {t["targetId"] for t in session.call("Target.getTargets")["targetInfos"] if t["type"] == "page"}
        assert targets[2] in pages and targets[0] not in pages  # (the browser's own first tab stays)
    finally:
        session.close()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="the renderer is measured through Linux /proc")
def test_a_browser_prints_in_a_new_tab_once_its_renderer_holds_too_much(tmp_path, monkeypatch):
    """browser.RENEW_MB (or less: renew_at): a tab whose renderer holds more than that after its prints (and has
    printed at least RENEW_LEAST bytes) is replaced by a new tab before the next print, however
    few bytes it printed (a renderer grows with every print of its tab); below it, it prints on."""
    from generator.private import browser

    if not Path(CHROMIUM).is_file():
        pytest.skip("Chromium is needed")
    paths = []
    for name in ("a", "b", "c", "d"):
        path = tmp_path / f"{name}.html"
        path.write_text(f"<html><head><title>{name}</title></head><body>{body(30)}</body></html>", encoding="utf-8")
        paths.append(path)
    monkeypatch.setattr(browser, "RENEW_LEAST", 0)
    session = browser.Session(CHROMIUM)
    try:
        targets = []
        for k, path in enumerate(paths):
            if k == 2:
                held = browser.renderer_mb(session.proc.pid)
                assert 20 < held < browser.RENEW_MB  # the renderer of this tab, measured
                monkeypatch.setitem(browser._renew, "mb", 0)  # any renderer holds more from now on
            assert len(pdf_objects.reader(session.print_pdf(path)).pages) >= 1
            targets.append(session.target)
        assert targets[0] == targets[1] != targets[2] != targets[3]  # renewed before each print over it
        pages = {t["targetId"] for t in session.call("Target.getTargets")["targetInfos"] if t["type"] == "page"}
        assert targets[3] in pages and not {targets[0], targets[2]} & pages
    finally:
        session.close()
