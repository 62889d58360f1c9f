"""The values the leak scan looks for (collect), the station's own public text
(public_corpus), and both as kept between builds (NeedleCache)."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from .. import keptfile, schema
from .kept import _folder_stamp, _needle_folder, _recall, _remember
from .normal import (
    _DIGITS,
    _ONLY_DIGITS,
    _ONLY_HAN,
    _RUN,
    KIND_ZH,
    MIN_LENGTH,
    MIN_TEXT,
    NOT_TEXT,
    _number,
    _value_key,
    _value_keys,
    address_tails,
    normalise,
    normalise_many,
)


@dataclass(frozen=True)
class Needle:
    text: str  # normalised
    kind: str  # Chinese name of the kind of value
    where: str  # the record it came from
    sensitive: str = ""  # schema.S_* of the column
    is_name: bool = False  # a person's name (worker or family member)
    # the text's digest (_value_key), worked out once when the needle is made and kept with it
    # (NeedleCache): a rebuild does not digest the 140,000 values of a 20k station again
    key: bytes = field(default=b"", compare=False, repr=False)

    def __post_init__(self):
        if not self.key:
            object.__setattr__(self, "key", _value_key(self.text))

    @property
    def never_excused(self) -> bool:
        return self.sensitive in NUMBERS


NUMBERS = {schema.S_IDNO, schema.S_PHONE, schema.S_BANK}


# --- the values looked for, as kept between builds ----------------------------
@dataclass
class Shapes:
    """Texts looked for, sorted by the way _holding finds them in a line: two Han characters
    alone (`han2`, found only as a whole run); other Han-only and digit-only texts by length
    (`han`, `digits`: length -> texts), each a value; the anchor of a mixed text (its longest
    Han or digit run, `han_anchors`, `digits_anchors`), with the texts it anchors
    (`anchored`); mixed texts without an anchor (`loose`), searched as they are. Worked out
    once per table, when its values are kept (ValueTable), and merged for a scan: a rebuild
    does not sort a 20k station's 141,000 values by shape again."""

    han2: list = field(default_factory=list)
    han: dict = field(default_factory=dict)
    digits: dict = field(default_factory=dict)
    han_anchors: dict = field(default_factory=dict)
    digits_anchors: dict = field(default_factory=dict)
    anchored: dict = field(default_factory=dict)
    loose: list = field(default_factory=list)

    @classmethod
    def of(cls, texts) -> Shapes:
        out = cls()
        for text in texts:
            if _ONLY_HAN.match(text):
                if len(text) == 2:
                    out.han2.append(text)
                else:
                    out.han.setdefault(len(text), []).append(text)
            elif _ONLY_DIGITS.match(text):
                out.digits.setdefault(len(text), []).append(text)
            else:
                anchor = max(_RUN.findall(text) + _DIGITS.findall(text), key=len, default="")
                if len(anchor) >= 3 or (len(anchor) == 2 and _ONLY_HAN.match(anchor)):
                    by_length = out.han_anchors if _ONLY_HAN.match(anchor) else out.digits_anchors
                    by_length.setdefault(len(anchor), []).append(anchor)
                    out.anchored.setdefault(anchor, []).append(text)
                else:
                    out.loose.append(text)
        return out

    @staticmethod
    def tables(parts: list[Shapes]) -> tuple[set, dict, dict, dict, list]:
        """(han2, han, digits, anchored, loose) of several parts together, as _holding takes
        them: `han` and `digits` map length -> {text: whether it is a value (else only an
        anchor)}; a text found twice is searched once."""
        han2 = set(itertools.chain.from_iterable(p.han2 for p in parts))
        lengths = []
        for values, anchors in (("han", "han_anchors"), ("digits", "digits_anchors")):
            out: dict[int, dict] = {}
            for size in sorted({n for p in parts for n in (*getattr(p, values), *getattr(p, anchors))}):
                table = dict.fromkeys(itertools.chain.from_iterable(getattr(p, anchors).get(size, ()) for p in parts),
                                      False)
                table.update(dict.fromkeys(itertools.chain.from_iterable(getattr(p, values).get(size, ())
                                                                        for p in parts), True))
                out[size] = table
            lengths.append(out)
        anchored: dict[str, list] = {}
        for p in parts:
            for anchor, texts in p.anchored.items():
                anchored.setdefault(anchor, []).extend(texts)
        for anchor, texts in anchored.items():
            anchored[anchor] = list(dict.fromkeys(texts))
        loose = list(dict.fromkeys(itertools.chain.from_iterable(p.loose for p in parts)))
        return han2, lengths[0], lengths[1], anchored, loose


