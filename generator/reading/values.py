"""Cell value normalisers, one per schema kind.

A converter takes the raw value python-calamine gives (str, float, int, bool,
date, datetime, time or '' for empty) and returns either the typed value, or
`Bad(code, params)` for a value it cannot accept, or `Fixed(value, code,
params)` for a value it accepted after a repair the clerk should know about.
Fast paths come first: most cells are already the right type.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from .. import schema
from ..idcard import check_id_number, format_problem
from ..money import CENT
from .text import INVISIBLE_RE, to_simplified

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "bank-as-number", "bool", "code-unsafe", "date-impossible", "date-out-of-range", "enum", "enum-normalised",
    "idno-as-number", "money-capitals", "money-decimal-comma", "money-negative", "money-sub-cent",
    "money-too-large", "number-out-of-range", "phone-format", "rate-over-100", "text-invisible",
    "text-number-as-text", "text-too-long", "type-date", "type-integer", "type-money", "type-number",
})


class Bad:
    __slots__ = ("code", "params")

    def __init__(self, problem_code: str, **params):
        self.code = problem_code
        self.params = params


class Fixed:
    __slots__ = ("value", "code", "params")

    def __init__(self, fixed_value, code: str, **params):
        self.value = fixed_value
        self.code = code
        self.params = params


MONEY_LIMIT = Decimal("100000000")  # 1 亿元 in one cell is a typo
EXCEL_EPOCH = date(1899, 12, 30)
DAYS_1900_TO_1904 = 1462  # serial 0 in the 1904 date system is 1904-01-01
DATE_LOW = date(1950, 1, 1)
DATE_HIGH = date(2100, 12, 31)


def shown(value) -> str:
    """How a raw value is quoted back to the clerk in a message."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value) if abs(value) < 1e15 else f"{value:.6E}"
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def clean_text(value) -> str | Fixed:
    """Strip, drop invisible characters; numbers and dates as their text."""
    if type(value) is str:
        text = value.strip()
        if INVISIBLE_RE.search(text):
            cleaned = INVISIBLE_RE.sub("", text).strip()
            return Fixed(cleaned, "text-invisible", value=cleaned)
        return text
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def too_long(text: str, limit: int) -> Bad:
    return Bad("text-too-long", length=len(text), limit=limit)


def to_text(value, column: schema.Column):
    if type(value) is str and value.isprintable() and len(value) <= column.max_length \
            and value[:1] != " " and value[-1:] != " ":
        return value
    result = clean_text(value)
    text = result.value if isinstance(result, Fixed) else result
    if len(text) > column.max_length:
        return Bad("text-too-long", length=len(text), limit=column.max_length)
    return result


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_CODE_OK = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff_\-]{0,63}$")


_CODE_FAST = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-]{0,63}")


def to_code(value, column: schema.Column):
    if type(value) is str and _CODE_FAST.fullmatch(value) and column.key != "bank_account" \
            and (len(value) > 4 or value.upper() not in _WINDOWS_RESERVED):
        return value
    if column.key == "bank_account" and isinstance(value, (float, int)) and not isinstance(value, bool):
        return Bad("bank-as-number", value=shown(value))  # past 15 digits the number has lost digits
    if isinstance(value, float):
        value = str(int(value)) if value.is_integer() else repr(value)
    result = clean_text(value)
    text = result.value if isinstance(result, Fixed) else result
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    if not text:
        return ""
    if column.kind == schema.CODE and column.key == "bank_account":
        if not text.isdigit():
            return Bad("type-number", value=shown(value), hint="（银行卡号）")
        return text
    if not _CODE_OK.match(text) or text.split(".")[0].upper() in _WINDOWS_RESERVED:
        return Bad("code-unsafe", value=shown(value))
    return text


def to_int(value, column: schema.Column):
    result = _to_int(value)
    if isinstance(result, (int, Fixed)):
        number = result.value if isinstance(result, Fixed) else result
        low, high = column.limits or (0, 10**9)
        if not low <= number <= high:
            return Bad("number-out-of-range", value=shown(value), low=low, high=high)
    return result


def _to_int(value):
    if type(value) is float:
        if value.is_integer():
            return int(value)
        return Bad("type-integer", value=shown(value))
    if type(value) is int:
        return value
    if type(value) is bool:
        return Bad("type-integer", value=shown(value))
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        text = re.sub(r"(人|天|个|次|日|年|口)$", "", text).strip()
        if re.fullmatch(r"[+-]?\d+", text):
            number = int(text)
            return number if text == value else Fixed(number, "text-number-as-text",
                                                       value=shown(value), normal=number)
        if re.fullmatch(r"[+-]?\d+\.0*", text):
            return int(float(text))
        return Bad("type-number", value=shown(value), hint="（整数）")
    return Bad("type-number", value=shown(value), hint="")


