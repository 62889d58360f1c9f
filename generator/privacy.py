"""The leak scan: prove that no sensitive value of the records reached the public output.

After rendering, every file of the built site is read (HTML and XML with entities
decoded, the search index with json so that \\uXXXX escapes are decoded,
gzip'd sitemaps, xlsx/zip members, SVG, PDF text through pypdf) and searched
for every value the schema marks `sensitive`. A hit fails the build, naming the
file, the kind of value and the record it came from; the value itself is only
shown masked.

What is searched (the rule, documented in the README):
- identity numbers, phone numbers and bank accounts, by their digits;
- worker names when names are masked on the site (settings.full_names = 否),
  family members' names always. Names of three or more characters are found
  anywhere; a two-character name (王五) only where it stands alone between
  non-Han characters (a table cell, an attribute), because two characters are
  also ordinary words inside sentences (金秋, 建国); one-character names are
  not searched;
- addresses, communities, schools, free-text notes (生活状况, 走访情况, 异议内容,
  备注 …) of four characters or more.
- Not searched, because they are not distinctive text: amounts (incomes,
  medical costs — every page has amounts), dates, and values chosen from a list
  (健康状况 恶性肿瘤, 残疾类别): they are kept off the pages by construction —
  the page views never carry these fields — and the tests check the pages.
- A page is also read as a reader sees it: a value split by an inline tag, a
  comment or a line break (王<span>小明</span>) is found in its block (_flow_blocks);
  table cells, list items and paragraphs are not joined.
- Both sides are normalised before matching: full-width forms, case, spaces and
  invisible characters, traditional characters (to simplified); digits with dashes,
  dots or slashes between them are joined (138-0013-8000); an address is also
  searched without its province/city/county/town prefix (人民路 12 号).
- Identity numbers, phones and bank cards are never excused. A name that is also
  part of the station's own public text (settings, policies, fund names, work
  units, the page templates) is excused only where that text demonstrably holds it
  as something else: inside a longer word, with Han characters on both sides
  (李春花 in 居住在李春花园), and only when every place the site shows it is such a
  word; each excused name is reported (masked) with the word. Other text (a family
  member's workplace or school that is also a worker's public work unit) is
  excused when it is part of the public text, as before.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import html
import io
import itertools
import json
import logging
import operator
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from . import keptfile, schema

KIND_ZH = {
    schema.S_NAME: "姓名全名", schema.S_IDNO: "身份证号", schema.S_PHONE: "电话号码",
    schema.S_ADDRESS: "住址", schema.S_HEALTH: "健康或病情", schema.S_FAMILY: "家庭成员信息",
    schema.S_INCOME: "收入", schema.S_BANK: "银行卡号", schema.S_NOTE: "情况记录或备注",
}
NOT_TEXT = {schema.MONEY, schema.INT, schema.RATE, schema.DATE, schema.BOOL, schema.ENUM, schema.MULTI}
MIN_LENGTH = {schema.S_NAME: 2, schema.S_IDNO: 6, schema.S_PHONE: 7, schema.S_BANK: 8}
MIN_TEXT = 4
MAX_MEMBER = 200 * 1024 * 1024  # a zip member larger than this is not ours

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{HAN}·]+")
_DIGITS = re.compile(r"[0-9x]+")
_ONLY_HAN = re.compile(f"^[{HAN}·]+$")
_ONLY_DIGITS = re.compile(r"^[0-9x]+$")
_TAG = re.compile(r"<[^>]*>")
_JS_JSON = re.compile(r"\A\s*var\s+[A-Za-z_$][\w$]*\s*=\s*(?=[\[{])")  # a script that only assigns data
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".svg", ".txt", ".md", ".css", ".js", ".csv", ".json",
                 ".webmanifest"}


# The code points _invisible_ranges() finds, for the Unicode version they were found in: a
# process then skips the scan of all 1.1 million code points (~0.25 CPU s). Another Python
# (another Unicode version) scans again; tests/test_privacy_invisible.py checks the table.
_INVISIBLE_UNIDATA = "14.0.0"
_INVISIBLE_RANGES = (
    (0x9, 0xD), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C),
    (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x1680, 0x1680), (0x180E, 0x180E),
    (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F), (0x3000, 0x3000),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)


def _invisible_ranges() -> tuple[tuple[int, int], ...]:
    """Whitespace and format characters (category Cf), as (first, last) code point ranges,
    from a scan of every code point."""
    ranges, start, prev = [], None, None
    for cp in range(0x110000):
        ch = chr(cp)
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            ranges.append((start, prev))
            start = None
    if start is not None:
        ranges.append((start, prev))
    return tuple(ranges)


@cache
def _invisible() -> re.Pattern:
    """Whitespace and format characters (zero-width spaces, joiners, bidi marks …)."""
    ranges = _INVISIBLE_RANGES if unicodedata.unidata_version == _INVISIBLE_UNIDATA else _invisible_ranges()
    parts = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                    for a, b in ranges)
    return re.compile(f"[{parts}]+")


_HAN_CHAR = re.compile(f"[{HAN}]")
_DIGIT_GAP = re.compile(r"(?<=[0-9])[-.·‐‑‒–—―/_]+(?=[0-9x])")


def normalise(text: str) -> str:
    """NFKC, case-folded, simplified characters, without whitespace and invisible format
    characters."""
    text = _invisible().sub("", unicodedata.normalize("NFKC", text).casefold())
    if _HAN_CHAR.search(text):
        from .reading.text import _converter

        conv = _converter()
        if conv is not None:
            text = conv.convert(text)
    return text


def joined_digits(text: str) -> str:
    """Digits with separators between them joined: 138-0013-8000 -> 13800138000."""
    return _DIGIT_GAP.sub("", text)


_ADDRESS_PREFIX = re.compile(f"^[{HAN}]*?(?:省|自治区|特别行政区|市|自治州|州|盟|地区|县|自治县|旗|区|镇|乡|街道|苏木)")


def address_tails(text: str) -> list[str]:
    """An address without its leading administrative names, as pages might show it:
    示范省示范县示范镇人民路12号 -> 人民路12号 (each step that leaves five characters or more)."""
    out: list[str] = []
    while True:
        m = _ADDRESS_PREFIX.match(text)
        if not m or m.end() == 0:
            return out
        text = text[m.end():]
        if len(text) < 5:
            return out
        out.append(text)


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


@dataclass(frozen=True)
class Leak:
    file: str
    kind: str
    where: str
    preview: str


@dataclass
class Scan:
    leaks: list
    files: int
    values: int
    skipped_public: int  # values found, but also part of the station's public text
    unscanned: list  # files that could not be read (e.g. PDF without pdftotext)
    excused: list = field(default_factory=list)  # (masked value, the public word holding it)

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.unscanned


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
    for sheet_key, keys in CORPUS_TABLES:
        for rec in getattr(records, sheet_key):
            for key in keys or [c.key for c in schema.sheet(_ref(sheet_key)).columns]:
                value = getattr(rec, key, None)
                if isinstance(value, str) and value:
                    parts.append(value)
    return {p: normalise(p) for p in dict.fromkeys(parts)}


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
            got = ValueTable.of(_table_needles(records, sheet, rows, full, normalised))
            if kept is not None:
                kept.put(records, sheet.key, full, got)
        if tables is not None:
            tables[sheet.key] = got
        parts.append(got)  # the first table holding a text names it, as the rows are gone through in order
    _LAST_VALUES[0] = normalised or _LAST_VALUES[0]  # every table kept: nothing was normalised
    return Values(parts)


def _table_needles(records, sheet, rows, full: bool, normalised: dict) -> list[Needle]:
    """The values of one table worth searching, each text once, in the order of its columns
    and rows. What a needle says of its column (kind, where: the file and sheet of
    `records.place`) is worked out once per column, not for each of its 155,000 values."""
    found: dict[str, Needle] = {}
    last = _LAST_VALUES[0]
    for column in sheet.columns:
        minimum = _min_length(column, full)
        if minimum is None:
            continue
        key, sensitive = column.key, column.sensitive
        kind = KIND_ZH[sensitive]
        numbers, address = sensitive in NUMBERS, sensitive == schema.S_ADDRESS
        is_name = sensitive == schema.S_NAME or key == "name"
        where = _Where(records, sheet.key, key)
        done: set[str] = set()  # values of this column already looked at
        for rec in rows:
            value = getattr(rec, key, None)
            if not isinstance(value, str) or not value or value in done:
                continue
            done.add(value)
            norm = normalised.get(value)
            if norm is None:
                norm = last.get(value)
                norm = normalised[value] = normalise(value) if norm is None else norm
            if numbers:
                texts: tuple | set = (_number(norm),)
            elif address:
                texts = {norm}
                texts.update(address_tails(norm))
            else:
                texts = (norm,)
            for text in texts:
                if len(text) < minimum or text in found:
                    continue
                found[text] = Needle(text, kind, where(rec.row), sensitive, is_name)
    return list(found.values())


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
        from . import record_views
        from .reading.cache import _program

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
    from . import record_views
    from .reading.cache import _program

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
    from . import record_views
    from .reading.cache import _program

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

    from . import record_views

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
    from . import record_views
    from .reading.cache import _program

    h = hashlib.blake2b(f"corpus-columns-1|{_program()}|".encode(), digest_size=20)
    for table, keys in (("settings", None), *CORPUS_TABLES):
        part = _columns_key(records, "corpus", table, keys) if keys is not None else None
        tail = b"\0c" + part.encode() if part else b"\0t" + record_views.table_digest(records, table)
        h.update(table.encode() + tail)
    return h.hexdigest()


# What the leak scan kept on disk, also kept in memory while `bangfu serve` runs (keep_scans):
# the object last saved to (or loaded from) a path, with the stamps of its files then; a
# file changed since (another build, a damaged file) means reading the disk as ever.
_KEPT: dict = {"on": False, "objects": {}}


def keep_scans(on: bool) -> None:
    """Keep the scan's file cache and values in memory between the builds of this process."""
    _KEPT["on"], _KEPT["objects"] = bool(on), {}


