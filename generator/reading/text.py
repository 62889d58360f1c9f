"""Text helpers shared by the reader: invisible characters, traditional Chinese."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# zero-width characters, BOM, bidi marks, C0/C1 controls, line/paragraph separators
INVISIBLE_RE = re.compile("[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


@lru_cache(maxsize=1)
def _converter():
    try:
        import opencc
    except ImportError:  # optional at run time: headers then match only in simplified
        return None
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    conv = _converter()
    return conv.convert(text) if conv else text


def normalise_header(text) -> str:
    """How a header cell is compared: width-folded, no spaces, marks or notes."""
    if not isinstance(text, str):
        text = "" if text in ("", None) else str(text)
    text = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text))
    text = re.sub(r"\s+", "", text).strip("*＊")
    text = re.sub(r"[(（][^()（）]*[)）]$", "", text) or text  # "金额（元）" -> 金额
    return to_simplified(text)