# 1.234,56 and 5.000,00 (European style), 12,5 (a decimal comma): never read as 1.23 or 125
_DECIMAL_COMMA = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d{1,2}")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
SUB_CENT_NOISE = Decimal("0.000001")  # a float sum in Excel (0.1 + 0.2) is not a typed fraction of a cent
_MONEY_STRIP = re.compile(r"^(人民币|RMB|CNY|¥|￥)|(元整|元|圆|块)$", re.IGNORECASE)
_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_LOWER_DIGITS = "〇一二三四五六七八九"
_CAPITAL_CHARS = set(_CAPITAL_DIGITS + _LOWER_DIGITS + "零两拾佰仟万亿元圆整正角分十百千")


def _parse_capitals(text: str) -> Decimal | None:
    """壹仟零伍拾元伍角 or 一千零五十元五角 -> Decimal('1050.50'). None when it is not
    an amount in Chinese numerals."""
    if not text or not set(text) <= _CAPITAL_CHARS:
        return None
    import cn2an  # half a CPU second to import: only for an amount written in Chinese numerals

    body = text.replace("整", "").replace("正", "").replace("圆", "元").replace("两", "二")
    body = body.translate(_TO_CAPITAL)
    jiao = fen = 0
    m = re.search(r"([零壹贰叁肆伍陆柒捌玖])角", body)
    if m:
        jiao = _CAPITAL_DIGITS.index(m.group(1))
    m = re.search(r"([零壹贰叁肆伍陆柒捌玖])分", body)
    if m:
        fen = _CAPITAL_DIGITS.index(m.group(1))
    yuan_text = body.split("元")[0] if "元" in body else ("" if ("角" in body or "分" in body) else body)
    yuan = 0
    if yuan_text:
        # 壹拾万零叁仟…: the 零 after 万/亿 before a full 仟 group is optional in writing
        yuan_text = re.sub(r"([万亿])零(?=[壹贰叁肆伍陆柒捌玖]仟)", r"\1", yuan_text)
        try:
            yuan = int(cn2an.cn2an(yuan_text, "strict"))
        except (ValueError, KeyError, TypeError):
            return None
    return Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100


_TO_CAPITAL = str.maketrans(_LOWER_DIGITS + "十百千", _CAPITAL_DIGITS + "拾佰仟")


