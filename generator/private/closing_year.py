"""A year's 办结表 in a build: its case rows worked out, and deflated, only where they changed.

A year's book lists tens of thousands of cases at a 20,000-worker station (36,000 in 2026 at the
bench station: 29 MB of sheet XML). Its case rows go into the file in chunks of
closing.CHUNK_ROWS rows, each deflated on its own (xlsx_parts). A chunk's row is worked out from
its payout and the other tables alone (closing.case_rows), so a chunk is known by a key made of
the other tables' digest, its place and its payouts as the dossiers' slices encode them
(dossier_slices.table_values). The book's entry in the fingerprints file keeps, for each chunk, its
key, a digest of its rows (for the book's fingerprint), and where its deflated bytes lie in the
file, with their CRC, size and SHA-256. A build whose book must be written again (one payout amount
edited) works out and deflates only the chunks whose key is not the last build's, and copies the
others' bytes from the last build's file: after one edited payout, 2,000 rows of 36,000. A
copied chunk's bytes are checked against their SHA-256 first (2 ms for the 18 chunks, 3.4 MB, of
the bench station's 2026 book; inflating them to check their CRC took 44): a file changed on disk
with its size and time kept (a disk or sync fault, a restore that keeps times) has the changed
chunks worked out again, so the new file is sound and a fresh build's bytes.

A fresh build writes every chunk the same way, so the file is the same bytes either way
(tests/test_closing_year.py). The kept chunks are used only while the last build's file is as
it wrote it (its size and time those of its entry) and the zlib and XlsxWriter versions, the
level, the chunk size and the rows' style numbers (closing.Frame.styles) are the same.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import zlib
from datetime import date
from pathlib import Path

from ..outputs import write_bytes
from . import closing, xlsx_parts
from .common import Doc, plain_digest
from .row_bytes import rows_bytes, tuple_bytes

CHUNKS = "chunks"  # in a book's entry: {"v": _version(styles), "list": [[key, rows digest, crc, size, at,
#   length, SHA-256 of the deflated bytes]]}


def _version(styles) -> list:
    """What the chunks' bytes depend on besides their rows: the row XML names XlsxWriter's style
    numbers (`styles`: closing.Frame.styles), and zlib deflates them."""
    import xlsxwriter

    return [zlib.ZLIB_VERSION, xlsxwriter.__version__, [styles.date, styles.money, styles.quoted],
            xlsx_parts.LEVEL, closing.CHUNK_ROWS, 2]


def year_book(records, kept, path: Path, start: date, end: date, *, today: date, calendar, tables, inputs: str,
              extra: dict, paid=None) -> Doc:
    """The 办结表 of [start, end] at `path`: carried by its `inputs` (closing-inputs: the other
    tables, the year's rows, the dates), by its fingerprint, or written from chunks (see the
    module; the payouts as row_bytes marshals them). `tables`: the other tables' digest;
    `extra`: more fields for its entry; `paid`: the payouts paid in the book's period, when known."""
    doc = kept.reuse(path, inputs, "inputs")
    if doc is not None:
        kept.unworked += 1
        kept.entry(path).update(extra)
        return doc
    old = kept.old_entry(path)
    cases = closing.finished_cases(records, start, end, paid)
    settled = closing.settled_rows(records, start, end, calendar)
    station = records.settings.station_name or "帮扶站"
    shown_end = None if end >= today else end
    # the frame first (3 ms): its style numbers are in the chunks' rows
    frame = closing.Frame(closing.Book(station, start, shown_end, (), tuple(settled)), today, len(cases))
    version = _version(frame.styles)
    kept_chunks = _kept_chunks(kept, path, old, version)
    salt = f"{kept.salt}|closing-chunk|".encode() + marshal.dumps((str(tables), start.toordinal(), str(version)), 0)
    limits: dict = {}
    chunks: list[tuple[str, str, list | None]] = []  # (key, rows digest, rows or None when kept)
    for k in range(0, len(cases), closing.CHUNK_ROWS):
        part = cases[k:k + closing.CHUNK_ROWS]
        key = hashlib.blake2b(salt + tuple_bytes([marshal.dumps(k, 0), rows_bytes(records, "payouts", part)]),
                              digest_size=16).hexdigest()
        found = kept_chunks.get(key)
        if found is not None and found[0] == k:
            chunks.append((key, found[1], None))
        else:
            rows = closing.case_rows(records, part, calendar, limits)
            chunks.append((key, plain_digest(rows).hex(), rows))
    fingerprint = kept.fingerprint("closing", station, start, shown_end, [c[1] for c in chunks], plain_digest(settled))
    if old is not None and old.get("fp") == fingerprint:  # the same rows: carried, with its kept chunks
        doc = kept.reuse(path, fingerprint)
        if doc is not None:
            entry = kept.entry(path)
            entry["inputs"] = inputs
            entry.update(extra)
            return doc
    # written now (the bytes, in this process: the chunks' places are noted in its entry)
    source = None
    pieces = []
    sums = []  # each piece's SHA-256
    for n, (key, _, rows) in enumerate(chunks):
        if rows is None:
            if source is None:
                source = _old_bytes(kept, path)
            _, _, crc, size, at, length, digest = kept_chunks[key][2]
            raw = source[at:at + length] if source is not None and at + length <= len(source) else b""
            if len(raw) == length and hashlib.sha256(raw).hexdigest() == digest:  # as the last build wrote it
                pieces.append(xlsx_parts.Piece(raw, crc, size))
                sums.append(digest)
                continue
            rows = closing.case_rows(records, cases[n * closing.CHUNK_ROWS:(n + 1) * closing.CHUNK_ROWS],
                                     calendar, limits)
        pieces.append(frame.chunk(rows, n * closing.CHUNK_ROWS))
        sums.append(hashlib.sha256(pieces[-1].raw).hexdigest())
    body, offsets = frame.assemble(pieces)
    table = [[key, digest, p.crc, p.size, at, len(p.raw), sha]
             for (key, digest, _), p, at, sha in zip(chunks, pieces, offsets, sums)]
    extra = {**extra, CHUNKS: {"v": version, "list": table}}
    return kept.document(path, fingerprint, lambda: Doc(write_bytes(path, body), fingerprint), inputs=inputs,
                         extra=extra)


def _kept_chunks(kept, path: Path, old: dict | None, version: list) -> dict:
    """{key: (first row, rows digest, the chunk's entry)} of the last build's book, when its file
    is as that build wrote it (size and time; each copied chunk's bytes are checked when copied)
    and its chunks were made as `version` says; else {}."""
    if old is None or kept.previous is None:
        return {}
    found = old.get(CHUNKS)
    if not isinstance(found, dict) or found.get("v") != version or not isinstance(found.get("list"), list):
        return {}
    try:
        st = os.stat(_old_path(kept, path))
    except OSError:
        return {}
    if st.st_size != old.get("size") or st.st_mtime_ns != old.get("mtime"):
        return {}
    out = {}
    for n, item in enumerate(found["list"]):
        if isinstance(item, list) and len(item) == 7 and all(type(v) is int for v in item[2:6]) \
                and all(type(item[i]) is str for i in (0, 1, 6)):
            out[item[0]] = (n * closing.CHUNK_ROWS, item[1], item)
    return out


def _old_path(kept, path: Path) -> Path:
    return Path(kept.previous) / Path(path).relative_to(kept.out_dir)


def _old_bytes(kept, path: Path) -> bytes | None:
    try:
        return _old_path(kept, path).read_bytes()
    except OSError:
        return None
