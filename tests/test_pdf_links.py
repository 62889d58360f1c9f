"""Links inside the printed PDFs: relative to the PDF's own folder, never into the build's
staging folder (.bangfu/new-private, gone after the swap), and still working after the
clerk moves the private folder elsewhere."""

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.private import pdf as pdf_output, pdf_cache

from private_station import PAYOUTS, TODAY, write_station


def link_targets(pdf: Path) -> list[str]:
    """Every link annotation's target in `pdf`: the URI of a URI action, the file of a
    launch or remote go-to action."""
    import pypdf

    found = []
    for page in pypdf.PdfReader(pdf).pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link" or "/A" not in annotation:
                continue
            action = annotation["/A"].get_object()
            if action["/S"] == "/URI":
                found.append(str(action["/URI"]))
            elif action["/S"] in ("/Launch", "/GoToR"):
                spec = action["/F"]
                found.append(str(spec.get_object().get("/F", spec) if hasattr(spec, "get_object") else spec))
    return found


def resolve(pdf: Path, target: str) -> Path:
    """The file a relative link of `pdf` opens (its #fragment, e.g. a page, left off)."""
    parts = urlsplit(target)
    assert not parts.scheme and not parts.netloc, f"{pdf.name}: {target} is not relative to the PDF's folder"
    return (pdf.parent / unquote(parts.path)).resolve()


def assert_links_work(private: Path, forbidden: list[str]) -> dict[str, list[str]]:
    """Every link of every PDF in `private` opens an existing file inside `private`; none names
    the staging folder or any of `forbidden`. Returns the links by PDF (relative name)."""
    links = {}
    for pdf in sorted(private.rglob("*.pdf")):
        if ".pdf-stamps" in pdf.parts:
            continue
        targets = link_targets(pdf)
        for target in targets:
            for word in (".bangfu", "new-private", "file:", *forbidden):
                assert word not in unquote(target), f"{pdf.relative_to(private)}: {target}"
            opened = resolve(pdf, target)
            assert opened.is_file(), f"{pdf.relative_to(private)}: {target} -> {opened} is missing"
            assert opened.is_relative_to(private.resolve()), f"{pdf.relative_to(private)}: {target} leaves the folder"
        links[pdf.relative_to(private).as_posix()] = targets
    return links


def test_a_file_uri_becomes_relative_to_the_pdf_folder_keeping_its_fragment(tmp_path):
    folder = tmp_path / "private" / "档案"
    uri = (tmp_path / "private" / "待办.pdf").as_uri()
    assert pdf_output.relative_uri(uri, folder) == "../%E5%BE%85%E5%8A%9E.pdf"
    assert pdf_output.relative_uri((folder / "SF-0001.html").as_uri() + "#page=3", folder) == "./SF-0001.html#page=3"
    assert pdf_output.relative_uri("https://example.org/a.pdf", folder) is None
    assert pdf_output.relative_uri("#part-1", folder) is None


