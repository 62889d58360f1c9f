"""The PDF file layer of printed volumes (pdf_volume.py): a PDF's objects and cross-reference
tables read and written without pypdf parsing or writing the whole file again.

- `Update`: new pages for a PDF as an incremental update (`patched`: an old volume with the
  changed documents' pages copied in).
- `_Source`, `_Spool`, `assemble`, `split`: standalone PDFs of page ranges of the browser's
  prints, their objects copied byte for byte and renumbered (`_shift`, `_RawObjects`), each page
  stamped with its own page numbers as it is written (`_Stamper`).
- `reader`, `page_count`, `page_dict`: reading helpers.

Anything that does not fit raises Unfit, and the caller prints the documents one by one.
"""

from __future__ import annotations

import io
import itertools
import re
from typing import Any, cast

STAMP = "/BangfuStamp"


class Unfit(ValueError):
    """These documents cannot be printed as one volume here: print them one by one."""


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
