"""A volume of documents printed by a Chromium-family browser as ONE document, each document
still numbered on its own ("第 k 页，共 n 页").

Printing each dossier as its own document costs the browser about four times the CPU of
printing the same dossiers as one document (style, fonts and layout set up once instead of
once per dossier; measured in the README's PDF section). But one document numbers its pages
across the whole volume. So a volume is made in three steps:

1. **Content.** The documents' bodies are joined into one HTML document (each starting on a
   new page, the shared `<head>` of the documents once), printed with every @page margin box
   switched off (`content: none !important`, injected here: the stylesheets stay as they are).
   Each document's first element carries an id that a zero-size link points at, so the
   browser writes a named destination for it: the page each document starts on, read back
   from the PDF, gives every document's page count.
2. **Stamps.** For each page count n among the documents, an empty document of n pages with
   the same `<head>` is printed: its pages carry only the margin boxes (page header and the
   "第 k 页，共 n 页" footer) exactly as the document's own print would put them (same CSS,
   font, position; `@page :first` applies to each document's first page).
3. **Overlay.** Stamp page k of n is added to the content page it belongs to as a form
   XObject: two tiny content streams (`q` before, `Q q /BangfuStamp Do Q` after) are added
   to the page's /Contents; nothing of the page is parsed or rewritten.

Several volumes are printed the same way as ONE joined print (`print_volumes`: a print costs
the browser about half a CPU-second besides its pages) and split into their own PDFs (`split`:
the objects each volume's pages reach copied byte for byte, the stamps drawn in as its pages are
written). The PDF file layer (objects, cross-reference tables, `split`, `assemble`, `patched`)
is pdf_objects.py.

Documents that refer to other files relative to themselves (the dossier index links to the
volumes and dossiers beside it) are printed from their own folder (a hidden, uniquely named file
there, removed after the print), so that the references resolve as in their own print; only
documents of one folder are joined.

Anything that does not fit (documents with different heads, a page whose size differs from
its stamp, a missing destination) raises Unfit, and the caller prints the documents one by
one as before. Not detected: a stylesheet whose `@page :first` changes the page area (its
margins) would lay out only the volume's first page that way; the project's print.css changes
only the header box there.
"""

from __future__ import annotations

import html
import io
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from . import scratch
from .pdf_objects import Unfit, _Source, _Spool, assemble, page_count, reader

MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                "right-top", "right-middle", "right-bottom", "bottom-right-corner", "bottom-right",
                "bottom-center", "bottom-left", "bottom-left-corner", "left-bottom", "left-middle",
                "left-top")
NO_MARGIN_BOXES = "<style>@page {{ {} }}</style>".format(" ".join(
    f"@{box} {{ content: none !important; }}" for box in MARGIN_BOXES))
# The joined page is only printed, never shown: hidden on screen, the browser lays it out once
# (for print) instead of first for its window too. The same pages, drawn the same; the browser's
# CPU for 40 demo dossiers as one volume 3.0-3.2 s instead of 3.6-4.3 s (renderer process).
SCREEN_HIDDEN = "<style>@media screen { html { display: none !important; } }</style>"
PART_ID = "bangfu-part-{}"

_DOCUMENT = re.compile(r"\A(?P<prefix>.*?<head\b[^>]*>)(?P<head>.*?)</head>\s*<body\b(?P<attrs>[^>]*)>"
                       r"(?P<body>.*)</body>\s*</html>\s*\Z", re.S | re.I)
