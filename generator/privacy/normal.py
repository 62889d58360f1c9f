"""The leak scan's normal form of a text (both the values looked for and the pages are
normalised alike), the kinds of values and their shortest searched lengths."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

from .. import schema

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
        from ..reading.text import _converter

        conv = _converter()
        if conv is not None:
            text = conv.convert(text)
    return text


# Texts normalised together are joined by this private-use character: NFKC and case folding
# leave it as it is and join nothing across it (it composes with no neighbour), it is neither
# whitespace nor a format character (kept by _invisible), and no phrase of the converter to
# simplified characters holds it (a conversion never spans it).
_SEP = "\ue000"


def normalise_many(texts) -> list[str]:
    """[normalise(t) for t in texts], worked out as one text: one NFKC, case folding and
    removal of invisible characters over all of them, and one conversion to simplified
    characters of those holding a Han character (a call per value made 140,000 calls at
    20,000 workers). A text holding the joining character itself is normalised alone."""
    texts = list(texts)
    if len(texts) < 2:
        return [normalise(t) for t in texts]
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:
        return [normalise(t) for t in texts]
    parts = _invisible().sub("", unicodedata.normalize("NFKC", joined).casefold()).split(_SEP)
    if len(parts) != len(texts):  # cannot be (see _SEP); normalised one by one all the same
        return [normalise(t) for t in texts]
    han = [i for i, part in enumerate(parts) if _HAN_CHAR.search(part)]
    if han:
        from ..reading.text import _converter

        conv = _converter()
        if conv is not None:
            converted = conv.convert(_SEP.join([parts[i] for i in han])).split(_SEP)
            if len(converted) != len(han):  # cannot be (see _SEP)
                converted = [conv.convert(parts[i]) for i in han]
            for i, text in zip(han, converted):
                parts[i] = text
    return parts


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


_NOT_NUMBER = re.compile(r"[^0-9x]")


def _number(norm: str) -> str:
    """The digits (and the check letter x) of a normalised number."""
    if norm.isascii():
        return _NOT_NUMBER.sub("", norm)
    return "".join(ch for ch in norm if ch.isdigit() or ch == "x")


def preview(text: str) -> str:
    """A masked hint of a value: 张**, 3701************15."""
    if len(text) <= 3:
        return text[:1] + "*" * (len(text) - 1)
    keep = 2 if len(text) >= 8 else 1
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def _value_key(text: str) -> bytes:
    return _value_keys((text,))[0]


def _value_keys(texts) -> list[bytes]:
    """Each text's digest, by which the scan's tables find a value (the one definition)."""
    blake2b = hashlib.blake2b
    return [blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest() for text in texts]
