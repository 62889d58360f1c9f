"""What the leak scan reads in each output file: its text views (entities and
percent-escapes decoded, JSON strings, zip members, PDF text), as normalised lines."""

from __future__ import annotations

import gzip
import html
import io
import itertools
import json
import logging
import operator
import re
import zipfile
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from .normal import _JS_JSON, _TAG, MAX_MEMBER, TEXT_SUFFIXES, joined_digits, normalise, normalise_many


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
    _prime_lines(texts)
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
    return _views_lines(unit, _unit_texts(unit, tags))


def _unit_texts(unit: str, tags: bool) -> list[str] | None:
    """The other views of `unit` (_unit_views), as texts; None when it has none."""
    if "&" not in unit and "%" not in unit and not (tags and "<" in unit):
        return None
    unescaped = html.unescape(unit) if "&" in unit else unit
    views = [unescaped, unquote(unit) if "%" in unit else unit, unquote(unescaped) if "%" in unescaped else unescaped]
    if tags:
        views += [_TAG.sub("", v) if "<" in v else v for v in (unit, *views)]
    return views


def _views_lines(unit: str, views: list[str] | None) -> tuple:
    own = _norm_lines(unit)
    return own, None if views is None else tuple(own if v is unit else _norm_lines(v) for v in views)


def _prime_lines(texts) -> None:
    """Normalise, together (normalise_many), the lines of `texts` that neither this scan nor the
    last normalised (_LINES): _norm_lines then finds every one of them done."""
    this, last = _LINES[1], _LINES[0]
    todo: dict[str, None] = {}
    for text in texts:
        for line in text.splitlines():
            if line not in this and line not in last:
                todo[line] = None
    todo.pop("", None)
    if todo:
        for line, norm in zip(todo, normalise_many(todo)):
            this[line] = (norm, joined_digits(norm))


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
    if None in views:  # the views of the units new since the last scan, their lines normalised together
        new = [(i, unit, _unit_texts(unit, tags)) for i, unit in enumerate(unique) if views[i] is None]
        _prime_lines(itertools.chain.from_iterable((unit, *(others or ())) for _, unit, others in new))
        for i, unit, others in new:
            views[i] = _views_lines(unit, others)
    this.update(zip(unique, views))
    # in _texts' order: the path, the text, then each other view of the whole text
    extra = list(filter(None, map(_SECOND, views)))
    chain = itertools.chain.from_iterable
    blocks = [rel] if tags else [rel, *_flow_blocks(suffix, text)]
    _prime_lines(blocks)
    return tuple(dict.fromkeys(itertools.chain(
        _norm_lines(rel), chain(map(_FIRST, views)),
        *[chain(map(operator.itemgetter(i), extra)) for i in range(7 if tags else 3)],
        () if tags else chain(map(_norm_lines, blocks[1:])))))


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