@dataclass
class ValueTable:
    """One table's values to look for (collect), as columns: their texts, the records they come
    from, their digests, one byte each for their column's kind and whether they are a name
    (as a footprint's entry ends: _entry), their shapes (Shapes) and the footprint's entries
    (Footprint.tables). Kept between builds (NeedleCache), it loads about ten times faster
    than as 96,000 Needle objects; a Needle is made only for a value found."""

    texts: list
    wheres: list
    keys: list
    signs: bytes
    shapes: Shapes
    blob: bytes
    needles: list | None = None  # the very Needles it was made of, when not kept (Values.of)

    @classmethod
    def of(cls, needles: list[Needle], keep: bool = False) -> ValueTable:
        """`keep`: the Needles themselves are kept too (their kind and place as given)."""
        texts = [n.text for n in needles]
        return cls(texts, [n.where for n in needles], [n.key for n in needles],
                   bytes(_entry(n)[16] for n in needles), Shapes.of(texts),
                   _sorted_blob(map(_entry, needles)), list(needles) if keep else None)

    @classmethod
    def of_columns(cls, texts: list[str], wheres: list[str], signs: bytes) -> ValueTable:
        """ValueTable.of the Needles these columns describe (`signs`: a byte each, as _entry's
        last), without making them: their digests, footprint entries and shapes from the
        columns (a fresh 20,000-worker station has 155,000 values)."""
        keys = _value_keys(texts)
        return cls(texts, wheres, keys, signs, Shapes.of(texts),
                   _sorted_blob(map(bytes.__add__, keys, map(_SIGN_BYTES.__getitem__, signs))))

    def needle(self, i: int) -> Needle:
        if self.needles is not None:
            return self.needles[i]
        sign = self.signs[i]
        sensitive = _SIGNS[sign // 2] if sign // 2 < len(_SIGNS) else ""
        return Needle(self.texts[i], KIND_ZH.get(sensitive, ""), self.wheres[i], sensitive, bool(sign % 2),
                      self.keys[i])


class Values:
    """The values a scan looks for (collect): each distinct text once, named by the first
    table (and row) holding it, in that order. A sequence of Needles; the scan itself works
    from the tables' columns and shapes, and makes a Needle only for a value it found."""

    def __init__(self, tables: list[ValueTable]):
        self.tables = tables
        self.starts = list(itertools.accumulate((len(t.texts) for t in tables), initial=0))
        texts = list(itertools.chain.from_iterable(t.texts for t in tables))
        keys = list(itertools.chain.from_iterable(t.keys for t in tables))
        # text (and digest) -> the position of its first appearance (the later ones assigned first)
        self.pos = dict(zip(reversed(texts), range(len(texts) - 1, -1, -1)))
        self.by_key = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))
        self._shapes: tuple | None = None

    @classmethod
    def of(cls, needles) -> Values:
        return needles if isinstance(needles, Values) else cls([ValueTable.of(list(needles), keep=True)])

    @property
    def shapes(self) -> tuple:
        if self._shapes is None:
            self._shapes = Shapes.tables([t.shapes for t in self.tables])
        return self._shapes

    def needle(self, i: int) -> Needle:
        """The Needle at position `i` of the tables' values taken together."""
        t = bisect.bisect_right(self.starts, i) - 1
        return self.tables[t].needle(i - self.starts[t])

    def key(self, i: int) -> bytes:
        t = bisect.bisect_right(self.starts, i) - 1
        return self.tables[t].keys[i - self.starts[t]]

    def __len__(self) -> int:
        return len(self.pos)

    def __iter__(self):
        return map(self.needle, sorted(self.pos.values()))

    def __getitem__(self, i):
        return list(self)[i]

    def __eq__(self, other) -> bool:
        return isinstance(other, (Values, list)) and list(self) == list(other)

    __hash__ = None