def test_a_browser_pdf_keeps_its_length_and_every_offset_when_its_links_are_rewritten(tmp_path):
    folder = tmp_path / ".bangfu" / "new-private" / "档案"
    target = (folder / "SF-0001.html").as_uri()
    up = (folder.parent / "待办.pdf").as_uri() + "#page=2"
    data = (b"%PDF-1.4\n1 0 obj\n<</Type /Action /S /URI /URI (" + target.encode() + b")>>\nendobj\n"
            b"3 0 obj\n<</S /URI /URI (" + up.encode() + b")>>\nendobj\n"
            b"2 0 obj\n<</S /URI /URI (https://example.org/)>>\nendobj\nstartxref\n9\n%%EOF\n")
    out = pdf_output.relative_links(data, folder / "档案目录.pdf")
    assert len(out) == len(data) and out.index(b"2 0 obj") == data.index(b"2 0 obj")
    assert b"/URI (./SF-0001.html) " in out and b"/URI (../%E5%BE%85%E5%8A%9E.pdf#page=2) " in out
    assert b"file:" not in out and b"(https://example.org/)" in out
    assert pdf_output.relative_links(b"%PDF no links", folder / "x.pdf") == b"%PDF no links"


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(pdf_output.find_browser() is None, reason="needs Chromium")
def test_every_link_of_every_private_pdf_opens_a_file_after_the_swap_and_after_a_move(tmp_path, monkeypatch):
    """A real build (staging folder, then the swap) with the browser printing, a dossier's own
    PDF asked for first: the index's links open the volumes and the dossiers from the
    published folder, and from a copy of it on another disk; the wall printouts (public)
    link to nothing private."""
    from generator.build import build_all

    monkeypatch.delenv("BANGFU_PDF_ENGINE", raising=False)
    monkeypatch.chdir(tmp_path)
    write_station(tmp_path / "records")
    asked = CliRunner().invoke(cli, ["dossier", "SF-0001", "--records-dir", "records", "--today", TODAY.isoformat()])
    assert asked.exit_code == 0, asked.output
    lines: list[str] = []
    code = build_all(tmp_path / "records", site_dir=tmp_path / "site", private_dir=tmp_path / "private",
                     today=TODAY, pdf=True, echo=lines.append)
    assert code == 0, "\n".join(lines)
    private = tmp_path / "private"
    links = assert_links_work(private, [str(tmp_path)])
    index = links["档案/档案目录.pdf"]
    volumes = sorted(p.name for p in (private / "档案").glob("分册_*.pdf"))
    dossiers = sorted(p.name for p in (private / "档案").glob("SF-*.html"))
    assert len(dossiers) == 10 and volumes
    # each volume once, the index itself, each dossier twice (its number and its name)
    expected = sorted([*volumes, "档案目录.pdf", *dossiers, *dossiers])
    assert sorted(unquote(t).removeprefix("./") for t in index) == expected
    assert "档案/SF-0001.pdf" in links and "待办.pdf" in links and "签收单/全部签收单.pdf" in links
    # the wall printouts are public: no link into the private folder (nor anywhere on this disk)
    wall = list((tmp_path / "site").rglob("*.pdf"))
    assert wall
    for pdf in wall:
        for target in link_targets(pdf):
            assert "file:" not in target and "档案" not in unquote(target) and "private" not in target, (pdf, target)
    # a rebuild after one payout amount: the index is printed again, joined with the changed
    # dossier in one print from a hidden page in its folder (pdf.write_joined)
    before = (private / "档案" / "档案目录.pdf").read_bytes()
    changed = [dict(p) for p in PAYOUTS]
    changed[1]["amount"] -= 1
    write_station(tmp_path / "records", tables={"payouts": changed})
    code = build_all(tmp_path / "records", site_dir=tmp_path / "site", private_dir=private,
                     today=TODAY, pdf=True, echo=lines.append)
    assert code == 0, "\n".join(lines)
    assert (private / "档案" / "档案目录.pdf").read_bytes() != before  # printed again (its amounts)
    again = assert_links_work(private, [str(tmp_path)])
    assert sorted(unquote(t).removeprefix("./") for t in again["档案/档案目录.pdf"]) == expected
    links = again
    # the clerk copies the private folder to a USB stick: the links go along
    moved = tmp_path / "U盘" / "帮扶内部材料"
    moved.parent.mkdir()
    shutil.move(private, moved)
    assert assert_links_work(moved, [str(private)]) == links


@pytest.mark.slow
@pytest.mark.skipif(not pdf_output.available() or pdf_output.engine() is None, reason="needs WeasyPrint")
def test_weasyprint_writes_the_index_links_relative_too(tmp_path):
    """The index printed by WeasyPrint (BANGFU_PDF_ENGINE=weasyprint) from a folder that is
    then moved: its links open the dossiers beside it."""
    from generator.private import write_private

    from private_station import read_station

    records = read_station(tmp_path / "records")
    staging = tmp_path / ".bangfu" / "new-private"
    write_private(records, staging, today=TODAY, pdf=False)
    folder = staging / "档案"
    pdf_output.write_pdf(folder / "index.html", folder / "档案目录.pdf", "weasyprint")
    assert pdf_output.write_parts([folder / "SF-0001.html", folder / "SF-0002.html"],
                                  folder / "两份.pdf", "weasyprint")
    moved = tmp_path / "private"
    shutil.move(staging, moved)
    index = assert_links_work(moved, [str(staging)])["档案/档案目录.pdf"]
    assert sorted(unquote(t).removeprefix("./") for t in index if "SF-" in t) == sorted(
        p.name for p in (moved / "档案").glob("SF-*.html") for _ in range(2))