def to_money(value, column: schema.Column):
    repaired = None
    if type(value) is float or type(value) is int:
        amount = Decimal(repr(value)) if type(value) is float else Decimal(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        if column.blank_words and (text in column.blank_words or value.strip() in column.blank_words):
            return ""
        if _DECIMAL_COMMA.fullmatch(_MONEY_STRIP.sub("", text)):
            return Bad("money-decimal-comma", value=shown(value),
                       normal=_MONEY_STRIP.sub("", text).replace(".", "").replace(",", "."))
        if "," in text and not _THOUSANDS.fullmatch(_MONEY_STRIP.sub("", text)):
            return Bad("type-money", value=shown(value))
        text = text.replace(",", "")
        capitals = _parse_capitals(re.sub(r"^(人民币|[¥￥])[:：]?", "", text))
        if capitals is not None:
            amount = capitals
            repaired = Fixed(None, "money-capitals", value=shown(value),
                             amount=str(capitals.quantize(CENT)))
        else:
            stripped = _MONEY_STRIP.sub("", text)
            stripped = _MONEY_STRIP.sub("", stripped)
            try:
                amount = Decimal(stripped)
            except InvalidOperation:
                return Bad("type-money", value=shown(value))
            if not amount.is_finite():
                return Bad("type-money", value=shown(value))
    else:
        return Bad("type-money", value=shown(value))
    if amount < 0:
        return Bad("money-negative", value=shown(value))
    if amount >= MONEY_LIMIT:
        return Bad("money-too-large", value=shown(value))
    rounded = amount.quantize(CENT)
    if rounded != amount and (type(value) is not float or abs(rounded - amount) > SUB_CENT_NOISE):
        return Bad("money-sub-cent", value=shown(value), normal=str(rounded))
    amount = rounded
    if repaired is not None:
        repaired.value = amount
        return repaired
    return amount


def to_rate(value, column: schema.Column):
    if type(value) is float or type(value) is int:
        rate = Decimal(repr(value)) if type(value) is float else Decimal(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        try:
            if text.endswith("%"):
                rate = Decimal(text[:-1]) / 100
            elif text.endswith("倍"):
                rate = Decimal(text[:-1])
            else:
                rate = Decimal(text)
        except InvalidOperation:
            return Bad("type-number", value=shown(value), hint="（如 80% 或 0.8）")
    else:
        return Bad("type-number", value=shown(value), hint="（如 80% 或 0.8）")
    if not rate.is_finite():
        return Bad("type-number", value=shown(value), hint="（如 80% 或 0.8）")
    if rate < 0:
        return Bad("type-number", value=shown(value), hint="（不能为负）")
    low, high = column.limits or (0, 10**6)
    if rate > high:
        if high == 1 and rate <= 100:  # 80 typed into a percent-formatted cell: 8000 %
            return Bad("rate-over-100", value=shown(value), percent=f"{rate.normalize():f}%",
                       as_percent=f"{(rate * 100).normalize():f}%")
        return Bad("number-out-of-range", value=shown(value), low=low, high=high)
    return rate


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


DATE_LOW_PERSON = date(1900, 1, 1)  # birth and join dates of the oldest family members
_PERSON_DATES = {"birth_date", "joined"}


def _check_range(d: date, value, column=None):
    low = DATE_LOW_PERSON if column is not None and column.key in _PERSON_DATES else DATE_LOW
    if d < low or d > DATE_HIGH:
        return Bad("date-out-of-range", value=shown(value), low=low.isoformat(), high=DATE_HIGH.isoformat())
    return d


def to_date(value, column: schema.Column):
    kind = type(value)
    if kind is date:
        return _check_range(value, value, column)
    if kind is datetime:
        return _check_range(value.date(), value, column)
    if kind is float or kind is int:
        if 1 <= value < 80000:  # an Excel serial number that was not formatted as a date
            return _check_range(EXCEL_EPOCH + timedelta(days=int(value)), value, column)
        text = str(int(value)) if float(value).is_integer() else ""
        if len(text) == 8:
            return to_date(text, column)
        return Bad("type-date", value=shown(value))
    if kind is time:
        return Bad("type-date", value=shown(value))
    if isinstance(value, str):
        text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).strip())  # linear from here on
        text = re.sub(r" ?([年月日号./-]) ?", r"\1", text)
        text = re.sub(r"\s+", " ", text)
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                y, mo, d = (int(g) for g in m.groups())
                try:
                    parsed = date(y, mo, d)
                except ValueError as err:
                    detail = "月份应为 1-12" if not 1 <= mo <= 12 else f"{y}年{mo}月没有{d}日"
                    return Bad("date-impossible", value=shown(value), detail=detail or str(err))
                return _check_range(parsed, value, column)
        return Bad("type-date", value=shown(value))
    return Bad("type-date", value=shown(value))


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "已签收", "已签", "签收", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "✘", "无", "未签收", "未签", "没有", "不"}


def to_bool(value, column: schema.Column):
    if type(value) is bool:
        return value
    if type(value) is float or type(value) is int:
        if value in (0, 1):
            return bool(value)
        return Bad("bool", value=shown(value))
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return Bad("bool", value=shown(value))


def _enum_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    table = {c: c for c in choices}
    for c in choices:
        table.setdefault(unicodedata.normalize("NFKC", c).replace(" ", ""), c)
    for word, choice in schema.CHOICE_SYNONYMS.items():  # 妻子 -> 配偶 where 配偶 is a choice
        if choice in choices:
            table.setdefault(word, choice)
    return table


_ENUM_TABLES: dict[tuple, dict] = {}


def match_choice(text: str, choices: tuple[str, ...]):
    """Exact, then spacing/width/traditional variants. Returns the choice or None."""
    table = _ENUM_TABLES.get(choices)
    if table is None:
        table = _ENUM_TABLES[choices] = _enum_lookup(choices)
    hit = table.get(text)
    if hit is not None:
        return hit
    norm = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    hit = table.get(norm)
    if hit is None:
        hit = table.get(to_simplified(norm))
    return hit


def suggest(text: str, choices, cutoff: float = 0.34) -> str | None:
    import difflib

    found = difflib.get_close_matches(text, list(choices), n=1, cutoff=cutoff)
    if found:
        return found[0]
    for c in choices:  # "恶性肿瘤(肺癌)" -> 恶性肿瘤
        if c and (c in text or text in c):
            return c
    return None