def _file_stamp(path: Path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _folder_stamp(folder: Path):
    try:
        return tuple(sorted((p.name, _file_stamp(p)) for p in Path(folder).iterdir()))
    except OSError:
        return None


def _remember(path: Path, value, stamp) -> None:
    if _KEPT["on"] and stamp is not None:
        _KEPT["objects"][str(path)] = (stamp, value)


def _recall(path: Path, kind: type, stamp):
    got = _KEPT["objects"].get(str(path)) if _KEPT["on"] and stamp is not None else None
    return got[1] if got is not None and got[0] == stamp and isinstance(got[1], kind) else None


def _needle_folder(path: Path) -> Path:
    """needles-site.pickle -> needles-site/ (NeedleCache.save)."""
    path = Path(path)
    return path.with_name(path.stem)


_NOT_NUMBER = re.compile(r"[^0-9x]")


def _number(norm: str) -> str:
    """The digits (and the check letter x) of a normalised number."""
    if norm.isascii():
        return _NOT_NUMBER.sub("", norm)
    return "".join(ch for ch in norm if ch.isdigit() or ch == "x")


# --- where to look ----------------------------------------------------------
@cache
def _theme_root() -> Path | None:
    try:
        import material
    except ImportError:
        return None
    return Path(material.__file__).parent / "templates"


THEME_SUFFIXES = (".js", ".css", ".svg", ".json", ".map")


def _theme_file(rel: str, data: bytes) -> bool:
    """A file mkdocs copied verbatim from the theme (same place, same bytes): it cannot hold
    records. Compared with the theme's file at the same path rather than by hashing the
    whole theme (some 14,000 icons) on every build."""
    root = _theme_root()
    if root is None or not rel.endswith(THEME_SUFFIXES):
        return False
    theirs = root / rel
    try:
        return theirs.stat().st_size == len(data) and theirs.read_bytes() == data
    except OSError:
        return False


def _json_strings(value, out: list) -> None:
    """Every string (and number) of a JSON value, keys too."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.append(str(value))
    elif isinstance(value, dict):
        for k, v in value.items():
            out.append(str(k))
            _json_strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _json_strings(v, out)


def _texts(name: str, data: bytes) -> list[str] | None:
    """Text views of one file (decoded several ways); None when it cannot be read."""
    lower = name.lower()
    if lower.endswith(".gz"):
        try:
            return _texts(name[:-3], gzip.decompress(data))
        except (OSError, EOFError):
            return None
    suffix = Path(lower).suffix
    if suffix in (".xlsx", ".docx", ".zip", ".ods", ".odt"):
        return _zip_texts(data)
    if suffix == ".pdf":
        return _pdf_text(data)
    if suffix not in TEXT_SUFFIXES:
        return []
    text = data.decode("utf-8", errors="replace")
    out = [text]
    as_json = text if suffix == ".json" else None
    if suffix == ".js":  # data in a script (the offline search index: `var __index = {...}`)
        assigned = _JS_JSON.match(text)
        as_json = text[assigned.end():].rstrip().removesuffix(";") if assigned else None
    if as_json is not None:  # its strings, decoded (\uXXXX escapes hide Han characters in the text)
        try:
            strings: list[str] = []
            _json_strings(json.loads(as_json), strings)
            out = strings
        except ValueError:
            as_json = None
    decoded = [html.unescape(t) for t in out if "&" in t]
    out += decoded
    out += [unquote(t) for t in out if "%" in t]
    if as_json is not None or suffix in (".json", ".xml", ".svg"):
        out += [_TAG.sub("", t) for t in out if "<" in t]
    else:
        out += _flow_blocks(suffix, text)
    return out


def _zip_texts(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out = []
            for info in z.infolist():
                if info.file_size > MAX_MEMBER:
                    return None
                if info.filename.endswith((".xml", ".rels", ".txt", ".csv")):
                    text = z.read(info).decode("utf-8", errors="replace")
                    out += [text, html.unescape(text), html.unescape(_TAG.sub("", text))]
            return out
    except (zipfile.BadZipFile, OSError):
        return None


def _pdf_text(data: bytes) -> list[str] | None:
    """The text of every page, read by pypdf (pure Python: no system program needed).
    None when the PDF cannot be read, so that the file counts as unscanned."""
    try:
        import pypdf
        from pypdf.errors import PyPdfError
    except ImportError:
        return None
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        return ["\n".join(page.extract_text() or "" for page in reader.pages)]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return None


# --- searching ----------------------------------------------------------------
# raw line -> (normalised, normalised with its digits joined): [the last scan's, this scan's].
# Most lines of a page stay the same when a page changes; `bangfu serve` scans again and again
# in one process.
_LINES: list[dict[str, tuple[str, str]]] = [{}, {}]


def file_lines(texts: list[str]) -> tuple[str, ...]:
    """The distinct normalised lines of one file's texts (and each with its digits joined)."""
    return tuple(dict.fromkeys(itertools.chain.from_iterable(map(_norm_lines, texts))))


# raw line of a text file -> its normalised lines in _texts' views (_line_views), for the last
# scan and this one (as _LINES): a changed page mostly keeps its lines (a station's name
# edited under `bangfu serve` changes a few lines of every page).
_VIEWS: list[dict[str, tuple]] = [{}, {}]
_STRINGS: list[dict[str, tuple]] = [{}, {}]  # the same for each string of a JSON file (the search index)


def _norm_lines(text: str) -> tuple[str, ...]:
    """The normalised lines of `text`, each followed by itself with its digits joined where that
    differs, in order (repeats left in); normalised once per process and scan (_LINES)."""
    out = []
    this, last = _LINES[1], _LINES[0]
    for line in text.splitlines():
        if not line:
            continue
        pair = this.get(line)
        if pair is None:
            pair = last.get(line)
            if pair is None:
                norm = normalise(line)
                pair = (norm, joined_digits(norm))
            this[line] = pair
        norm, joined = pair
        if norm:
            out.append(norm)
        if joined != norm:
            out.append(joined)
    return tuple(out)


def _unit_views(unit: str, tags: bool) -> tuple:
    """(normalised lines of `unit` as it is, those of its other views or None). The views are
    _texts' (entities decoded, percent-escapes decoded, both; with `tags`, each of these four
    without its tags too), taken of one line of a page or one string of a JSON file. Neither an
    entity nor a percent-escape spans a line break, so the lines of a whole page's view are
    those of its lines' views; _texts takes a JSON file's views string by string."""
    own = _norm_lines(unit)
    if "&" not in unit and "%" not in unit and not (tags and "<" in unit):
        return own, None
    unescaped = html.unescape(unit) if "&" in unit else unit
    views = [unescaped, unquote(unit) if "%" in unit else unit, unquote(unescaped) if "%" in unescaped else unescaped]
    if tags:
        views += [_TAG.sub("", v) if "<" in v else v for v in (unit, *views)]
    return own, tuple(own if v is unit else _norm_lines(v) for v in views)


def _plain_lines(rel: str, name: str, data: bytes) -> tuple[str, ...] | None:
    """file_lines([rel, *_texts(name, data)]), worked out line by line (a page, a stylesheet, a
    script that is not data: _texts strips no tags there, they may span lines) or string by
    string (a JSON file, a script that assigns data), with the views of each kept between
    scans (_VIEWS, _STRINGS); None for any other file (PDF, zip, XML, SVG, compressed)."""
    lower = name.lower()
    suffix = Path(lower).suffix
    if suffix not in TEXT_SUFFIXES or lower.endswith(".gz"):
        return None
    text = data.decode("utf-8", errors="replace")
    assigned = _JS_JSON.match(text) if suffix == ".js" else None
    if suffix == ".json" or assigned:
        try:
            units: list[str] = []
            _json_strings(json.loads(text[assigned.end():].rstrip().removesuffix(";") if assigned else text), units)
        except ValueError:
            return None
        kept, tags = _STRINGS, True
    elif suffix in (".xml", ".svg"):
        return None
    else:
        units, kept, tags = text.splitlines(), _VIEWS, False
    this, last = kept[1], kept[0]
    unique = dict.fromkeys(units)  # each once, in order: a repeated one adds nothing
    unique.pop("", None)
    views = list(map(this.get, unique, map(last.get, unique)))
    if None in views:
        for i, unit in enumerate(unique):
            if views[i] is None:
                views[i] = _unit_views(unit, tags)
    this.update(zip(unique, views))
    # in _texts' order: the path, the text, then each other view of the whole text
    extra = list(filter(None, map(_SECOND, views)))
    chain = itertools.chain.from_iterable
    return tuple(dict.fromkeys(itertools.chain(
        _norm_lines(rel), chain(map(_FIRST, views)),
        *[chain(map(operator.itemgetter(i), extra)) for i in range(7 if tags else 3)],
        () if tags else chain(map(_norm_lines, _flow_blocks(suffix, text))))))


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)


