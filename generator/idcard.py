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
_PLAIN18 = re.compile(r"[0-9]{17}[0-9X]")  # ASCII digits: the common case, checked without int()
_ASCII_ZERO_SUM = ord("0") * sum(_WEIGHTS)  # what the weighted sum of byte codes adds over the digits'
BORN_LOW, BORN_HIGH = date(1900, 1, 1), date(2100, 1, 1)


def check_digit(first17: str) -> str:
    if first17.isascii():  # byte codes minus 48 are the digits: no int() per digit
        return _CHECK[(sum(map(mul, first17.encode(), _WEIGHTS)) - _ASCII_ZERO_SUM) % 11]
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


_BORN: dict[str, date | None] = {}  # digits 7-14 -> the date they make: a station has a few thousand


def birth_date(number: str) -> date | None:
    if len(number) == 18:
        digits = number[6:14]
        try:
            return _BORN[digits]
        except KeyError:
            pass
        if len(_BORN) > 50_000:
            _BORN.clear()
        try:
            born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            born = None
        _BORN[digits] = born
        return born
    try:
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
    if not _PLAIN18.fullmatch(number):  # the usual shape needs neither test below
        if _ID15.match(number):
            if birth_date(number) is None:
                return format_problem(number, "其中的出生日期不存在")
            return "idno-legacy", {"value": number}
        if not _ID18.match(number):
            detail = f"应为 18 位，现在是 {len(number)} 位" if len(number) != 18 else \
                "前 17 位应为数字，最后一位为数字或 X"
            return format_problem(number, detail)
    born = birth_date(number)
    if born is None or not BORN_LOW <= born <= BORN_HIGH:
        return format_problem(number, "其中的出生日期（第 7-14 位）不存在")
    expected = check_digit(number[:17])
    if expected != number[17]:
        return "idno-checksum", {"value": number, "expected": expected}
    return None


# int(first 17 digits, 13) is congruent mod 11 to the digits weighted by 2**(16 - i): the
# weights above are 2**(17 - i) mod 11, so the weighted sum is twice it (13 = 2 mod 11)
_CHECK_BY_BASE13 = tuple(_CHECK[2 * k % 11] for k in range(11))


def all_valid(numbers) -> bool:
    """Whether check_id_number finds every one of `numbers` valid, for numbers of 18
    characters, each an ASCII digit or X (the reader's whole-column test; anything else is
    False): the check digits of all of them compared in one step, each birth date once."""
    try:
        expected = "".join([_CHECK_BY_BASE13[int(n[:17], 13) % 11] for n in numbers])
    except ValueError:  # an X among the first 17
        return False
    if expected != "".join([n[17] for n in numbers]):
        return False
    born = {n[6:14]: n for n in numbers}.values()
    return all(d is not None and BORN_LOW <= d <= BORN_HIGH for d in map(birth_date, born))


def mask(number: str) -> str:
    """First 6 and last 4 kept: for private messages that must still not echo the number."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
