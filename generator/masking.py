"""Masking for public pages: names, phones, identity numbers.

Names keep the surname and, for three or more characters, the last character:
张*明, 王*, 欧阳*峰, 阿依古丽·买*. Compound surnames are recognised from a list.
"""

from __future__ import annotations

import unicodedata

COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠",
    "万俟", "闻人", "赫连", "端木", "独孤", "南宫", "西门", "呼延", "百里", "东郭", "拓跋", "司空",
    "第五", "左丘", "梁丘", "谷梁", "微生", "羊舌", "公良", "乐正", "漆雕", "壤驷", "公西", "巫马",
)
_DOTS = "·•・.．"


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
    return "".join(ch for ch in text if ch == " " or unicodedata.category(ch)[0] not in "CZ")


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    name = " ".join(_visible(name).split())
    if not name:
        return ""
    for dot in _DOTS:
        if dot in name:  # minority names: 阿依古丽·买买提 -> 阿依古丽·买*
            first, _, rest = name.partition(dot)
            return f"{first}·{rest[:1]}*" if rest else f"{first[:1]}*"
    if not all("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in name):
        return name[:1] + "*"  # latin or mixed names: initial only
    surname, given = split_surname(name)
    if len(given) <= 1:
        return surname + "*"
    return surname + "*" * (len(given) - 1) + given[-1]


def mask_phone(phone: str | None) -> str:
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) == 11:
        return digits[:3] + "****" + digits[-4:]
    return "*" * len(digits)