# --- what to look for -------------------------------------------------------
def _min_length(column, full_names: bool) -> int | None:
    if column.kind in NOT_TEXT or not column.sensitive or column.sensitive == schema.S_INCOME:
        return None
    if column.sensitive == schema.S_NAME:
        return None if full_names else 2
    if column.sensitive == schema.S_FAMILY and column.key == "name":
        return 2
    return MIN_LENGTH.get(column.sensitive, MIN_TEXT)


# the tables the station's own public text comes from, with the columns it takes (None: all)
CORPUS_TABLES = (("items", None), ("categories", None), ("dibao_lines", None), ("funds", None),
                 ("incomes", ("payer", "summary", "source")), ("expenses", ("summary", "purpose")),
                 ("workers", ("employer", "union_branch")), ("payouts", ("item", "campaign", "fund")))


def public_corpus(records, template_dirs=(), theme: bool = True, kept: NeedleCache | None = None) -> str:
    """The station's own public text, normalised: values found inside it are not searched.
    `theme`: with the theme's own words (a county site adds them once, not per station).
    With `kept`, the records' part is taken from it while its tables are those it was
    worked out from (NeedleCache.corpus): an edited visit note does not go through the
    20,000 workers and 100,000 payouts again."""
    texts = kept.corpus(records) if kept is not None else _records_corpus(records)
    parts = list(texts)
    for folder in template_dirs:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.suffix in (".j2", ".html", ".md", ".css", ".txt"):
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
    theme_words = _material_strings() if theme else ""
    if theme_words:
        parts.append(theme_words)
    # each text once (values repeat), normalised; a template's text as the last call did
    last, this = _TEMPLATE_TEXTS[0], {}
    out = []
    for p in dict.fromkeys(parts):
        if p in texts:
            out.append(texts[p])
        else:
            norm = this[p] = last[p] if p in last else normalise(p)
            out.append(norm)
    _TEMPLATE_TEXTS[0] = this
    return "\n".join(out)


# the templates' texts (and the theme's words) normalised by the last public_corpus
_TEMPLATE_TEXTS: list[dict[str, str]] = [{}]


def _records_corpus(records) -> dict[str, str]:
    """The records' part of public_corpus: each text once, in order, with its normalised form."""
    parts = [str(v) for v in _settings_values(records)]
    columns = [_row_values(getattr(records, sheet_key), keys or [c.key for c in schema.sheet(_ref(sheet_key)).columns])
               for sheet_key, keys in CORPUS_TABLES]
    try:  # each value once, in the order the rows hold them, then the texts among them
        unique = [v for v in dict.fromkeys(itertools.chain(parts, *columns)) if isinstance(v, str) and v]
    except TypeError:  # an unhashable cell value: the texts first
        unique = list(dict.fromkeys(v for v in itertools.chain(parts, *columns) if isinstance(v, str) and v))
    return dict(zip(unique, normalise_many(unique)))


def _row_values(rows, keys) -> list | tuple:
    """The values of `keys` of each row, row by row (a row's in the order of `keys`)."""
    if not keys:
        return ()
    try:
        if len(keys) == 1:
            return list(map(attrgetter(keys[0]), rows))
        return list(itertools.chain.from_iterable(map(attrgetter(*keys), rows)))
    except AttributeError:  # a row without one of the columns
        return [getattr(rec, key, None) for rec in rows for key in keys]