# Tags that do not end a word: a name may be split by them (王<span>小明</span>) and still read
# as one on the page. Every other tag (p, li, td, div, br, script ...) ends a block of text: the
# end of one table cell joined to the start of the next is not a name on the page.
_INLINE_TAGS = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em",
                          "font", "i", "ins", "kbd", "mark", "q", "rb", "rp", "rt", "ruby", "s", "samp",
                          "small", "span", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"})
_INLINE_NAMES = "|".join(sorted(_INLINE_TAGS))
_BLOCK_TAG = re.compile(rf"<(?!(?i:/?(?:{_INLINE_NAMES})(?![\w-]))|!>)[^>]*>")
_INLINE_TAG = rf"<(?=(?i:/?(?:{_INLINE_NAMES})(?![\w-]))|!>)[^>]*>"
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CODE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)  # not text a reader sees
_BREAK = re.compile("[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")  # where str.splitlines breaks
# A tag or a line break with a character of a word on each side (a digit separator, or the
# `;` or `&` of an entity, count): the only places where taking the tags and line breaks
# out can make a value that no line of the page holds.
_GAP_INVISIBLE = "[\u200b-\u200f\u2060-\u2064\ufeff\xad]"
_JOINS = re.compile(rf"[\w;\-.·‐‑‒–—―/](?:[ \t]|{_GAP_INVISIBLE})*(?:{_INLINE_TAG}|{_BREAK.pattern})"
                    rf"(?:\s|{_INLINE_TAG}|{_GAP_INVISIBLE})*(?=[\w&\-.·‐‑‒–—―/])")
