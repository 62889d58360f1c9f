"""Resident identity numbers (GB 11643-1999): format, birth date, check digit."""

from __future__ import annotations

import re
from datetime import date
from operator import mul

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"idno-checksum", "idno-format", "idno-legacy"})

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def birth_date(number: str) -> date | None:
    try:
        if len(number) == 18:
            return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        if len(number) == 15:
            return date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return None
    return None


def sex(number: str) -> str | None:
    digit = number[16] if len(number) == 18 else number[14] if len(number) == 15 else None
    if digit is None or not digit.isdigit():
        return None
    return "男" if int(digit) % 2 else "女"


def format_problem(value: str, detail: str = "应为 18 位数字（最后一位可为 X）"):
    """(problem code, message params) for a value that is not an identity number at all."""
    return "idno-format", {"value": value, "detail": detail}


def check_id_number(number: str):
    """None when valid; otherwise (problem code, message params)."""
    if _ID15.match(number):
        if birth_date(number) is None:
            return format_problem(number, "其中的出生日期不存在")
        return "idno-legacy", {"value": number}
    if not _ID18.match(number):
        detail = f"应为 18 位，现在是 {len(number)} 位" if len(number) != 18 else \
            "前 17 位应为数字，最后一位为数字或 X"
        return format_problem(number, detail)
    born = birth_date(number)
    if born is None or not date(1900, 1, 1) <= born <= date(2100, 1, 1):
        return format_problem(number, "其中的出生日期（第 7-14 位）不存在")
    expected = check_digit(number[:17])
    if expected != number[17]:
        return "idno-checksum", {"value": number, "expected": expected}
    return None


def mask(number: str) -> str:
    """First 6 and last 4 kept: for private messages that must still not echo the number."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