def _ref(sheet_key: str) -> str:
    for book, sheet in schema.all_sheets():
        if sheet.key == sheet_key:
            return f"{book.key}.{sheet.key}"
    raise KeyError(sheet_key)


def _settings_values(records):
    s = records.settings
    for entry in schema.SETTINGS.entries:
        value = getattr(s, entry.key, None)
        if isinstance(value, str) and value:
            yield value


def _material_strings() -> str:
    try:
        import material
    except ImportError:
        return ""
    path = Path(material.__file__).parent / "templates" / "partials" / "languages" / "zh.html"
    return path.read_text(encoding="utf-8") if path.exists() else ""


_LAST_VALUES: list[dict] = [{}]  # value -> normalised, of the last collect (bangfu serve collects again)


def collect(records, kept: NeedleCache | None = None, tables: dict | None = None) -> Values:
    """Every sensitive value worth searching (each distinct text once, named by the first
    record holding it). With `kept`, a table whose content and places are those it kept the
    values of is not gone through again (NeedleCache). `tables`, when given, receives each
    table's own values (a ValueTable: Footprint)."""
    full = bool(records.settings.full_names)
    normalised: dict[str, str] = {}  # the same name or place stands in many rows
    parts: list[ValueTable] = []
    for _, sheet in schema.all_sheets():
        rows = getattr(records, sheet.key, None)
        if not rows or sheet.settings:
            continue
        got = kept.get(records, sheet.key, full) if kept is not None else None
        if got is None:
            got = ValueTable.of_columns(*_table_values(records, sheet, rows, full, normalised))
            if kept is not None:
                kept.put(records, sheet.key, full, got)
        if tables is not None:
            tables[sheet.key] = got
        parts.append(got)  # the first table holding a text names it, as the rows are gone through in order
    _LAST_VALUES[0] = normalised or _LAST_VALUES[0]  # every table kept: nothing was normalised
    return Values(parts)


def _table_needles(records, sheet, rows, full: bool, normalised: dict) -> list[Needle]:
    """The values of one table worth searching, each text once, in the order of its columns
    and rows (_table_values), as Needles."""
    texts, wheres, signs = _table_values(records, sheet, rows, full, normalised)
    table = ValueTable(texts, wheres, [_value_key(text) for text in texts], signs, Shapes(), b"")
    return [table.needle(i) for i in range(len(texts))]


def _table_values(records, sheet, rows, full: bool, normalised: dict) -> tuple[list[str], list[str], bytes]:
    """The values of one table worth searching, each text once, in the order of its columns
    and rows: (their texts, the records they come from, a byte each for their column's kind
    and whether they are names, as _entry's last). What a value says of its column (kind,
    where: the file and sheet of `records.place`) is worked out once per column, not for each
    of its 155,000 values; each column's distinct values are found first (with the first row
    holding each) and those not normalised before are normalised together (normalise_many)."""
    found: set[str] = set()
    texts: list[str] = []
    wheres: list[str] = []
    signs = bytearray()
    last = _LAST_VALUES[0]
    rownums = None
    for column in sheet.columns:
        minimum = _min_length(column, full)
        if minimum is None:
            continue
        key, sensitive = column.key, column.sensitive
        numbers, address = sensitive in NUMBERS, sensitive == schema.S_ADDRESS
        is_name = sensitive == schema.S_NAME or key == "name"
        sign = _SIGNS.index(sensitive) * 2 + is_name
        where = _Where(records, sheet.key, key)
        distinct = _distinct_values(rows, key)
        if distinct is None:
            continue
        if rownums is None:
            rownums = [rec.row for rec in rows]
        values, firsts = distinct
        todo = [value for value in values if value not in normalised and value not in last]
        normalised.update(zip(todo, normalise_many(todo)))
        taken = [value for value in values if value not in normalised]  # normalised by the last collect
        normalised.update(zip(taken, map(last.__getitem__, taken)))
        norms = list(map(normalised.__getitem__, values))
        if address:  # a value and its tails
            new, firsts_of = [], []
            for value, norm in zip(values, norms):
                got = {norm}
                got.update(address_tails(norm))
                for text in got:
                    if len(text) < minimum or text in found:
                        continue
                    found.add(text)
                    new.append(text)
                    firsts_of.append(value)
        else:  # one text a value: each text once, named by the first value giving it
            if numbers:
                norms = _numbers(norms)
            first_value = dict(zip(reversed(norms), reversed(values)))
            new = [text for text in dict.fromkeys(norms) if len(text) >= minimum and text not in found]
            found.update(new)
            firsts_of = list(map(first_value.__getitem__, new))
        texts += new
        wheres += where.many([rownums[firsts[value]] for value in firsts_of])
        signs += _SIGN_BYTES[sign] * len(new)
    return texts, wheres, bytes(signs)


