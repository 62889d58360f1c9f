"""Masking for public pages: names, phones, identity numbers.

Names keep the surname and, for three or more characters, the last character:
张*明, 王*, 欧阳*峰. Compound surnames are recognised from a list. Names written in parts
separated by a middle dot (·, ‧, •, ・; minority and transliterated names) mask every
part on its own, one star inside each: 阿依古丽·买买提 -> 阿*丽·买*提. Characters of every
CJK Unified Ideographs block (the basic block, extensions A to I, compatibility
ideographs) count as Chinese: 李𠀋明 -> 李*明.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠",
    "万俟", "闻人", "赫连", "端木", "独孤", "南宫", "西门", "呼延", "百里", "东郭", "拓跋", "司空",
    "第五", "左丘", "梁丘", "谷梁", "微生", "羊舌", "公良", "乐正", "漆雕", "壤驷", "公西", "巫马",
)
_DOTS = "·‧•・.．"
# CJK Unified Ideographs (basic, extensions A-I) and compatibility ideographs
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF),
               (0x2A700, 0x2EE5F), (0x2F800, 0x2FA1F), (0x30000, 0x323AF))


# a whole text of Han characters (is_han of each), in one regular expression
_ALL_HAN = re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _HAN_RANGES) + "]+")


def is_han(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _HAN_RANGES)


def split_surname(name: str) -> tuple[str, str]:
    """('欧阳', '峰') for 欧阳峰; a two-character name whose first two characters form a
    compound surname (e.g. 欧阳 alone) keeps one character as the surname."""
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _visible(text: str) -> str:
    """Drop control, format (zero-width, bidi), surrogate and unassigned characters:
    none of them may become the one character a mask keeps."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text
                   if ch == " " or is_han(ch) or unicodedata.category(ch)[0] not in "CZ")


@lru_cache(maxsize=1 << 16)
def mask_name(name: str | None) -> str:
    """Worked out once per distinct name (a notice lists thousands of entries, a worker
    stands in many notices)."""
    if not name:
        return ""
    name = " ".join(_visible(name).split())
    if not name:
        return ""
    parts = _dot_parts(name)
    if len(parts) > 1:  # minority names: 阿依古丽·买买提 -> 阿*丽·买*提
        return "·".join(_mask_part(p) for p in parts if p) or "*"
    if not _ALL_HAN.fullmatch(name):
        return name[:1] + "*"  # latin or mixed names: initial only
    surname, given = split_surname(name)
    if len(given) <= 1:
        return surname + "*"
    return surname + "*" * (len(given) - 1) + given[-1]


def _dot_parts(name: str) -> list[str]:
    for dot in _DOTS:
        name = name.replace(dot, "·")
    return [p.strip() for p in name.split("·")]


def _mask_part(part: str) -> str:
    """One part of a dotted name: first character, one star, last character (three or
    more characters); first character and a star (two); a star (one)."""
    if len(part) <= 1:
        return "*"
    if len(part) == 2:
        return part[0] + "*"
    return part[0] + "*" + part[-1]


def mask_phone(phone: str | None) -> str:
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) == 11:
        return digits[:3] + "****" + digits[-4:]
    return "*" * len(digits)
