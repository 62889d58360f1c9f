"""Money: Decimal yuan, formatted for people, and in Chinese capitals for receipts."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def quantize(amount) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(amount, places: int = 2) -> str:
    """Decimal('12345.5') -> '12,345.50' (no unit)."""
    if amount.__class__ is Decimal and places == 2 and amount:
        try:
            text = _YUAN.get(amount)
        except TypeError:  # a signalling NaN cannot be hashed: worked out (and refused) below
            text = None
        else:
            if text is None:
                text = f"{quantize(amount):,.2f}"
                if len(_YUAN) < _YUAN_LIMIT:
                    _YUAN[amount] = text
        if text is not None:
            return text
    if amount is None:
        return ""
    q = quantize(amount)
    return f"{q:,.{places}f}" if places else f"{q:,.0f}"


# Decimal -> yuan text of the amounts printed so far (at most _YUAN_LIMIT): a build prints the
# same amounts again and again. Equal non-zero Decimals (1.5 and 1.50) have one sign and round
# to the same cents, so they share one text; zero is left out (-0 prints as -0.00, 0 as 0.00),
# and NaN, never equal to itself, is never found.
_YUAN: dict = {}
_YUAN_LIMIT = 100_000


def capitals(amount) -> str:
    """Decimal('1001') -> '壹仟零壹元整', Decimal('0.5') -> '伍角'. Rounds half up to fen first.

    The words are cn2an's (`cn2an.an2cn(str(q), "rmb")`, cn2an 0.5, MIT licence), worked out
    here by the same steps: importing cn2an compiles its regular expressions (about 0.3 CPU-s),
    and every rebuild that renders a dossier or a receipt sheet paid for it on the private
    writer's critical path. tests/test_money_capitals.py compares the two over many amounts."""
    q = quantize(amount)
    text = str(q)
    sign = ""
    if text.startswith("-"):
        sign, text = "负", text[1:]
    if not text.replace(".", "", 1).isdigit() or text.count(".") != 1:
        raise ValueError(f"输入的数据不在转化范围内：{text}！")  # cn2an's own refusal (e.g. 1E+20)
    whole, cents = text.split(".")
    words = _integer_capitals(whole)
    jiao, fen = _UPPER[int(cents[0])], _UPPER[int(cents[1])]
    if jiao != "零":
        if fen != "零":
            return sign + (f"{jiao}角{fen}分" if words == "零" else f"{words}元{jiao}角{fen}分")
        return sign + (f"{jiao}角" if words == "零" else f"{words}元{jiao}角")
    if fen != "零":
        return sign + (f"{fen}分" if words == "零" else f"{words}元零{fen}分")
    return sign + words + "元整"


_UPPER = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟", "万", "拾", "佰", "仟", "亿", "拾", "佰", "仟", "万", "拾", "佰", "仟")
_SKIPPED_ZERO = re.compile(r"([万亿])零([壹贰叁肆伍陆柒捌玖]仟)")


def _integer_capitals(digits: str) -> str:
    """cn2an's An2Cn.__integer_convert in its "up" mode, step by step."""
    digits = str(int(digits))
    n = len(digits)
    if n > len(_UNITS):
        raise ValueError(f"超出数据范围，最长支持 {len(_UNITS)} 位")
    out = ""
    for i, d in enumerate(digits):
        if d != "0":
            out += _UPPER[int(d)] + _UNITS[n - i - 1]
        else:
            if not (n - i - 1) % 4:
                out += "零" + _UNITS[n - i - 1]
            if i > 0 and not out[-1] == "零":
                out += "零"
    out = out.replace("零零", "零").replace("零万", "万").replace("零亿", "亿").replace("亿万", "亿").strip("零")
    out = _SKIPPED_ZERO.sub(r"\1\2", out)
    return out or "零"


def total(amounts) -> Decimal:
    return sum((a for a in amounts if a is not None), Decimal(0))