def _numbers(norms: list[str]) -> list[str]:
    """[_number(norm) for norm in norms], the ASCII ones in one pass (a line each)."""
    joined = "\n".join(norms)
    if norms and joined.isascii() and joined.count("\n") == len(norms) - 1:
        return _NOT_NUMBER_LINES.sub("", joined).split("\n")
    return [_number(norm) for norm in norms]


_NOT_NUMBER_LINES = re.compile(r"[^0-9x\n]")  # normal._NOT_NUMBER, line breaks kept


def _distinct_values(rows, key: str) -> tuple[list[str], dict[str, int]] | None:
    """The distinct non-empty texts of column `key` of `rows`, in the order they first stand
    in, with the index of the first row holding each; None when there are none."""
    try:
        got = list(map(attrgetter(key), rows))
    except AttributeError:  # a row without the column
        got = [getattr(rec, key, None) for rec in rows]
    try:
        order = dict.fromkeys(got)
        firsts = dict(zip(reversed(got), range(len(got) - 1, -1, -1)))  # the first row assigned last
    except TypeError:  # an unhashable cell value: the texts alone
        firsts = {}
        for i, value in enumerate(got):
            if isinstance(value, str) and value and value not in firsts:
                firsts[value] = i
        order = dict.fromkeys(firsts)
    values = [value for value in order if isinstance(value, str) and value]
    return (values, firsts) if values else None


class _Where:
    """`where(row)`: a needle's record, as `records.place(table, row, column)` names it
    (the file, the sheet and the cell), with the file and sheet looked up once."""

    def __init__(self, records, table: str, column: str):
        place = records.place(table, 0, column)
        self.head = f"{place['file']} 工作表“{place['sheet']}” "
        pl = records.places.get(table)
        self.letter = "" if pl is None else (pl.letters.get(column, "") if column else "A")

    def __call__(self, row) -> str:
        cell = f"{self.letter}{row}" if row and self.letter else ""
        return f"{self.head}{cell}".strip()

    def many(self, rows: list) -> list[str]:
        """[self(row) for row in rows]."""
        head, letter = self.head, self.letter
        if not letter:
            return [head.strip()] * len(rows)
        bare = head.strip()
        return [f"{head}{letter}{row}".strip() if row else bare for row in rows]


