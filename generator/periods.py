"""Calendar quarters, the one period type of reports and fund figures.

    q = Quarter.of(date(2026, 5, 2))      # Quarter(2026, 2): q.start, q.end, q.code '2026Q2', q.zh
    parse_quarter("2026年第三季度")         # Quarter(2026, 3)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_ZH_Q = {1: "一", 2: "二", 3: "三", 4: "四"}
_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"^\s*(\d{4})\s*(?:年\s*第?|[-_/ ]?\s*[Qq])\s*([1-4一二三四])\s*(?:季度?)?\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        nxt = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)
        return nxt - timedelta(days=1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def zh(self) -> str:
        """2026年第三季度"""
        return f"{self.year}年第{_ZH_Q[self.number]}季度"

    @property
    def label(self) -> str:
        """第三季度 (within a year's table)"""
        return quarter_label(self.number)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def __contains__(self, day) -> bool:
        return day is not None and self.start <= day <= self.end


def quarter_label(number: int) -> str:
    """1 -> 第一季度"""
    return f"第{_ZH_Q[number]}季度"


def quarter_of(day: date) -> Quarter:
    return Quarter.of(day)


def parse_quarter(text: str) -> Quarter | None:
    """'2026Q3', '2026-Q3', '2026q3', '2026年第3季度', '2026年第三季度' -> Quarter; else None."""
    m = _QUARTER.match(text or "")
    return Quarter(int(m.group(1)), _ZH_DIGITS[m.group(2)]) if m else None


def latest_complete(today: date) -> Quarter:
    """The last quarter that ended before `today`."""
    return Quarter.of(today).previous()
