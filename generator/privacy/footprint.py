"""A passed scan's footprint: new records judged against the same site without
reading it again (Footprint)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import schema
from .search import FileCache, Scan
from .values import _entry, _sorted_blob, _table_needles, corpus_key


def _blob_entries(blob: bytes, width: int) -> set[bytes]:
    return {blob[i:i + width] for i in range(0, len(blob), width)}


def _blob_holds(blob: bytes, width: int, key: bytes) -> bool:
    """Whether a sorted blob of `width`-byte entries has one starting with `key` (binary search:
    no set of its 100,000 entries is made for the few values looked up)."""
    lo, hi = 0, len(blob) // width
    size = len(key)
    while lo < hi:
        mid = (lo + hi) // 2
        if blob[mid * width:mid * width + size] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(blob) // width and blob[lo * width:lo * width + size] == key


@dataclass
class Footprint:
    """What a passed scan of a site looked for and found, kept so that new records can be
    judged against the same site without reading it again: after an edit the site does not
    show (a visit note), the site is carried unchanged and only values new since that scan
    need looking for, in the text it searched. The values are kept as digests, by table, with
    their kind; the site's text and the values it holds (all excused, as the scan passed). The
    digests are of personal data: the build keeps a footprint beside the private records'
    staging folders, owner-only (keptfile.save)."""

    key: str  # the site (its files), the program and its versions it was taken of: the caller's
    full: bool  # whether full names were searched (settings)
    corpus: str  # corpus_key of the records: what may excuse a value
    tables: dict  # table -> (its content's digest, sorted 17-byte entries of its values: _entry)
    values: bytes  # every value searched, sorted 16-byte digests
    hits: frozenset  # digests of the values found on the site
    text: str  # every line searched (normalised, with digits joined), one per line
    scan: Scan

    @classmethod
    def take(cls, key: str, records, tables: dict, cache: FileCache, scan: Scan,
             blobs: dict | None = None) -> Footprint | None:
        """The footprint of the scan just finished (`cache` holds what it searched, `tables`
        each table's values as collect gave them: ValueTables, whose footprint entries are
        worked out with them; `blobs` is no longer needed); None when it did not pass."""
        from .. import record_views

        if not scan.ok or cache.searched is None:
            return None
        values, lines, found = cache.searched
        return cls(key, bool(records.settings.full_names), corpus_key(records),
                   {table: (record_views.table_digest(records, table), got.blob)
                    for table, got in tables.items()},
                   _sorted_blob(values), frozenset(k for held in found.values() for k in held),
                   "\n".join(lines), scan)

    def judge(self, records) -> Scan | None:
        """The scan of the same site for `records`, worked out from this footprint: the tables
        whose content changed are gone through again and compared, value by value, with what
        was looked for then. None (scan the site) when a value the site holds changed its
        record or kind, when a value new since then stands anywhere in the site's text (even
        where a full scan would not count it: it decides), or when the public text or the
        names setting changed."""
        from .. import record_views

        full = bool(records.settings.full_names)
        if full != self.full or corpus_key(records) != self.corpus:
            return None
        added: dict[bytes, str] = {}  # digest -> text of values a changed table holds now, not then
        removed: set[bytes] = set()  # digests of values a changed table held then, not now
        held: set[bytes] = set()  # digests of the values the changed tables hold now
        kept: list[bytes] = []  # the unchanged tables' entries
        for _, sheet in schema.all_sheets():
            rows = getattr(records, sheet.key, None)
            then = self.tables.get(sheet.key)
            if sheet.settings or (not rows and then is None):
                continue
            digest = record_views.table_digest(records, sheet.key) if rows else b""
            if then is not None and then[0] == digest:
                kept.append(then[1])
                continue
            now = {_entry(n): n.text for n in (_table_needles(records, sheet, rows, full, {}) if rows else ())}
            before = _blob_entries(then[1], 17) if then is not None else set()
            for entry in now.keys() - before:
                added[entry[:16]] = now[entry]
            removed.update(entry[:16] for entry in before - now.keys())
            held.update(entry[:16] for entry in now)
        if not self.hits.isdisjoint(added) or not self.hits.isdisjoint(removed):
            return None
        new = {key: text for key, text in added.items() if not _blob_holds(self.values, 16, key)}
        if any(text in self.text for text in new.values()):
            return None
        gone = {key for key in removed
                if key not in held and not any(_blob_holds(blob, 17, key) for blob in kept)}
        s = self.scan
        return Scan([], s.files, s.values + len(new) - len(gone), s.skipped_public, [], list(s.excused))