@dataclass
class NeedleCache(keptfile.Entries):
    """The values worth searching of each table (collect), kept by what they are worked out
    from: the table's content and the sheets' places (their digests, record_views), whether
    full names are searched, and the program. A rebuild after one edited visit note goes
    through the visits again, not the 20,000 workers and their families. The entries ARE
    personal data: `save` writes them owner-only, and the build keeps them beside the private
    records' staging folders (never in the site or the records folder)."""

    put_tables: set = field(default_factory=set)  # tables put since the load (save)

    @staticmethod
    def _key(records, table: str, full: bool) -> str:
        from .. import record_views
        from ..reading.cache import _program

        h = hashlib.blake2b(f"needles-3|{_program()}|{table}|{full}|".encode(), digest_size=20)
        h.update(record_views.table_digest(records, table))
        h.update(record_views.table_digest(records, "places"))
        return h.hexdigest()

    def _taken(self, name: str, key: str, columns):
        """The value kept under `name` for `key`, or for the same `columns` key (the digests of
        the only columns it is worked out from: `_columns_key`) when the table changed in other
        columns only (a payout's amount): then it is kept again under the new `key`."""
        entry = self.entries.get(name)
        if entry is None or not isinstance(entry[1], tuple) or len(entry[1]) != 3:
            return None
        if entry[0] != key:
            now = columns()
            if now is None or entry[1][0] != now:
                return None
            self.keep(name, key, (now, *entry[1][1:]))
            self.put_tables.add(name)
        return entry[1][1]

    def get(self, records, table: str, full: bool) -> ValueTable | None:
        got = self._taken(table, self._key(records, table, full),
                          lambda: _columns_key(records, f"needles-3|{full}", table, _needle_columns(table, full)))
        return got if isinstance(got, ValueTable) else None

    def put(self, records, table: str, full: bool, values: ValueTable) -> None:
        columns = _columns_key(records, f"needles-3|{full}", table, _needle_columns(table, full))
        self.keep(table, self._key(records, table, full), (columns, values, values.blob))
        self.put_tables.add(table)

    def blobs(self, tables: dict) -> dict[str, bytes]:
        """The footprint's entries (Footprint.tables) of each table of `tables` (collect's):
        worked out once, when its values were put (ValueTable.blob)."""
        return {table: values.blob for table, values in tables.items()}

    def corpus(self, records) -> dict[str, str]:
        """_records_corpus(records), kept under the name CORPUS by the digests of the tables
        it is worked out from (the station's settings and CORPUS_TABLES) and the program, or
        of their columns it takes (a payout's amount is none of them)."""
        key = corpus_key(records)
        got = self._taken(CORPUS, key, lambda: _corpus_columns_key(records))
        if got is None:
            got = _records_corpus(records)
            self.keep(CORPUS, key, (_corpus_columns_key(records), got, b""))
            self.put_tables.add(CORPUS)
        return got

    def save(self, path: Path) -> None:
        """Each table's values in a file of its own, in a folder named after `path` (owner-only):
        only the tables put since the load are written (after one edited visit note, the
        visits' few values, not the 150,000 of the workers and their families)."""
        if not self.changed:
            return
        folder = _needle_folder(path)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for table in sorted(self.put_tables):
            keptfile.save(folder / f"{table}.pickle", {table: self.entries[table]})
        Path(path).unlink(missing_ok=True)  # the single file an earlier version kept
        self.put_tables.clear()
        self.changed = False
        _remember(folder, self, _folder_stamp(folder))

    @classmethod
    def load(cls, path: Path) -> NeedleCache:
        folder = _needle_folder(path)
        stamp = _folder_stamp(folder)
        kept = _recall(folder, cls, stamp)
        if kept is not None:  # `bangfu serve`: as this process saved or loaded it
            return kept
        entries: dict = {}
        try:
            files = sorted(folder.glob("*.pickle"))
        except OSError:
            files = []
        for file in files:
            got = keptfile.load_entries(file)
            if got is not None and list(got) == [file.stem]:
                entries.update(got)
        cache = cls(entries=entries)
        _remember(folder, cache, stamp)
        return cache


CORPUS = "public-corpus"  # NeedleCache's entry for the records' public text (no table's name)


def corpus_key(records) -> str:
    """The key of the records' public text (_records_corpus): the digests of the tables it is
    worked out from (the station's settings and CORPUS_TABLES) and the program."""
    from .. import record_views
    from ..reading.cache import _program

    h = hashlib.blake2b(f"corpus-1|{_program()}|".encode(), digest_size=20)
    for table in ("settings", *(name for name, _ in CORPUS_TABLES)):
        h.update(table.encode() + b"\0" + record_views.table_digest(records, table))
    return h.hexdigest()


