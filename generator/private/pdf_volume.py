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

Anything that does not fit (documents with different heads, a page whose size differs from
its stamp, a missing destination) raises Unfit, and the caller prints the documents one by
one as before.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                "right-top", "right-middle", "right-bottom", "bottom-right-corner", "bottom-right",
                "bottom-center", "bottom-left", "bottom-left-corner", "left-bottom", "left-middle",
                "left-top")
NO_MARGIN_BOXES = "<style>@page { %s }</style>" % " ".join(
    f"@{box} {{ content: none !important; }}" for box in MARGIN_BOXES)
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
    """One self-contained HTML document split into what a volume shares and what it joins."""

    def __init__(self, path: Path):
        text = Path(path).read_text(encoding="utf-8")
        match = _DOCUMENT.match(text)
        if match is None:
            raise Unfit(f"{path}: no <head> and <body>")
        self.prefix, self.head = match["prefix"], match["head"]
        self.attrs, self.body = match["attrs"], match["body"]
        self.shared = _TITLE.sub("", self.head)  # what must be the same in every document
        if _RELATIVE.search(text):
            raise Unfit(f"{path}: refers to other files")


def volume_html(documents: list[Document], self_uri: str) -> str:
    """One HTML document of all `documents`, each from a new page, no margin boxes, and a
    zero-size link to the start of each (so that the browser writes a named destination)."""
    first = documents[0]
    if any(d.shared != first.shared for d in documents):
        raise Unfit("documents with different stylesheets")
    parts = []
    for i, doc in enumerate(documents):
        style = ' style="break-before: page"' if i else ""
        parts.append(f'<div id="{PART_ID.format(i)}"{style}><div{doc.attrs}>{doc.body}</div></div>')
    links = "".join(f'<a href="{html.escape(self_uri)}#{PART_ID.format(i)}"></a>' for i in range(len(documents)))
    return (f'{first.prefix}{first.head}{NO_MARGIN_BOXES}</head><body>'
            f'{"".join(parts)}<div style="position: absolute; top: 0; left: 0; width: 0; height: 0; '
            f'overflow: hidden">{links}</div></body></html>')


def stamp_html(document: Document, pages: int) -> str:
    """An empty document of `pages` pages with `document`'s head: only its margin boxes print."""
    blank = '<div style="break-before: page; height: 1px"></div>' * pages  # no break before the first
    return f"{document.prefix}{document.head}</head><body>{blank}</body></html>"


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


def stamped(content: bytes, counts_: list[int], stamps: dict) -> bytes:
    """`content` (the volume's PDF) with stamp page k of `stamps[n]` drawn over the k-th page
    of each document of n pages. Written by appending to the content PDF (an incremental
    update): only the page dictionaries and the stamps are new objects."""
    import pypdf
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject,
                               NameObject, NumberObject)

    reader = pypdf.PdfReader(io.BytesIO(content))
    if sum(counts_) != len(reader.pages):
        raise Unfit("page counts do not add up")
    writer = pypdf.PdfWriter(reader, incremental=True)
    before = DecodedStreamObject()
    before.set_data(b"q\n")
    after = DecodedStreamObject()
    after.set_data(f"Q q {STAMP} Do Q\n".encode("ascii"))
    before_ref, after_ref = writer._add_object(before), writer._add_object(after)
    forms: dict = {}

    def form(n: int, k: int, box):
        if (n, k) not in forms:
            page = stamps[n].pages[k]
            if [round(float(v), 1) for v in page.mediabox] != [round(float(v), 1) for v in box]:
                raise Unfit("a page and its stamp differ in size")
            data = page.get_contents().get_data() if page.get_contents() is not None else b""
            xobject = DecodedStreamObject()
            xobject.set_data(data)
            xobject.update({
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(FloatObject(float(v)) for v in page.mediabox),
                NameObject("/Matrix"): ArrayObject(NumberObject(v) for v in (1, 0, 0, 1, 0, 0)),
                NameObject("/Resources"): page["/Resources"].clone(writer) if "/Resources" in page
                else DictionaryObject(),
            })
            forms[n, k] = writer._add_object(xobject.flate_encode())
        return forms[n, k]

    index = 0
    for n in counts_:
        for k in range(n):
            page = writer.pages[index]
            index += 1
            resources = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())
            xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
            xobjects[NameObject(STAMP)] = form(n, k, page.mediabox)
            resources[NameObject("/XObject")] = xobjects
            page[NameObject("/Resources")] = resources
            raw = page.raw_get("/Contents") if "/Contents" in page else None
            if raw is None:
                own = []
            elif isinstance(raw.get_object(), ArrayObject):
                own = list(raw.get_object())
            else:
                own = [raw]  # a content stream is always an indirect object
            page[NameObject("/Contents")] = ArrayObject([before_ref, *own, after_ref])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def print_volume(print_file, html_paths: list[Path], stamps: dict) -> tuple[bytes, list[int]]:
    """The PDF of the documents at `html_paths` as one volume, each with its own page numbers,
    and the page count of each; `print_file(path)` prints one HTML file to PDF bytes (the
    browser session), `stamps` keeps the stamp PDFs already printed (by head and page count)."""
    import hashlib
    import tempfile

    import pypdf

    documents = [Document(p) for p in html_paths]
    with tempfile.TemporaryDirectory(prefix="bangfu-volume-") as tmp:
        page = Path(tmp) / "volume.html"
        page.write_text(volume_html(documents, page.as_uri()), encoding="utf-8")
        content = print_file(page)
        reader = pypdf.PdfReader(io.BytesIO(content))
        found = counts(part_starts(reader, len(documents)), len(reader.pages))
        key = hashlib.sha256((documents[0].prefix + documents[0].shared).encode("utf-8")).hexdigest()
        for n in sorted(set(found)):
            if (key, n) not in stamps:
                page = Path(tmp) / f"stamp-{n}.html"
                page.write_text(stamp_html(documents[0], n), encoding="utf-8")
                stamp = pypdf.PdfReader(io.BytesIO(print_file(page)))
                if len(stamp.pages) != n:
                    raise Unfit(f"a stamp of {n} pages printed as {len(stamp.pages)}")
                stamps[key, n] = stamp
    return stamped(content, found, {n: stamps[key, n] for n in set(found)}), found