_FLOW_SUFFIXES = {".html", ".htm", ".md", ".txt"}
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n")


def _flow_blocks(suffix: str, text: str) -> list[str]:
    """The text of a page as a reader sees it, block by block: inline tags removed, line breaks
    inside a block removed, entities decoded (after the tags are split off, so that an escaped
    `&lt;` makes no tag). A name or number split by markup or a line break (王<span>小明</span>,
    王小 + line break + 明, &#29579; + line break + &#23567;&#26126;) is whole again in its block; only
    the blocks where an inline tag or a line break stands inside a word are returned (_JOINS:
    the others are the page's own lines, searched already). A Markdown or text file's blocks are its paragraphs
    (a blank line ends one)."""
    if suffix not in _FLOW_SUFFIXES or ("<" not in text and not _BREAK.search(text)):
        return []
    if suffix in (".md", ".txt") and _PARAGRAPH.search(text):
        return [b for part in _PARAGRAPH.split(text) for b in _flow_blocks(suffix, part)]
    if "<!--" in text:
        text = _COMMENT.sub("<!>", text)  # a comment is not shown: as an inline tag
    if "<s" in text or "<S" in text:
        text = _CODE.sub("<p>", text)  # a script or a stylesheet: a block of its own (its lines are searched)
    blocks = []
    end = -1
    for join in _JOINS.finditer(text):  # few: most pages have none
        if join.start() < end:
            continue  # in the block taken already
        start, end = _block_edges(text, join.start(), join.end())
        block = "".join(_TAG.sub("", text[start:end]).splitlines())  # line breaks: normalise drops them anyway
        blocks.append(html.unescape(block) if "&" in block else block)
    return blocks