def test_a_single_document_pdf_from_before_relative_links_is_printed_again_once(tmp_path):
    """An upgraded station's 档案目录.pdf, written with links into the staging folder, is not
    taken as fresh (its cache entry, a bare digest, does not say its links are relative); one
    written now is; a volume's entry (no links) stays fresh."""
    pdf_path, volume = tmp_path / "档案" / "档案目录.pdf", tmp_path / "档案" / "分册_A.pdf"
    pdf_path.parent.mkdir()
    pdf_path.write_bytes(b"%PDF old")
    volume.write_bytes(b"%PDF volume")
    (tmp_path / pdf_cache.Cache.NAME).write_text(
        '{"档案/档案目录.pdf": "d1", "档案/分册_A.pdf": {"digest": "d2", "parts": [["d2", 3]], "sources": 1}}',
        encoding="utf-8")
    cache = pdf_cache.Cache(tmp_path)
    assert not cache.fresh(pdf_path, "d1") and cache.fresh(volume, "d2")
    cache.store(pdf_path, "d1")
    cache.save()
    again = pdf_cache.Cache(tmp_path)
    assert again.fresh(pdf_path, "d1") and not again.fresh(pdf_path, "d3") and again.fresh(volume, "d2")


def test_a_private_pdf_of_another_engine_is_printed_again(tmp_path, monkeypatch):
    """The private PDF cache keys each PDF by its documents and by what else it depends on
    (pdf_cache.engine_fingerprint): under another engine, version or font, no PDF is fresh and
    no volume is patched. An entry that names no key (written before keys were kept) is taken
    as made with the current one and marked so: an update alone prints nothing again."""
    pdf_path, volume = tmp_path / "档案" / "档案目录.pdf", tmp_path / "档案" / "分册_A.pdf"
    pdf_path.parent.mkdir()
    pdf_path.write_bytes(b"%PDF index")
    volume.write_bytes(b"%PDF volume")
    (tmp_path / pdf_cache.Cache.NAME).write_text(
        '{"档案/档案目录.pdf": {"digest": "d1", "links": "relative"},'
        ' "档案/分册_A.pdf": {"digest": "d2", "parts": [["d2", 3]], "sources": 1, "engine": "chromium"}}',
        encoding="utf-8")
    cache = pdf_cache.Cache(tmp_path, key="engine-a")
    assert cache.fresh(pdf_path, "d1") and cache.fresh(volume, "d2") and cache.parts(volume) is not None
    cache.save()
    other = pdf_cache.Cache(tmp_path, key="engine-b")
    assert not other.fresh(pdf_path, "d1") and not other.fresh(volume, "d2")
    assert other.parts(volume) is None  # printed whole, not patched
    assert pdf_cache.Cache(tmp_path).fresh(volume, "d2")  # no key asked: the documents only
    other.store(pdf_path, "d1")
    other.store(volume, "d2", parts=[("d2", 3)], engine="chromium")
    other.save()
    again = pdf_cache.Cache(tmp_path, key="engine-b")
    assert again.fresh(pdf_path, "d1") and again.fresh(volume, "d2") and again.parts(volume) is not None
    assert not pdf_cache.Cache(tmp_path, key="engine-a").fresh(volume, "d2")
    # the private writer asks with the fingerprint of the engine in use
    seen: list = []
    real = pdf_cache.Cache

    class Spy(real):  # type: ignore[misc, valid-type]
        def __init__(self, root, key=None):
            seen.append(key)
            super().__init__(root, key)

    from generator.private import printing

    monkeypatch.setattr(printing.pdf_cache, "Cache", Spy)
    printing.write(tmp_path, [])
    assert seen == [pdf_cache.engine_fingerprint()]