_TITLE = re.compile(r"<title\b[^>]*>.*?</title>", re.S | re.I)
# A reference to another file relative to the document (src="x.png", href="a.html", url(x)):
# the volume is printed from a temporary folder, where it would not resolve (a <base> would,
# but then the browser writes no named destinations).
_RELATIVE = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?)(?![a-z][a-z0-9+.-]*:|#|data:)""", re.I)


class Document:
    """One self-contained HTML document split into what a volume shares and what it joins.
    `home`: the folder it must be printed from, where it refers to other files relative to
    itself (the dossier index links to the volumes and dossiers beside it), else None."""

    def __init__(self, path: Path):
        text = Path(path).read_text(encoding="utf-8")
        match = _DOCUMENT.match(text)
        if match is None:
            raise Unfit(f"{path}: no <head> and <body>")
        self.prefix, self.head = match["prefix"], match["head"]
        self.attrs, self.body = match["attrs"], match["body"]
        self.shared = _TITLE.sub("", self.head)  # what must be the same in every document
        self.path = Path(path)
        self.size = elements(self.body)
        self.bytes = html_bytes(self.body)
        self.folder = Path(path).resolve().parent
        self.home = self.folder if _RELATIVE.search(text) else None

    def key(self) -> str:
        """What the documents printed as one share: their head (stylesheets; the stamps are kept
        by it) and the folder they are printed from (theirs: relative references resolve there)."""
        return f"{_head_key(self)}|{self.folder}"


# How much one browser print lays out at most, in elements (start tags) of its documents' bodies.
# The renderer holds every laid-out page until the PDF is written, and a table that runs over
# many pages costs more per row the longer it is (Debian Chromium 156, peak RSS of the renderer
# process: 1,000 receipt rows 84 pages 0.48 GB, 2,000 rows 0.79 GB, 5,000 rows 2.3 GB as one
# table but 1.2 GB as five tables of 1,000; 100 dossiers, 56,000 elements, 463 pages, 0.96 GB).
# A print joins documents up to this many elements, and a longer document is cut between the
# rows of its longest table into pieces of at most about this many, each printed on its own
# (about 0.6 GB each; CUT_ROWS bounds the rows of one piece). Each print costs the browser about
# half a CPU-second of its own, so the bound is not lower than memory needs.
PRINT_ELEMENTS = 20_000
# Rows of one table in one print at most (a receipt row is ten elements; rows are what grows).
CUT_ROWS = 1_000
# Bytes of HTML (UTF-8) in one print at most, besides its elements: what a renderer lays out is
# text as much as elements, and a print of long cells (visit notes, 备注) holds far more text per
# element than one of receipt rows. At 20,000 workers (bench) no print reaches it: the largest
# are 0.79 MB (a piece of 待办.html) and 0.70 MB (35 dossiers, 20,000 elements), each printed alone
# in a new renderer at a peak of 450-500 MiB (Debian Chromium 156).
PRINT_BYTES = 1024 * 1024


def html_bytes(text: str) -> int:
    """The bytes of an HTML text as its file holds it (UTF-8)."""
    return len(text.encode("utf-8"))


def elements(text: str) -> int:
    """The elements (start tags) of an HTML text, counted without parsing it."""
    return text.count("<") - text.count("</") - text.count("<!")


_TBODY = re.compile(r"<tbody\b[^>]*>", re.I)
_TBODY_END = re.compile(r"</tbody\s*>", re.I)
_TABLE = re.compile(r"<table\b", re.I)
_ROW = re.compile(r"<tr\b", re.I)


def cut(body: str, most: int = PRINT_ELEMENTS, rows_most: int = CUT_ROWS,
        bytes_most: int | None = None) -> list[str]:
    """`body` (a document's) cut between the rows of its longest table body into pieces of at
    most about `most` elements, `bytes_most` bytes (the rows shared out evenly, so a piece holds
    about its share of the bytes) and `rows_most` rows of that table: the first piece is the body up
    to its rows, the last the rest of it, and each piece between them the table's opening (its
    columns and head, repeated on every page) with its rows; every piece closes the table it
    opens. One piece, the body itself, when it is small enough or has no such table (a table
    body holding another table is not cut). `bytes_most`: PRINT_BYTES unless given."""
    bytes_most = PRINT_BYTES if bytes_most is None else bytes_most
    size = elements(body)
    best = None
    for m in _TBODY.finditer(body):
        closed = _TBODY_END.search(body, m.end())
        if closed is None or _TABLE.search(body, m.end(), closed.start()):
            continue
        end = closed.start()
        starts = [r.start() for r in _ROW.finditer(body, m.end(), end)]
        if best is None or len(starts) > len(best[2]):
            best = (m, end, starts)
    if best is None:
        return [body]
    m, end, starts = best
    opened = max((t.start() for t in _TABLE.finditer(body, 0, m.start())), default=-1)
    count = max(-(-size // most), -(-len(starts) // rows_most), -(-html_bytes(body) // max(1, bytes_most)))
    if count <= 1 or opened < 0 or len(starts) < 2:
        return [body]
    per = -(-len(starts) // count)
    bounds = starts[per::per]
    if not bounds:
        return [body]
    opening = body[opened:m.end()]
    pieces, at = [], 0
    for k, stop in enumerate([*bounds, None]):
        if stop is None:
            pieces.append(opening + body[at:])
        else:
            pieces.append((body[:stop] if k == 0 else opening + body[at:stop]) + "</tbody></table>")
            at = stop
    return pieces


def document_title(document: Document) -> str | None:
    """The text of the document's <title>, or None."""
    match = _TITLE.search(document.head)
    if match is None:
        return None
    return html.unescape(re.sub(r"<[^>]*>", "", match.group(0))).strip() or None


def _head_key(document: Document) -> str:
    import hashlib

    return hashlib.sha256((document.prefix + document.shared).encode("utf-8")).hexdigest()


def volume_html(documents: list[Document], self_uri: str, folder: Path | None = None) -> str:
    """One HTML document of all `documents`, each from a new page, no margin boxes, and a
    zero-size link to the start of each (so that the browser writes a named destination).
    It is printed from `folder`: a document that refers to other files fits only when that is
    its own folder (a <base> would resolve them elsewhere, but then the browser writes no
    named destinations)."""
    first = documents[0]
    if any(d.shared != first.shared for d in documents):
        raise Unfit("documents with different stylesheets")
    if any(d.home is not None and d.home != folder for d in documents):
        raise Unfit("a document refers to other files and is not printed from its folder")
    parts = []
    for i, doc in enumerate(documents):
        style = ' style="break-before: page"' if i else ""
        parts.append(f'<div id="{PART_ID.format(i)}"{style}><div{doc.attrs}>{doc.body}</div></div>')
    links = "".join(f'<a href="{html.escape(self_uri)}#{PART_ID.format(i)}"></a>' for i in range(len(documents)))
    return (f'{first.prefix}{first.head}{NO_MARGIN_BOXES}{SCREEN_HIDDEN}</head><body>'
            f'{"".join(parts)}<div style="position: absolute; top: 0; left: 0; width: 0; height: 0; '
            f'overflow: hidden">{links}</div></body></html>')


def stamp_body(pages: int) -> str:
    """The body of a stamp of `pages` pages: empty pages (no break before the first)."""
    return '<div style="break-before: page; height: 1px"></div>' * pages


def stamp_html(document: Document, pages: int) -> str:
    """An empty document of `pages` pages with `document`'s head: only its margin boxes print."""
    return f"{document.prefix}{document.head}{SCREEN_HIDDEN}</head><body>{stamp_body(pages)}</body></html>"


def part_starts(reader, parts: int) -> list[int]:
    """The page (0-based) each document of a volume starts on, from its named destinations."""
    found = {}
    for name, dest in reader.named_destinations.items():
        name = str(name).lstrip("/")
        if name.startswith(PART_ID.format("")):
            found[name] = reader.get_destination_page_number(dest)
    starts = [found.get(PART_ID.format(i)) for i in range(parts)]
    if None in starts or starts[0] != 0 or any(b <= a for a, b in zip(starts, starts[1:])) \
            or starts[-1] >= len(reader.pages):
        raise Unfit(f"document starts not found: {starts}")
    return starts


def counts(starts: list[int], pages: int) -> list[int]:
    return [b - a for a, b in zip(starts, starts[1:] + [pages])]


def print_volume(print_file, html_paths: list[Path], stamps: dict) -> tuple[bytes, list[int]]:
    """The PDF of the documents at `html_paths` as one volume, each with its own page numbers,
    and the page count of each; `print_file(path)` prints one HTML file to PDF bytes (the
    browser session), `stamps` keeps the stamp PDFs already printed (their bytes, by head and
    page count; shared by threads)."""
    return print_volumes(print_file, [html_paths], stamps)[0]


def print_volumes(print_file, volumes: list[list[Path]], stamps: dict, most: int = PRINT_ELEMENTS,
                  rows_most: int = CUT_ROWS, targets: list | None = None,
                  rewrite=None) -> list[tuple[bytes | None, list[int]]]:
    """Several volumes (each a list of HTML documents) printed by the browser in as few prints as
    their heads and memory allow: the documents of the volumes that share one head are joined into
    prints of at most `most` elements each (a document longer than that, or with a table of more
    than `rows_most` rows, cut into pieces printed on their own, see cut), whose pages are then
    put together into the volumes' own PDFs (`assemble`), each document numbered on its own
    across the prints it spans. Each print costs the browser about half a CPU-second whatever its
    length (a new document laid out, its fonts set up, a PDF written), as much as five dossiers
    printed within a volume; the demo's 200 dossiers in 20 volumes were 20 prints. Returns each
    volume's PDF and its documents' page counts, in order. With `targets` (a path or None for
    each volume), a volume with a path is written into that file as its documents are printed
    (`rewrite(bytes, path)` applied to what is written) and its PDF is returned as None: a
    volume of many prints is never held whole."""
    import tempfile

    documents = [[Document(p) for p in paths] for paths in volumes]
    if any(not docs for docs in documents):
        raise Unfit("an empty volume")
    by_head: dict[str, list[int]] = {}
    for v, docs in enumerate(documents):  # one head, one folder (Document.key)
        by_head.setdefault(docs[0].key(), []).append(v)
    out: list = [None] * len(volumes)
    with tempfile.TemporaryDirectory(prefix=scratch.folder(scratch.VOLUME)) as tmp:
        for members in by_head.values():
            own = [targets[v] for v in members] if targets is not None else None
            for v, found in zip(members, _print_joined(print_file, [documents[v] for v in members], stamps,
                                                       Path(tmp), most, rows_most, own, rewrite)):
                out[v] = found
    return out


def long_document(doc: Document, most: int = PRINT_ELEMENTS, rows_most: int = CUT_ROWS,
                  bytes_most: int | None = None) -> bool:
    """Whether `doc` is longer than one print lays out (elements, bytes (PRINT_BYTES unless
    given) or the rows of a table): it is cut (cut), when it can be."""
    bytes_most = PRINT_BYTES if bytes_most is None else bytes_most
    return doc.size > most or doc.bytes > bytes_most or doc.body.count("<tr") > rows_most


def prints(documents: list[Document], most: int = PRINT_ELEMENTS, rows_most: int = CUT_ROWS,
           bytes_most: int | None = None) -> list[list]:
    """The prints that lay out `documents` (one head) in order: each a list of (document index,
    body), whole documents joined up to `most` elements and `bytes_most` bytes (PRINT_BYTES
    unless given), or one piece of a document cut (cut)."""
    bytes_most = PRINT_BYTES if bytes_most is None else bytes_most
    found: list[list] = []
    current: list = []
    size = weight = 0
    for d, doc in enumerate(documents):
        pieces = cut(doc.body, most, rows_most, bytes_most) if long_document(doc, most, rows_most, bytes_most) \
            else [doc.body]
        if len(pieces) > 1 or (current and (size + doc.size > most or weight + doc.bytes > bytes_most)):
            if current:
                found.append(current)
            current, size, weight = [], 0, 0
        if len(pieces) > 1:
            found.extend([(d, piece)] for piece in pieces)
        else:
            current.append((d, doc.body))
            size += doc.size
            weight += doc.bytes
    if current:
        found.append(current)
    return found


def _print_joined(print_file, volumes: list[list[Document]], stamps: dict, tmp: Path,
                  most: int, rows_most: int, targets: list | None = None,
                  rewrite=None) -> list[tuple[bytes | None, list[int]]]:
    """The volumes of one head printed in bounded prints (prints) and put together (_Spool):
    each document's pages are written once its last piece is printed, and a print is let go
    once its documents are written. A volume with a target (`targets`, a path or None for
    each) is written into that file as it comes (through a temporary file beside it, renamed
    over it at its end; `rewrite(bytes, target)` applied to what is written) and returned as
    None; the others are returned as bytes."""
    import copy

    joined = [d for docs in volumes for d in docs]
    key = _head_key(joined[0])
    home = next((d.home for d in joined if d.home is not None), None)  # where their references resolve
    planned: list = prints(joined, most, rows_most)
    volume_of: list[int] = [v for v, docs in enumerate(volumes) for _ in docs]
    ends, at = [], 0  # the index after each volume's last document
    for docs in volumes:
        at += len(docs)
        ends.append(at)
    segments: list[list] = [[] for _ in joined]  # (source, first, stop) of each document's pages
    pages = [0] * len(joined)
    out: list = [None] * len(volumes)
    readers = _StampReaders(print_file, joined[0], key, stamps, tmp, home)
    open_: dict[int, tuple] = {}  # volume: (spool, file, temporary path or None)
    written = 0  # documents written
    try:
        for p in range(len(planned)):
            entries, planned[p] = planned[p], None  # the HTML of a print is let go once printed
            parts = []
            for d, body in entries:
                part = copy.copy(joined[d])
                part.body = body
                parts.append(part)
            with _page_in(home, str(tmp), "volume") as page:
                page.write_text(volume_html(parts, page.as_uri(), home), encoding="utf-8")
                data = print_file(page)
            del parts
            whole = reader(data)
            starts = part_starts(whole, len(entries))
            source = _Source(data, whole)
            del data, whole
            for (d, _), first, count in zip(entries, starts, counts(starts, len(source.pages))):
                segments[d].append((source, first, first + count))
                pages[d] += count
            last = entries[-1][0]
            del entries, source
            complete = last + 1 if p + 1 == len(planned) or planned[p + 1][0][0] != last else last
            readers.prefetch([pages[d] for d in range(written, complete)])  # their stamps in one go
            while written < complete:
                d, written = written, written + 1
                v = volume_of[d]
                if v not in open_:
                    open_[v] = _open_spool(targets[v] if targets else None, rewrite, document_title(volumes[v][0]))
                spool = open_[v][0]
                spool.add_pages(segments[d], ([pages[d]], readers))
                segments[d] = []
                joined[d].body = ""  # printed
                if d + 1 == ends[v]:
                    spool.finish()
                    out[v] = _close_spool(*open_.pop(v)), pages[ends[v] - len(volumes[v]):ends[v]]
    finally:
        for _, file, part in open_.values():  # an error: the unfinished files go
            if part is not None:
                file.close()
                Path(part).unlink(missing_ok=True)
    return out


def _open_spool(target: Path | None, rewrite, title: str | None) -> tuple:
    """A _Spool writing into a temporary file beside `target` (None: in memory)."""
    import os
    import tempfile

    if target is None:
        return _Spool(io.BytesIO(), title=title), None, None
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, part = tempfile.mkstemp(prefix=".bangfu-", suffix=".tmp", dir=target.parent)
    file = os.fdopen(handle, "wb")
    spool = _Spool(file, (lambda data: rewrite(data, target)) if rewrite is not None else None, title)
    spool.target = target  # type: ignore[attr-defined]
    return spool, file, part


def _close_spool(spool: _Spool, file, part: str | None) -> bytes | None:
    """The finished PDF's bytes (in memory), or None when it was written to its target (the
    temporary file renamed over it: a link at the target is replaced, never written through)."""
    import os

    if part is None:
        return cast(io.BytesIO, spool.out).getvalue()
    file.close()
    os.replace(part, spool.target)  # type: ignore[attr-defined]
    return None


class _StampReaders:
    """Stamp readers by page count for one head, printed when not yet in `stamps` (see
    _stamp_readers), the most recent kept up to READER_PAGES pages in all: a volume of receipt
    sheets has hundreds of page counts, and a reader of a stamp of thousands of pages holds
    every page it has gathered."""

    READER_PAGES = 4_000

    def __init__(self, print_file, document: Document, key: str, stamps: dict, tmp: Path, home: Path | None):
        self.args = print_file, document, key
        self.stamps, self.tmp, self.home = stamps, tmp, home
        self.kept: dict[int, Any] = {}

    def prefetch(self, numbers: list[int]) -> None:
        """Print the stamps of these page counts not printed yet, together (_print_stamps)."""
        print_file, document, key = self.args
        _ensure_stamps(print_file, document, key, numbers, self.stamps, self.tmp, self.home)

    def __getitem__(self, n: int):
        if n in self.kept:
            self.kept[n] = self.kept.pop(n)  # most recent last
            return self.kept[n]
        print_file, document, key = self.args
        found = _stamp_readers(print_file, document, key, [n], self.stamps, self.tmp, self.home)[n]
        while self.kept and sum(self.kept) + n > self.READER_PAGES:
            del self.kept[next(iter(self.kept))]
        self.kept[n] = found
        return found


# Documents smaller than this (bytes of HTML) are not read to be measured: they hold fewer
# elements than a print lays out (a receipt row is about 200 bytes, ten elements).
LONG_BYTES = 64 * 1024


def print_cut(print_file, path: Path, stamps: dict, most: int = PRINT_ELEMENTS,
              rows_most: int = CUT_ROWS) -> bytes | None:
    """The PDF of one long document (over `most` elements, or a table of more than `rows_most`
    rows) printed in pieces (cut), each on its own with a <base> of the document's folder (its
    links to other files resolve as in the document itself), its pages numbered across the pieces
    by stamps as in a volume. None when the document is not long or cannot be cut: it is printed
    whole."""
    import tempfile

    path = Path(path)
    try:
        if path.stat().st_size < LONG_BYTES:
            return None
    except OSError:
        return None
    doc = Document(path)
    if not long_document(doc, most, rows_most):
        return None
    pieces = cut(doc.body, most, rows_most)
    if len(pieces) <= 1:
        return None
    key = _head_key(doc)
    segments = []
    with tempfile.TemporaryDirectory(prefix=scratch.folder(scratch.VOLUME)) as tmp:
        for piece in pieces:
            with _page_in(doc.home, tmp, "piece") as page:  # from its folder when it links to files there
                page.write_text(f"{doc.prefix}{doc.head}{NO_MARGIN_BOXES}{SCREEN_HIDDEN}</head>"
                                f"<body{doc.attrs}>{piece}</body></html>", encoding="utf-8")
                data = print_file(page)
            whole = reader(data)
            segments.append((_Source(data, whole), 0, len(whole.pages)))
        total = sum(stop for _, _, stop in segments)
        readers = _stamp_readers(print_file, doc, key, [total], stamps, Path(tmp), doc.home)
        return assemble(segments, ([total], readers))


def _stamp_readers(print_file, document: Document, key: str, numbers: list[int], stamps: dict, tmp: Path,
                   home: Path | None = None) -> dict:
    """Readers of the stamps for documents of each page count of `numbers`, printed when not yet
    in `stamps` (shared by the browsers' threads: each stamp printed once); from `home` when the
    document's head refers to other files (a stylesheet)."""
    _ensure_stamps(print_file, document, key, numbers, stamps, tmp, home)
    return {n: reader(stamps[key, n]) for n in numbers}


def _ensure_stamps(print_file, document: Document, key: str, numbers: list[int], stamps: dict, tmp: Path,
                   home: Path | None = None) -> None:
    """Print the stamps of the page counts of `numbers` not yet in `stamps`, all at once
    (_print_stamps), and keep them there."""
    where = home if _RELATIVE.search(document.prefix + document.head) else None
    with _STAMPS_LOCK:
        missing = [n for n in dict.fromkeys(numbers) if (key, n) not in stamps]
        if not missing:
            return
        for n, stamp in zip(missing, _print_stamps(print_file, document, missing, tmp, where)):
            if page_count(stamp) != n:
                raise Unfit(f"a stamp of {n} pages printed as {page_count(stamp)}")
            stamps[key, n] = stamp


def _print_stamps(print_file, document: Document, numbers: list[int], tmp: Path, where: Path | None) -> list[bytes]:
    """The stamps of these page counts. Where the printer can print one page again with other
    bodies (`print_file.bodies`, the browser's session: pdf._chromium_bodies), the first stamp's
    page is loaded once and the others are its body replaced: the same pages (head, stylesheets
    and fonts, empty pages), set up once; about 0.07 instead of 0.2 CPU-s of the browser per
    stamp. Otherwise, or when that fails, each is printed from a page of its own."""
    bodies = getattr(print_file, "bodies", None)
    with _page_in(where, str(tmp), f"stamp-{numbers[0]}") as page:
        page.write_text(stamp_html(document, numbers[0]), encoding="utf-8")
        if bodies is not None and len(numbers) > 1:
            printed = bodies(page, [stamp_body(n) for n in numbers[1:]])
            if printed is not None:
                return printed
        out = [print_file(page)]
    for n in numbers[1:]:
        with _page_in(where, str(tmp), f"stamp-{n}") as page:
            page.write_text(stamp_html(document, n), encoding="utf-8")
            out.append(print_file(page))
    return out


@contextmanager
def _page_in(folder: Path | None, tmp: str, name: str):
    """A new HTML file to print, removed after: `name`.html in the temporary folder `tmp`, or in
    a document's own `folder` (the build's staging folder) a hidden file of a unique name."""
    import os
    import tempfile

    if folder is None:
        path = Path(tmp) / f"{name}.html"
    else:
        handle, found = tempfile.mkstemp(prefix=f".bangfu-{name}-", suffix=".html", dir=folder)
        os.close(handle)
        path = Path(found)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


_STAMPS_LOCK = threading.Lock()