def _block_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the block holding text[start:end] begins and ends: at the nearest tag on each side
    that is not an inline tag (or the start or end of the text)."""
    at = start
    while (at := text.rfind("<", 0, at)) >= 0:
        tag = _BLOCK_TAG.match(text, at)
        if tag:
            start = tag.end()
            break
    else:
        start = 0
    at = end
    while (at := text.find("<", at)) >= 0:
        if _BLOCK_TAG.match(text, at):
            return start, at
        at += 1
    return start, len(text)


class _Haystack:
    """Unique normalised lines of the whole output, each with the first file it was in."""

    def __init__(self):
        self.seen: dict[str, int] = {}
        self.files: list[str] = []

    def add(self, file: str, texts: list[str]) -> None:
        self.insert(file, file_lines(texts))

    def insert(self, file: str, lines: tuple[str, ...]) -> None:
        """Add the normalised lines of one file (file_lines); the first file holding a line keeps it."""
        index = len(self.files)
        self.files.append(file)
        seen = self.seen
        for norm in lines:
            if norm not in seen:
                seen[norm] = index


def _holding(lines: list[str], needles) -> dict[Needle, set[int]]:
    """For each needle found, the numbers of every line (of `lines`) holding its text."""
    values = Values.of(needles)
    if not lines or not len(values):
        return {}
    known = _runs_known(values) if len(values) > ADDED_MAX else {}  # not for the few values new since the last scan
    return {values.needle(values.pos[text]): numbers
            for text, numbers in _holding_texts(lines, values.shapes, known).items()}


def _holding_texts(lines: list[str], shapes: tuple, known: dict) -> dict[str, set[int]]:
    """For each text (of `shapes`: Shapes.tables) found, the numbers of every line holding it.
    `known`: the parts of runs found before for the same texts (_runs_known), filled in."""
    han2, han, digits, anchored, loose = shapes
    hits: dict[str, set[int]] = {}
    candidates: dict[str, list] = {}  # anchor found -> the runs holding it
    for pattern, lengths in ((_RUN, han), (_DIGITS, digits)):
        runs: dict[str, list] = {}  # run -> the lines it stands in (by number, first first)
        for number, line in enumerate(lines):
            for run in pattern.findall(line):
                runs.setdefault(run, []).append(number)
        han_runs = pattern is _RUN
        for run, where in runs.items():
            if han_runs and run in han2:
                hits.setdefault(run, set()).update(where)
            subs = known.get((han_runs, run))
            if subs is None:  # the parts of the run that are a value (or an anchor) looked for
                found = []
                for length, table in lengths.items():
                    for i in range(len(run) - length + 1):
                        sub = run[i:i + length]
                        if sub in table:
                            found.append(sub)
                subs = known[(han_runs, run)] = tuple(found)
            for sub in subs:
                if lengths[len(sub)][sub]:
                    hits.setdefault(sub, set()).update(where)
                if sub in anchored:
                    candidates.setdefault(sub, []).append(where)
    # a text with its anchor somewhere: look for it in the lines holding the anchor only
    for anchor, places in candidates.items():
        numbers = sorted({number for where in places for number in where})
        for text in anchored[anchor]:
            holding = {number for number in numbers if text in lines[number]}
            if holding:
                hits.setdefault(text, set()).update(holding)
    for text, found_in in _find_texts(lines, loose).items():
        hits.setdefault(text, set()).update(found_in)
    return hits


# Which parts of a run (of Han characters or digits) are among the texts looked for depends on
# the run and on those texts only: kept for the last set of texts searched (`bangfu serve` scans
# again and again in one process, and most runs of a changed line were searched before).
_RUNS: dict = {"texts": None, "runs": {}}
RUNS_KEPT = 500_000  # runs kept at most


def _runs_known(values: Values) -> dict:
    """{(a Han run?, run): its parts that are texts looked for} for exactly these texts."""
    texts = values.pos.keys()
    if _RUNS["texts"] != texts or len(_RUNS["runs"]) > RUNS_KEPT:
        _RUNS["texts"], _RUNS["runs"] = frozenset(texts), {}
    return _RUNS["runs"]


def _find(lines: list[str], needles: list[Needle]) -> dict[Needle, set[int]]:
    """Plain substring search of a few needles through every line (one joined text)."""
    by_text = {n.text: n for n in needles}
    return {by_text[text]: numbers for text, numbers in _find_texts(lines, list(by_text)).items()}


def _find_texts(lines: list[str], texts: list[str]) -> dict[str, set[int]]:
    """_find of texts: for each text found, the numbers of the lines holding it."""
    if not texts:
        return {}
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    big = "\n".join(lines)
    hits: dict[str, set[int]] = {}
    for text in texts:
        at = big.find(text)
        while at >= 0:
            number = bisect.bisect_right(starts, at) - 1
            hits.setdefault(text, set()).add(number)
            at = big.find(text, starts[number] + len(lines[number]) + 1)  # on from the next line
    return hits


def preview(text: str) -> str:
    """A masked hint of a value: 张**, 3701************15."""
    if len(text) <= 3:
        return text[:1] + "*" * (len(text) - 1)
    keep = 2 if len(text) >= 8 else 1
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


class FileCache:
    """What the scan read from each output file, by path and content digest, so that a file
    that did not change since the last scan is not read and normalised again (its lines are
    taken as they were). Only the public output's text is kept: never the records. `save`
    and `load` keep it between builds (in the build's work folder); `bangfu serve` keeps
    one in memory."""

    VERSION = "2"

    def __init__(self):
        self.entries: dict[tuple[str, bytes], tuple | None] = {}
        self._previous: dict[tuple[str, bytes], tuple | None] = {}
        self.reused = 0
        # the last finished search: the values looked for, every line searched, and the
        # values each line holds (lines holding none left out), values by digest (_value_key);
        # None before any search
        self.searched: tuple[frozenset, set, dict] | None = None
        self._searched: tuple[frozenset, set, dict] | None = None

    def lines(self, rel: str, data: bytes, name: str) -> tuple | None:
        key = (rel, hashlib.blake2b(data, digest_size=20).digest())
        if key in self._previous:
            self.reused += 1
            entry = self._previous[key]
        else:
            entry = _plain_lines(rel, name, data)
            if entry is None:
                texts = _texts(name, data)
                entry = None if texts is None else file_lines([rel, *texts])
        self.entries[key] = entry
        return entry

    def start(self) -> None:
        """A new scan: the last scan's files are what may be reused, the rest is forgotten."""
        self._previous, self.entries, self.reused = self.entries, {}, 0
        self._searched, self.searched = self.searched, None

    @staticmethod
    def _stamp() -> str:
        return hashlib.sha256((FileCache.VERSION + Path(__file__).read_text(encoding="utf-8")).encode()).hexdigest()

    def save(self, path: Path) -> None:
        import pickle

        tmp = Path(path).with_suffix(".tmp")
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            pickle.dump((self._stamp(), self.entries, self.searched), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        _remember(path, self, _file_stamp(path))

    @classmethod
    def load(cls, path: Path) -> FileCache:
        import pickle

        on_disk = _file_stamp(path)
        kept = _recall(path, cls, on_disk)
        if kept is not None:  # `bangfu serve`: as this process saved or loaded it
            kept._previous, kept._searched = {}, None
            return kept
        cache = cls()
        try:
            with open(path, "rb") as f:
                stamp, entries, searched = pickle.load(f)
            if stamp == cls._stamp() and isinstance(entries, dict):
                cache.entries = entries
                if isinstance(searched, tuple) and len(searched) == 3:
                    cache.searched = searched
        except (OSError, ValueError, EOFError, TypeError, pickle.UnpicklingError):
            return cache
        _remember(path, cache, on_disk)
        return cache


def scan_folder(folder: Path, needles, allow: str = "", cache: FileCache | None = None) -> Scan:
    """Search every file under `folder` for `needles` (Needles, or collect's Values). A value
    found that is also part of `allow` (the station's public text, normalised) is not a leak:
    it cannot be told apart from it.
    With `cache`, files unchanged since the cache's last scan are not read again."""
    folder = Path(folder)
    hay = _Haystack()
    cache = cache if cache is not None else FileCache()
    cache.start()
    _LINES[:] = [_LINES[1] or _LINES[0], {}]
    _VIEWS[:] = [_VIEWS[1] or _VIEWS[0], {}]
    _STRINGS[:] = [_STRINGS[1] or _STRINGS[0], {}]
    unscanned = []
    files = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if _theme_file(rel, data):
            continue
        files += 1
        lines = cache.lines(rel, data, path.name)
        if lines is None:
            unscanned.append(rel)
            continue
        hay.insert(rel, lines)
    needles = Values.of(needles)
    hits = _search(hay, needles, cache)
    excused: dict[Needle, str | None] = {}
    for i, (n, _) in enumerate(hits):
        if allow and not n.never_excused and n.text in allow:
            if not n.is_name:  # a workplace, school or note that is also the station's own text
                excused[n] = None
                continue
            word, shown_in = _excuse(n, allow, hay)
            if word:
                excused[n] = word
            elif shown_in is not None:
                hits[i] = (n, shown_in)  # name the page where it stands as itself
    leaks, seen = [], set()
    for n, file in sorted(hits, key=lambda h: -len(h[0].text)):  # an address before its tail
        if n not in excused and (file, n.where) not in seen:
            seen.add((file, n.where))
            leaks.append(Leak(file, n.kind, n.where, preview(n.text)))
    leaks.sort(key=lambda l: (l.file, l.where))
    listed = sorted({(preview(n.text), word) for n, word in excused.items() if word})
    return Scan(leaks, files, len(needles), len(excused), unscanned, listed)


ADDED_MAX = 64  # more values new since the last scan than this: every line is searched again


def _search(hay: _Haystack, values: Values, cache: FileCache) -> list[tuple[Needle, str]]:
    """hay.search(values), searching only what the last scan (cache) did not: the lines new
    since then with every value, and the lines it searched with the values new since then
    (a value's match is a property of one line: see _holding). The values each line holds
    are what a full search finds; every value's first line, and so its file, follows.
    The cache knows the values by digest only: it keeps the public site's text, never a
    list of the records' values."""
    lines = list(hay.seen)
    by_key = values.by_key
    last = cache._searched
    per_line: dict[str, list[bytes]] = {}
    new_keys = set() if last is None else by_key.keys() - last[0]
    added = [values.needle(i) for i in sorted(by_key[key] for key in new_keys)]  # in the values' order
    key_of, pos = values.key, values.pos
    if last is None or len(added) > ADDED_MAX:
        for text, numbers in _holding_texts(lines, values.shapes, _runs_known(values)).items():
            key = key_of(pos[text])
            for number in numbers:
                per_line.setdefault(lines[number], []).append(key)
    else:
        before, known, found = last
        seen = hay.seen
        if before <= by_key.keys():  # no value gone since: the lines still here hold what they held
            per_line = {line: list(held) for line, held in found.items() if line in seen}
        else:
            for line, held in found.items():
                if line in seen:
                    kept = [key for key in held if key in by_key]  # values gone are dropped
                    if kept:
                        per_line[line] = kept
        fresh = [line for line in lines if line not in known]
        if fresh:
            for text, numbers in _holding_texts(fresh, values.shapes, _runs_known(values)).items():
                key = key_of(pos[text])
                for number in numbers:
                    per_line.setdefault(fresh[number], []).append(key)
        if added:
            searched = [line for line in lines if line in known]
            for n, numbers in _find(searched, added).items():  # lines holding the text at all
                candidates = [searched[number] for number in sorted(numbers)]
                for number in _holding(candidates, [n]).get(n, ()):  # and holding it as a value
                    per_line.setdefault(candidates[number], []).append(n.key)
    cache.searched = (frozenset(by_key), set(lines), {line: tuple(held) for line, held in per_line.items()})
    first: dict[int, int] = {}
    for line in lines:
        held = per_line.get(line)
        if held:
            for key in held:
                first.setdefault(by_key[key], hay.seen[line])
    return [(values.needle(i), hay.files[f]) for i, f in first.items()]


def _value_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _excuse(needle: Needle, allow: str, hay: _Haystack) -> tuple[str | None, str | None]:
    """(the public word that holds `needle` as something else, None) when every place the
    site shows the value is inside such a word; else (None, a file showing it as itself)."""
    text = needle.text
    words = set()
    for m in re.finditer(re.escape(text), allow):
        start, end = m.start(), m.end()
        if start == 0 or end == len(allow):
            continue
        if _HAN_CHAR.match(allow[start - 1]) and _HAN_CHAR.match(allow[end]):
            run_start = start
            while run_start > 0 and _HAN_CHAR.match(allow[run_start - 1]):
                run_start -= 1
            run_end = end
            while run_end < len(allow) and _HAN_CHAR.match(allow[run_end]):
                run_end += 1
            words.add(allow[run_start:run_end])
    ordered = sorted(words, key=len, reverse=True)
    for line, index in hay.seen.items():
        if text not in line:
            continue
        rest = line
        for word in ordered:
            rest = rest.replace(word, "\0")
        if text in rest:
            return None, hay.files[index]
    return (ordered[-1], None) if ordered else (None, None)


# --- a new set of records against a site already scanned ----------------------
_SIGNS = tuple(KIND_ZH)  # a value's column kind, as one byte of its entry (_entry)


def _entry(n: Needle) -> bytes:
    """A value as a footprint keeps it: its digest (16 bytes) and what kind of value its column
    holds (one byte), on which whether it may be excused depends (scan_folder)."""
    sign = _SIGNS.index(n.sensitive) if n.sensitive in _SIGNS else len(_SIGNS)
    return n.key + bytes((sign * 2 + n.is_name,))


def _sorted_blob(entries) -> bytes:
    return b"".join(sorted(set(entries)))


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
        from . import record_views

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
        from . import record_views

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


def scan_site(folder: Path, records, template_dirs=(), cache: FileCache | None = None,
              needles: NeedleCache | None = None, tables: dict | None = None) -> Scan:
    """`tables`, when given, receives each table's values (collect)."""
    return scan_folder(folder, collect(records, needles, tables), public_corpus(records, template_dirs, kept=needles),
                       cache)


def excused_note(scan: Scan, limit: int = 5) -> str:
    """One line saying which values were not counted as leaks, and why."""
    if not scan or not scan.excused:
        return ""
    shown_ = "、".join(f"“{word}”中的“{masked}”" for masked, word in scan.excused[:limit])
    more = f"等 {len(scan.excused)} 项" if len(scan.excused) > limit else ""
    return (f"以下个人信息与本站公开文字中的词语相同，且网站上只作为这些词语出现，未算作泄露：{shown_}{more}。"
            "如果其中有真实的个人信息，请修改相应的公开文字。")


def report(scan: Scan, limit: int = 20) -> str:
    """The Chinese message for a failed scan."""
    lines = ["隐私检查未通过：生成的网站中出现了不应公开的个人信息，本次没有发布，原网站保持不变。"]
    for leak in scan.leaks[:limit]:
        lines.append(f"  - 页面 {leak.file}：{leak.kind}（来自 {leak.where}，{leak.preview}）")
    if len(scan.leaks) > limit:
        lines.append(f"  …… 另有 {len(scan.leaks) - limit} 处")
    for rel in scan.unscanned[:limit]:
        lines.append(f"  - 文件 {rel} 无法检查（PDF 文件无法读取，或没有安装 pypdf：pip install pypdf），"
                     "为安全起见不发布。")
    if scan.leaks:
        lines.append("身份证号、电话和银行卡号无论出现在哪里（包括资金说明、政策文字、站点设置）都不能公开；"
                     "姓名只有在本站公开文字中明确是别的词语的一部分时才不算泄露。")
        lines.append("请检查是否修改过网页模板（site_templates），或在公示标题、处理说明等会公开的栏目中写入了"
                     "姓名、身份证号、电话、住址等个人信息；改正后重新生成。")
    return "\n".join(lines)