def _needle_columns(table: str, full: bool) -> tuple[str, ...]:
    """The columns of a table its values to look for are worked out from (_table_needles): its
    sensitive columns searched and its rows' numbers (which name a value's cell)."""
    sheet = next(s for _, s in schema.all_sheets() if s.key == table)
    return ("row", *(c.key for c in sheet.columns if _min_length(c, full) is not None))


def _columns_key(records, label: str, table: str, columns) -> str | None:
    """A key of `columns` of `table` (their digests, record_views.column_digests), its row count
    and the sheets' places, or None for a table that is not rows of one kind (the settings).
    A table whose column digests are not at hand (its digest kept by the read, or worked out
    without them in a fresh build) has the columns asked for digested here, alike
    (_own_column_digests): the key does not depend on how the table was read, so the values
    kept by a fresh build are taken back after the first payout amount edited."""
    from .. import record_views
    from ..reading.cache import _program

    digests = record_views.column_digests(records, table)
    if digests is None or any(c not in digests for c in columns):
        digests = _own_column_digests(getattr(records, table), columns)
    if digests is None:
        return None
    h = hashlib.blake2b(f"columns-1|{_program()}|{label}|{table}|{len(getattr(records, table))}|".encode(),
                        digest_size=20)
    for c in columns:
        h.update(c.encode() + b"\0" + digests[c])
    h.update(record_views.table_digest(records, "places"))
    return h.hexdigest()


def _own_column_digests(rows, columns) -> dict[str, bytes] | None:
    """The digests record_views.column_digests gives of `columns` of a table (a list of rows of
    one dataclass: else None), worked out here: each column's bytes block by block
    (record_views.BLOCK rows, record_views.column_bytes), framed and digested as there (the
    digest of each block's part, record_views._blocks)."""
    from operator import attrgetter

    from .. import record_views

    if type(rows) is not list or not rows or len(set(map(type, rows))) != 1:
        return None
    size = record_views.BLOCK
    out = {}
    for name in columns:
        h = hashlib.sha256(f"{name}|".encode())
        get = attrgetter(name)
        for i in range(0, len(rows), size):
            data = record_views.column_bytes(list(map(get, rows[i:i + size])))
            h.update(hashlib.sha256(f"{name}|{len(data)}|".encode() + data).digest())
        out[name] = h.digest()
    return out


def _corpus_columns_key(records) -> str:
    """corpus_key(records) with each table of which the public text takes some columns only
    keyed by those columns (_columns_key) when their digests are at hand (a table changed
    since the last read: a payout amount), else by its whole digest (a table unchanged)."""
    from .. import record_views
    from ..reading.cache import _program

    h = hashlib.blake2b(f"corpus-columns-1|{_program()}|".encode(), digest_size=20)
    for table, keys in (("settings", None), *CORPUS_TABLES):
        part = _columns_key(records, "corpus", table, keys) if keys is not None else None
        tail = b"\0c" + part.encode() if part else b"\0t" + record_views.table_digest(records, table)
        h.update(table.encode() + tail)
    return h.hexdigest()


# What the leak scan kept on disk, also kept in memory while `bangfu serve` runs (keep_scans):
# the object last saved to (or loaded from) a path, with the stamps of its files then; a


# --- a new set of records against a site already scanned ----------------------
_SIGNS = tuple(KIND_ZH)  # a value's column kind, as one byte of its entry (_entry)
_SIGN_BYTES = [bytes((i,)) for i in range(256)]


def _entry(n: Needle) -> bytes:
    """A value as a footprint keeps it: its digest (16 bytes) and what kind of value its column
    holds (one byte), on which whether it may be excused depends (scan_folder)."""
    sign = _SIGNS.index(n.sensitive) if n.sensitive in _SIGNS else len(_SIGNS)
    return n.key + bytes((sign * 2 + n.is_name,))


def _sorted_blob(entries) -> bytes:
    return b"".join(sorted(set(entries)))