def enum_problem(value, choices) -> Bad:
    text = shown(value)
    near = suggest(str(value).strip(), choices)
    listed = "、".join(choices) if len(choices) <= 12 else "、".join(choices[:12]) + "等"
    return Bad("enum", value=text, suggestion=f"是不是“{near}”？" if near else "",
               choices=listed)


def to_enum(value, column: schema.Column):
    text = clean_text(value)
    if isinstance(text, Fixed):
        text = text.value
    hit = match_choice(text, column.choices)
    if hit is None:
        return enum_problem(text, column.choices)
    if hit != text and unicodedata.normalize("NFKC", text).replace(" ", "") != hit:
        return Fixed(hit, "enum-normalised", value=text, normal=hit)
    return hit


_SPLIT = re.compile(r"[、，,；;/\s]+")


def to_multi(value, column: schema.Column):
    text = clean_text(value)
    if isinstance(text, Fixed):
        text = text.value
    out = []
    for part in _SPLIT.split(text):
        if not part:
            continue
        hit = match_choice(part, column.choices)
        if hit is None:
            return enum_problem(part, column.choices)
        if hit not in out:
            out.append(hit)
    return tuple(out)


_PLAIN_IDNO = re.compile(r"[0-9]{17}[0-9X]")  # already normal: NFKC, upper() and the rest change nothing


def to_idno(value, column: schema.Column):
    if type(value) is str and _PLAIN_IDNO.fullmatch(value):
        return _idno_verdict(value)
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return Bad("idno-as-number", value=shown(value))
    if not isinstance(value, str):
        code, params = format_problem(shown(value))
        return Bad(code, **params)
    text = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", value)).replace(" ", "").upper()
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", text):
        return Bad("idno-as-number", value=text)
    if text.startswith("'"):
        text = text[1:]
    return _idno_verdict(text)


def _idno_verdict(text: str):
    verdict = check_id_number(text)
    if verdict is None:
        return text
    code, params = verdict
    if code == "idno-legacy":
        return Fixed(text, code, **params)
    return Bad(code, **params)


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")


def to_phone(value, column: schema.Column):
    if type(value) is str and _PLAIN_MOBILE.fullmatch(value):
        return value  # one mobile number, nothing to clean
    if isinstance(value, float):
        value = str(int(value)) if value.is_integer() else repr(value)
    text = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", str(value))).strip()
    parts = [p.strip() for p in re.split(r"[、,;/，；]+", text) if p.strip()]
    if not parts:
        return ""
    for part in parts:
        if not (_one_phone(part) or all(_one_phone(p) for p in part.split())):
            return Bad("phone-format", value=shown(part))
    return text


def _one_phone(part: str) -> bool:
    """One number as people write it: 138 0013 8000, +86 138-0013-8000, (0531) 8888-1234."""
    compact = re.sub(r"[\s\-.()]", "", part)
    compact = re.sub(r"^(\+?0{0,2}86)(?=1[3-9]\d{9}$)", "", compact)
    if _MOBILE.match(compact) or re.fullmatch(r"\d{5}", compact):
        return True
    landline = re.sub(r"^\((0\d{2,3})\)\s*", r"\1-", part.strip())
    return bool(_LANDLINE.match(re.sub(r"\s+", "-", landline)) or _LANDLINE.match(compact))


CONVERTERS = {
    schema.TEXT: to_text,
    schema.CODE: to_code,
    schema.INT: to_int,
    schema.MONEY: to_money,
    schema.RATE: to_rate,
    schema.DATE: to_date,
    schema.ENUM: to_enum,
    schema.MULTI: to_multi,
    schema.BOOL: to_bool,
    schema.IDNO: to_idno,
    schema.PHONE: to_phone,
}


_URL = re.compile(r"^https?://[A-Za-z0-9\-._~%\u00a0-\uffff]+(:[0-9]{1,5})?(/[A-Za-z0-9\-._~%!$&()*+,;=:@/\u00a0-\uffff]*)?$")


def site_url_fault(text: str) -> str | None:
    """Why a site address cannot be used in pages and QR codes, or None. It reaches HTML
    attributes and the MkDocs configuration, so only a plain http(s) address passes."""
    if _URL.match(text.strip()):
        return None
    return ("应是以 http:// 或 https:// 开头的完整网址，例如 https://gh.example.gov.cn/bangfu/，"
            "不能含空格、引号、尖括号等符号")
