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
written).

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
import itertools
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

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
STAMP = "/BangfuStamp"

_DOCUMENT = re.compile(r"\A(?P<prefix>.*?<head\b[^>]*>)(?P<head>.*?)</head>\s*<body\b(?P<attrs>[^>]*)>"
                       r"(?P<body>.*)</body>\s*</html>\s*\Z", re.S | re.I)
_TITLE = re.compile(r"<title\b[^>]*>.*?</title>", re.S | re.I)
# A reference to another file relative to the document (src="x.png", href="a.html", url(x)):
# the volume is printed from a temporary folder, where it would not resolve (a <base> would,
# but then the browser writes no named destinations).
_RELATIVE = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?)(?![a-z][a-z0-9+.-]*:|#|data:)""", re.I)


class Unfit(ValueError):
    """These documents cannot be printed as one volume here: print them one by one."""


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


def elements(text: str) -> int:
    """The elements (start tags) of an HTML text, counted without parsing it."""
    return text.count("<") - text.count("</") - text.count("<!")


_TBODY = re.compile(r"<tbody\b[^>]*>", re.I)
_TBODY_END = re.compile(r"</tbody\s*>", re.I)
_TABLE = re.compile(r"<table\b", re.I)
_ROW = re.compile(r"<tr\b", re.I)


def cut(body: str, most: int = PRINT_ELEMENTS, rows_most: int = CUT_ROWS) -> list[str]:
    """`body` (a document's) cut between the rows of its longest table body into pieces of at
    most about `most` elements and `rows_most` rows of that table: the first piece is the body up
    to its rows, the last the rest of it, and each piece between them the table's opening (its
    columns and head, repeated on every page) with its rows; every piece closes the table it
    opens. One piece, the body itself, when it is small enough or has no such table (a table
    body holding another table is not cut)."""
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
    count = max(-(-size // most), -(-len(starts) // rows_most))
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


def stamp_html(document: Document, pages: int) -> str:
    """An empty document of `pages` pages with `document`'s head: only its margin boxes print."""
    blank = '<div style="break-before: page; height: 1px"></div>' * pages  # no break before the first
    return f"{document.prefix}{document.head}{SCREEN_HIDDEN}</head><body>{blank}</body></html>"


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


class _Objects:
    """New objects of a PDF, numbered from `next` on, as their bytes ("n 0 obj … endobj")."""

    def __init__(self, next_number: int):
        self.next = next_number
        self.objects: dict[int, bytes] = {}
        self.copied: dict = {}

    def number(self) -> int:
        self.next += 1
        return self.next - 1

    def put(self, number: int, obj) -> None:
        out = io.BytesIO()
        obj.write_to_stream(out)
        self.objects[number] = b"%d 0 obj\n%s\nendobj\n" % (number, out.getvalue())

    def add(self, obj):
        """A new object; returns its reference."""
        from pypdf.generic import IndirectObject

        number = self.number()
        self.put(number, obj)
        return IndirectObject(number, 0, None)

    def copy(self, reader, obj, owner=None):
        """`obj` of another PDF (`reader`) with every object it refers to, as new objects here
        (each once per `owner`, by default the reader itself: a key that outlives the reader
        when the same PDF may be read again); /Parent and /P links back up are left out."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

        if owner is None:
            owner = id(reader)
        if isinstance(obj, IndirectObject):
            key = (owner, obj.idnum, obj.generation)
            if key not in self.copied:
                self.copied[key] = number = self.number()
                self.put(number, self.copy(reader, obj.get_object(), owner))
            return IndirectObject(self.copied[key], 0, None)
        if isinstance(obj, DictionaryObject):
            out: Any = StreamObject() if isinstance(obj, StreamObject) else DictionaryObject()
            if isinstance(obj, StreamObject):
                out._data = obj._data  # as stored (still encoded), /Filter copied below
            for key, value in obj.items():
                if key not in ("/Parent", "/P", "/Length"):
                    out[NameObject(key)] = self.copy(reader, value, owner)
            return out
        if isinstance(obj, ArrayObject):
            return ArrayObject(self.copy(reader, v, owner) for v in obj)
        return obj


class Update(_Objects):
    """New pages for a PDF written as an incremental update: the original bytes stay as they
    are, and only the new or changed objects (page dictionaries, a new page tree, objects
    copied from other PDFs) are appended with their cross-reference section. pypdf's own
    writers parse and write every object of the file again (several CPU seconds for a
    volume of 40 dossiers whose fonts are thousands of small Type 3 objects).

    Raises Unfit when the PDF's last cross-reference section is not a classic table."""

    def __init__(self, data: bytes):
        self.data = data
        at = data.rfind(b"startxref")
        try:
            self.prev = int(data[at + 9:].split()[0])
        except (ValueError, IndexError) as err:
            raise Unfit("no startxref") from err
        if at < 0 or not data[self.prev:self.prev + 4] == b"xref":
            raise Unfit("a cross-reference stream")  # an update needs one of its kind
        self.reader = reader(data)
        super().__init__(int(self.reader.trailer["/Size"]))

    def finish(self, pages: list, tagged: bool = True) -> bytes:
        """The PDF whose pages are `pages` (page dictionaries, each with its object number or
        None for a new one), in this order, in a new page tree; without the structure tree
        (tagged PDF) unless `tagged`."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject

        tree = self.number()
        kids, seen = [], set()
        for number, page in pages:
            number = self.number() if number is None or number in seen else number
            seen.add(number)
            page[NameObject("/Parent")] = IndirectObject(tree, 0, None)
            if not tagged:
                page.pop(NameObject("/StructParents"), None)
            self.put(number, page)
            kids.append(IndirectObject(number, 0, None))
        self.put(tree, DictionaryObject({NameObject("/Type"): NameObject("/Pages"),
                                         NameObject("/Kids"): ArrayObject(kids),
                                         NameObject("/Count"): NumberObject(len(kids))}))
        root_ref = self.reader.trailer.raw_get("/Root")
        root = DictionaryObject(cast(DictionaryObject, self.reader.trailer["/Root"]).items())
        root[NameObject("/Pages")] = IndirectObject(tree, 0, None)
        root.pop(NameObject("/Dests"), None)  # the named destinations that found each document
        if "/Names" in root and "/Dests" in cast(DictionaryObject, root["/Names"]):
            names = DictionaryObject(cast(DictionaryObject, root["/Names"]).items())
            names.pop(NameObject("/Dests"))
            root[NameObject("/Names")] = names
        if not tagged:  # pages copied in: the structure tree would name pages no longer here
            for key in ("/StructTreeRoot", "/MarkInfo"):
                root.pop(NameObject(key), None)
        self.put(root_ref.idnum, root)
        trailer = DictionaryObject({NameObject("/Size"): NumberObject(self.next),
                                    NameObject("/Root"): root_ref,
                                    NameObject("/Prev"): NumberObject(self.prev)})
        for key in ("/Info", "/ID"):
            if key in self.reader.trailer:
                trailer[NameObject(key)] = self.reader.trailer.raw_get(key)
        return _objects_and_table(self.data if self.data.endswith(b"\n") else self.data + b"\n",
                                  self.objects, trailer)


def _objects_and_table(start: bytes, objects: dict[int, bytes], trailer) -> bytes:
    """`start` (a PDF, or a header) followed by `objects` (number: "n 0 obj … endobj" bytes), a
    classic cross-reference table of them and `trailer`."""
    out = io.BytesIO()
    out.write(start)
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(objects[number])
    _table(out, offsets, trailer)
    return out.getvalue()


def _table(out, offsets: dict[int, int], trailer) -> None:
    """A classic cross-reference table of the objects at `offsets` (number: where it starts in
    `out`), written at the end of `out`, then `trailer` and the end of the file."""
    xref = out.tell()
    out.write(b"xref\n0 1\n0000000000 65535 f\r\n")  # the free list's head, as readers expect
    run: list[int] = []
    for number in sorted(offsets) + [None]:
        if run and (number is None or number != run[-1] + 1):
            out.write(b"%d %d\n" % (run[0], len(run)))
            out.write(b"".join(b"%010d 00000 n\r\n" % offsets[n] for n in run))
            run = []
        if number is not None:
            run.append(number)
    out.write(b"trailer\n")
    trailer.write_to_stream(out)
    out.write(b"\nstartxref\n%d\n%%%%EOF\n" % xref)


INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def page_dict(page):
    """A page's own dictionary (values as stored, references kept) with the attributes it
    inherits from its page tree made its own."""
    from pypdf.generic import DictionaryObject, NameObject

    out = DictionaryObject(page.items())
    node = page
    while any(k not in out for k in INHERITED) and "/Parent" in node:
        node = node["/Parent"]
        for key in INHERITED:
            if key not in out and key in node:
                out[NameObject(key)] = node.raw_get(key)
    out.pop(NameObject("/Parent"), None)
    return out


def page_count(data: bytes) -> int:
    """The page count of a PDF made here, from its page tree's /Count: the pages are not
    gathered (pypdf's `len(reader.pages)` walks the whole tree: seconds for a stamp of
    thousands of pages)."""
    count = reader(data).trailer["/Root"]["/Pages"]["/Count"]
    if not isinstance(count, int) or count < 0:
        raise ValueError("no page count")
    return int(count)


def reader(data: bytes):
    """A pypdf reader of a PDF made here. Strict: a lenient reader reads the header of every
    object in the file to check its cross-reference table (a second or more for a volume)."""
    import pypdf

    return pypdf.PdfReader(io.BytesIO(data), strict=True)


class _Stamper:
    """Draws stamp page k of `stamps[n]` (readers of the stamp PDFs) over a page dictionary, as a
    form XObject between two tiny content streams; the new objects go to `objects`."""

    def __init__(self, objects: _Objects, stamps: dict):
        from pypdf.generic import DecodedStreamObject

        self.objects, self.stamps = objects, stamps
        self.forms: dict[tuple[int, int], Any] = {}
        before = DecodedStreamObject()
        before.set_data(b"q\n")
        after = DecodedStreamObject()
        after.set_data(f"Q q {STAMP} Do Q\n".encode("ascii"))
        self.before, self.after = objects.add(before), objects.add(after)

    def form(self, n: int, k: int, box):
        from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

        if (n, k) not in self.forms:
            stamp = self.stamps[n]
            page = stamp.pages[k]
            if [round(float(v), 1) for v in page.mediabox] != [round(float(v), 1) for v in box]:
                raise Unfit("a page and its stamp differ in size")
            contents = page.get_contents()
            xobject = DecodedStreamObject()
            xobject.set_data(contents.get_data() if contents is not None else b"")
            xobject.update({
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(FloatObject(float(v)) for v in page.mediabox),
                NameObject("/Resources"): self.objects.copy(stamp, page.raw_get("/Resources"), ("stamp", n))
                if "/Resources" in page else DictionaryObject(),
            })
            self.forms[n, k] = self.objects.add(xobject.flate_encode())
        return self.forms[n, k]

    def draw(self, own, n: int, k: int, box) -> None:
        """Page k (0-based) of a document of n pages, `own` its dictionary (page_dict), `box` its
        media box: the stamp added to its resources and contents."""
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject

        resources = DictionaryObject(cast(DictionaryObject, own["/Resources"]).items()) \
            if "/Resources" in own else DictionaryObject()
        xobjects = DictionaryObject(cast(DictionaryObject, resources["/XObject"]).items()) \
            if "/XObject" in resources else DictionaryObject()
        xobjects[NameObject(STAMP)] = self.form(n, k, box)
        resources[NameObject("/XObject")] = xobjects
        own[NameObject("/Resources")] = resources
        raw = own.raw_get("/Contents") if "/Contents" in own else None
        if raw is None:
            streams = []
        elif isinstance(raw.get_object(), ArrayObject):
            streams = list(raw.get_object())
        else:
            streams = [raw]  # a content stream is always an indirect object
        own[NameObject("/Contents")] = ArrayObject([self.before, *streams, self.after])


def _page_numbers(counts_: list[int]):
    """(n, k) of each page of documents of `counts_` pages: its document's page count, and k."""
    return [(n, k) for n in counts_ for k in range(n)]


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
    with tempfile.TemporaryDirectory(prefix="bangfu-volume-") as tmp:
        for members in by_head.values():
            own = [targets[v] for v in members] if targets is not None else None
            for v, found in zip(members, _print_joined(print_file, [documents[v] for v in members], stamps,
                                                       Path(tmp), most, rows_most, own, rewrite)):
                out[v] = found
    return out


def prints(documents: list[Document], most: int = PRINT_ELEMENTS, rows_most: int = CUT_ROWS) -> list[list]:
    """The prints that lay out `documents` (one head) in order: each a list of (document index,
    body), whole documents joined up to `most` elements, or one piece of a document cut (cut)."""
    found: list[list] = []
    current: list = []
    size = 0
    for d, doc in enumerate(documents):
        pieces = cut(doc.body, most, rows_most) if doc.size > most or doc.body.count("<tr") > rows_most else [doc.body]
        if len(pieces) > 1 or (current and size + doc.size > most):
            if current:
                found.append(current)
            current, size = [], 0
        if len(pieces) > 1:
            found.extend([(d, piece)] for piece in pieces)
        else:
            current.append((d, doc.body))
            size += doc.size
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
    if doc.size <= most and doc.body.count("<tr") <= rows_most:
        return None
    pieces = cut(doc.body, most, rows_most)
    if len(pieces) <= 1:
        return None
    key = _head_key(doc)
    segments = []
    with tempfile.TemporaryDirectory(prefix="bangfu-volume-") as tmp:
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
    where = home if _RELATIVE.search(document.prefix + document.head) else None
    for n in numbers:
        with _STAMPS_LOCK:
            if (key, n) not in stamps:
                with _page_in(where, str(tmp), f"stamp-{n}") as page:
                    page.write_text(stamp_html(document, n), encoding="utf-8")
                    stamp = print_file(page)
                if page_count(stamp) != n:
                    raise Unfit(f"a stamp of {n} pages printed as {page_count(stamp)}")
                stamps[key, n] = stamp
    return {n: reader(stamps[key, n]) for n in numbers}


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
_REFERENCE = re.compile(rb"(\d+)\s+(\d+)\s+R\b")
_STREAM = re.compile(rb">>\s*stream\r?\n")


def split(data: bytes, whole, ranges: list[tuple[int, int]], stamping: list | None = None,
          titles: list[str | None] | None = None) -> list[bytes]:
    """Standalone PDFs of the page ranges [first, stop) of the browser's PDF `data` (read as
    `whole`). Each copies byte for byte only the objects its pages reach (content streams,
    fonts, images), under their own numbers moved up by two (1 and 2 are its page tree and
    catalog; the others are left out of its cross-reference table), with its page
    dictionaries, a page tree and a catalog of its own: nothing is parsed but the objects'
    dictionaries, searched for references. With `stamping`, (page counts of
    its documents, stamp readers by page count) for each range, each page gets its stamp drawn
    in (_Stamper) as it is written, so no piece is read again. Without it, a PDF that is the only range of
    `data` is `data` itself. With `titles`, a range whose title is given gets a document
    information dictionary of its own with that title (the print's is its first document's:
    the dossier index printed after a dossier, or a volume after another, would otherwise be
    titled by that dossier). Raises Unfit when the pages reach another page or the page tree
    (a link between volumes), or the file is not laid out as the browser writes it."""
    if stamping is None and len(ranges) == 1 and ranges[0] == (0, len(whole.pages)):
        return [data]
    source = _Source(data, whole)
    return [assemble([(source, first, stop)], stamping[r] if stamping is not None else None,
                     titles[r] if titles is not None else None)
            for r, (first, stop) in enumerate(ranges)]


class _Source:
    """One of the browser's PDFs, read for copying its pages' objects byte for byte (assemble)."""

    serials = itertools.count()

    def __init__(self, data: bytes, whole):
        self.serial = next(self.serials)  # never reused, unlike id() of a print let go
        self.objects = objects = _RawObjects(data, whole)
        self.data, self.whole = data, whole
        self.header = data[:objects.offsets[0][0]]
        self.pages = whole.pages
        self.page_numbers = [p.indirect_reference.idnum for p in self.pages]
        self.trailer = whole.trailer
        self.barred = objects.barred
        self.info = self.trailer.raw_get("/Info") if "/Info" in self.trailer else None
        self.size = int(self.trailer["/Size"])
        self.raw, self.refers = objects.raw, objects.refers


def _shift(text: bytes, offset: int, below: int, start: int = 0) -> bytes:
    """`text` (an object's bytes from `start` on) with every reference to an object numbered below
    `below` moved up by `offset`, in its dictionary only (a stream's data is left as it is)."""
    if not offset:
        return text
    found = _STREAM.search(text, start)
    stop = found.start() + 2 if found else len(text)
    return text[:start] + _REFERENCE.sub(
        lambda m: b"%d %s R" % (int(m[1]) + offset if int(m[1]) < below else int(m[1]), m[2]),
        text[start:stop]) + text[stop:]


def assemble(segments: list[tuple[_Source, int, int]], stamping: tuple | None = None,
             title: str | None = None) -> bytes:
    """One standalone PDF of the pages [first, stop) of each (source, first, stop) of `segments`,
    in order (see split), made in memory (_Spool). With `stamping`, (page counts of its documents,
    stamp readers by page count); with `title`, a document information dictionary of its own with
    that title (see split)."""
    out = io.BytesIO()
    spool = _Spool(out, title=title)
    spool.add_pages(segments, stamping)
    spool.finish()
    return out.getvalue()


class _Spool(_Objects):
    """One standalone PDF written into `out` (a binary file) as its pages come (`add_pages`), so a
    volume of many prints (全部签收单 at 20,000 workers: over a hundred prints) never holds
    more than the prints of the documents not yet written. Pages of several browser prints are
    joined by numbering the objects of each print after those of the prints before it (their
    references moved in their dictionaries, their streams copied byte for byte); objects 1 and
    2 are the page tree and the catalog, written last (`finish`). `rewrite`, when given, is
    applied to each object's bytes as it is written (the same length: see pdf.relative_links)."""

    TREE, CATALOG = 1, 2

    def __init__(self, out, rewrite=None, title: str | None = None):
        super().__init__(3)
        self.out, self.rewrite, self.title = out, rewrite, title
        self.offsets: dict[int, int] = {}  # object number: where it starts in out
        self.kids: list[int] = []
        self.shifts: dict[int, int] = {}  # _Source.serial: the offset of its object numbers
        self.started = False
        self.info = None  # the number of the first print's document information, copied
        self.fields: Any = None  # its entries, for a title of its own (finish)
        self.id: Any = None  # the first print's /ID
        self.stamper: _Stamper | None = None

    def put(self, number: int, obj) -> None:
        buffer = io.BytesIO()
        obj.write_to_stream(buffer)
        self._write(number, b"%d 0 obj\n%s\nendobj\n" % (number, buffer.getvalue()))

    def _write(self, number: int, data: bytes) -> None:
        if number in self.offsets:
            return
        self.offsets[number] = self.out.tell()
        self.out.write(self.rewrite(data) if self.rewrite is not None else data)

    def _start(self, source: _Source) -> None:
        """The file's header and what the trailer takes from the first print (not the print
        itself, which is let go once its pages are written)."""
        from pypdf.generic import DictionaryObject

        self.started = True
        if source.info is not None:
            self.fields = DictionaryObject(source.info.get_object())
        if "/ID" in source.trailer:
            self.id = source.trailer.raw_get("/ID")
        header = source.header
        self.out.write(self.rewrite(header) if self.rewrite is not None else header)

    def _shift_of(self, source: _Source) -> int:
        if source.serial not in self.shifts:
            self.shifts[source.serial] = self.next - 1  # its objects 1 … size-1 numbered from here
            self.next += source.size - 1
        return self.shifts[source.serial]

    def add_pages(self, segments: list[tuple[_Source, int, int]], stamping: tuple | None = None) -> None:
        """The pages [first, stop) of each (source, first, stop), written with every object they
        reach; with `stamping`, (page counts of their documents, stamp readers by page count)."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

        if not segments:
            return
        first_print = not self.started
        if first_print:
            self._start(segments[0][0])
        places: list = []
        if stamping is not None:
            counts_, stamps = stamping
            if sum(counts_) != sum(stop - first for _, first, stop in segments):
                raise Unfit("page counts do not add up")
            if self.stamper is None:
                self.stamper = _Stamper(self, stamps)
            self.stamper.stamps = stamps
            places = _page_numbers(counts_)
        at = 0
        for source, first, stop in segments:
            offset = self._shift_of(source)
            todo: list[int] = []

            def moved(obj, source=source, offset=offset, todo=todo):
                if isinstance(obj, IndirectObject):
                    if obj.pdf is None:
                        return obj  # one of this file's own objects (a stamp's)
                    if not 0 < obj.idnum < source.size:
                        raise Unfit(f"a reference to object {obj.idnum} outside the print")
                    todo.append(obj.idnum)
                    return IndirectObject(obj.idnum + offset, 0, None)
                if isinstance(obj, DictionaryObject):
                    return DictionaryObject({k: moved(v) for k, v in obj.items()})
                if isinstance(obj, ArrayObject):
                    return ArrayObject(moved(v) for v in obj)
                return obj

            if first_print and source.info is not None and self.title is None:
                self.info = source.info.idnum + offset
                todo.append(source.info.idnum)
            first_print = False
            for i in range(first, stop):
                page = page_dict(source.pages[i])
                if self.stamper is not None and stamping is not None:
                    n, k = places[at]
                    self.stamper.draw(page, n, k, source.pages[i].mediabox)
                at += 1
                page = moved(page)  # the print's references numbered as here
                page[NameObject("/Parent")] = IndirectObject(self.TREE, 0, None)
                number = source.page_numbers[i] + offset
                self.put(number, page)
                self.kids.append(number)
            while todo:
                number = todo.pop()
                if number + offset in self.offsets:
                    continue
                if number in source.barred:
                    raise Unfit(f"object {number} is a page or page tree outside the range")
                named = b"%d 0 obj" % (number + offset)
                self._write(number + offset, _shift(named + source.raw(number)[len(b"%d 0 obj" % number):],
                                                    offset, source.size, len(named)))
                todo.extend(source.refers(number))

    def finish(self) -> None:
        """The page tree, the catalog, the document information (with `title`, one of its own
        with that title, see split) and the cross-reference table."""
        from pypdf.generic import DictionaryObject, IndirectObject, NameObject, NumberObject, TextStringObject

        if not self.started:
            raise Unfit("no pages")
        listed = " ".join(f"{n} 0 R" for n in self.kids)
        self._write(self.TREE, (f"{self.TREE} 0 obj\n<</Type /Pages /Kids [{listed}] /Count {len(self.kids)}>>\n"
                                f"endobj\n").encode("ascii"))
        self._write(self.CATALOG, (f"{self.CATALOG} 0 obj\n<</Type /Catalog /Pages {self.TREE} 0 R>>\n"
                                   f"endobj\n").encode("ascii"))
        info_ref = IndirectObject(self.info, 0, None) if self.info is not None else None
        if self.title is not None and self.fields is not None:
            fields = DictionaryObject(self.fields)
            fields[NameObject("/Title")] = TextStringObject(self.title)
            info_ref = self.add(fields)
        trailer = DictionaryObject({NameObject("/Size"): NumberObject(self.next),
                                    NameObject("/Root"): IndirectObject(self.CATALOG, 0, None)})
        if info_ref is not None:
            trailer[NameObject("/Info")] = info_ref
        if self.id is not None:
            trailer[NameObject("/ID")] = self.id
        _table(self.out, self.offsets, trailer)


def patched(update: Update, pages: list[tuple[int, int]], new: bytes | None) -> bytes:
    """The old PDF of a volume (`update`) with the pages listed in `pages`: (0, i) is its own
    page i, (1, i) page i of `new` (the changed documents, printed as a volume), copied in.
    An incremental update: the old pages are not parsed or written again, only listed."""
    if "/Outlines" in update.reader.trailer["/Root"]:
        raise Unfit("bookmarks")  # pypdf's writer carries them over
    fresh = reader(new) if new else None
    copied = None
    if fresh is not None:
        try:  # the new pages' objects copied byte for byte, renumbered (_RawObjects.copy_into)
            copied = _RawObjects(new, fresh).copy_into(update, [fresh.pages[i] for s, i in pages if s])
        except Unfit:
            copied = None  # parsed and written again by pypdf (Update.copy) below
    out = []
    for source, i in pages:
        if source == 0:
            page = update.reader.pages[i]
            if page.indirect_reference.generation != 0:
                raise Unfit("a page of a later generation")
            out.append((page.indirect_reference.idnum, page_dict(page)))
        elif copied is not None:
            out.append((None, copied[i]))
        else:
            out.append((None, update.copy(fresh, page_dict(fresh.pages[i]))))
    return update.finish(out, tagged=False)


_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)


def _doubtful_strings(head: bytes) -> bool:
    """True when an object's dictionary holds a literal string in which a number could be taken
    for a reference ("1 0 R"), or one with nested parentheses (not found whole here); the
    browser's strings are font names ("/FontFamily (Noto Sans CJK SC)")."""
    rest = _STRING.sub(b"", head)
    return b"(" in rest or b")" in rest or any(_REFERENCE.search(m[0]) for m in _STRING.finditer(head))


class _RawObjects:
    """The objects of a PDF as the browser writes it (one classic cross-reference table, each
    object's bytes up to the next one's), read without parsing: an object's references are
    found in its dictionary (the part before its stream) by pattern. Raises Unfit when the file
    is not laid out that way."""

    def __init__(self, data: bytes, whole):
        self.data, self.whole = data, whole
        at = data.rfind(b"startxref")
        try:
            xref = int(data[at + 9:].split()[0])
        except (ValueError, IndexError) as err:
            raise Unfit("no startxref") from err
        if at < 0 or data[xref:xref + 4] != b"xref" or set(whole.xref) - {0, 65535}:
            raise Unfit("not a single classic cross-reference table")
        self.offsets = sorted((offset, number) for number, offset in whole.xref.get(0, {}).items() if offset)
        if not self.offsets:
            raise Unfit("no objects")
        self.spans = {number: (offset, end)
                      for (offset, number), (end, _) in zip(self.offsets, self.offsets[1:] + [(xref, 0)])}
        self.references: dict[int, list[int]] = {}
        trailer = whole.trailer
        self.barred = {p.indirect_reference.idnum for p in whole.pages} | {trailer.raw_get("/Root").idnum}
        tree = [trailer["/Root"].raw_get("/Pages")]
        while tree:  # every node of the page tree
            node = tree.pop()
            self.barred.add(node.idnum)
            tree.extend(kid for kid in node.get_object().get("/Kids", [])
                        if kid.get_object().get("/Type") == "/Pages")

    def raw(self, number: int) -> bytes:
        if number not in self.spans:
            raise Unfit(f"object {number} not found")
        start, end = self.spans[number]
        text = self.data[start:end]
        if not text.startswith(b"%d 0 obj" % number):
            raise Unfit(f"object {number} not where the table says")
        return text

    def _head_end(self, number: int, text: bytes) -> int:
        found = _STREAM.search(text)
        return found.start() + 2 if found else len(text)

    def refers(self, number: int) -> list[int]:
        if number not in self.references:
            text = self.raw(number)
            head = text[:self._head_end(number, text)]
            self.references[number] = [int(m[1]) for m in _REFERENCE.finditer(head, len(b"%d 0 obj" % number))]
        return self.references[number]

    def copy_into(self, objects: _Objects, pages: list) -> dict:
        """Every object the `pages` reach, added to `objects` under new numbers, byte for byte
        but for the numbers in their dictionaries (a stream's data is never touched); returns
        each page's own dictionary (page_dict) renumbered, by its index in the PDF. Raises Unfit
        when a page reaches another page or the page tree (a link), or an object's dictionary
        holds a string whose text could be taken for a reference (_doubtful_strings)."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

        index = {p.indirect_reference.idnum: i for i, p in enumerate(self.whole.pages)}
        dicts = {index[p.indirect_reference.idnum]: page_dict(p) for p in pages}
        numbers: dict[int, int] = {}
        todo: list[int] = []

        def found(obj) -> None:
            if isinstance(obj, IndirectObject):
                todo.append(obj.idnum)
            elif isinstance(obj, DictionaryObject):
                for value in obj.values():
                    found(value)
            elif isinstance(obj, ArrayObject):
                for value in obj:
                    found(value)

        for own in dicts.values():
            found(own)
        while todo:
            number = todo.pop()
            if number in numbers:
                continue
            if number in self.barred:
                raise Unfit(f"object {number} is a page or the page tree")
            text = self.raw(number)
            head = text[:self._head_end(number, text)]
            if b"(" in head and _doubtful_strings(head):
                raise Unfit(f"object {number} holds a string that could be taken for a reference")
            numbers[number] = objects.number()
            todo.extend(self.refers(number))

        def renumbered(m: re.Match) -> bytes:
            return b"%d %s R" % (numbers[int(m[1])], m[2])

        for number, new in numbers.items():
            text = self.raw(number)
            start, end = len(b"%d 0 obj" % number), self._head_end(number, text)
            objects.objects[new] = (b"%d 0 obj" % new + _REFERENCE.sub(renumbered, text[start:end])
                                    + text[end:])

        def moved(obj):
            if isinstance(obj, IndirectObject):
                return IndirectObject(numbers[obj.idnum], 0, None)
            if isinstance(obj, DictionaryObject):
                return DictionaryObject({k: moved(v) for k, v in obj.items()})
            if isinstance(obj, ArrayObject):
                return ArrayObject(moved(v) for v in obj)
            return obj

        return {i: moved(own) for i, own in dicts.items()}
