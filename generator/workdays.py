"""Working days on the official Chinese calendar (holidays and 调休 make-up days).

`chinesecalendar` knows the State Council schedule up to the year it was
released for and raises NotImplementedError beyond it. For such a year the
station can enter the official schedule in 帮扶政策.xlsx/调休安排; without it we
count Monday to Friday and remember the year, so the caller can warn
(`calendar-unknown`) instead of crashing or silently passing.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

# 春节 (the first day of the lunar year), for the 两节 season.
SPRING_FESTIVAL = {date(*d).year: date(*d) for d in (
    (2020, 1, 25), (2021, 2, 12), (2022, 2, 1), (2023, 1, 22), (2024, 2, 10), (2025, 1, 29),
    (2026, 2, 17), (2027, 2, 6), (2028, 1, 26), (2029, 2, 13), (2030, 2, 3), (2031, 1, 23),
    (2032, 2, 11), (2033, 1, 31), (2034, 2, 19), (2035, 2, 8))}


def spring_festival(year: int) -> date | None:
    """The date of 春节 in a year (None outside the table)."""
    return SPRING_FESTIVAL.get(year)


class WorkCalendar:
    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = dict(overrides or {})
        self.entered_years = {d.year for d in self.overrides}
        self.unknown_years: set[int] = set()
        self._cache: dict[date, bool] = {}
        self._years: dict[int, list[int]] = {}  # running working-day counts (see _year)

    @classmethod
    def from_records(cls, records) -> WorkCalendar:
        return cls({d.date: d.kind == "工作日" for d in records.calendar if d.date and d.kind})

    def is_workday(self, day: date) -> bool:
        hit = self._cache.get(day)
        if hit is not None:
            return hit
        if day in self.overrides:
            result = self.overrides[day]
        elif day.year in self.entered_years:
            result = day.weekday() < 5
        else:
            try:
                result = chinese_calendar.is_workday(day)
            except NotImplementedError:
                self.unknown_years.add(day.year)
                result = day.weekday() < 5
        self._cache[day] = result
        return result

    def knows(self, year: int) -> bool:
        """Is the year's official schedule known (entered by the station or in the package)?"""
        if year in self.entered_years:
            return True
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start).

        From running counts kept per year (built once per year, day by day through
        is_workday, so a year the package does not know is noted just as counting day by day
        noted it): a 20,000-worker station asks this for every step of 100,000 cases."""
        if end <= start:
            return 0
        year = start.year
        if start.month == 12 and start.day == 31:  # nothing of this year is counted
            year += 1
            before = 0
            first = self._year(year)
        else:
            first = self._year(year)
            before = first[start.toordinal() - first[0] + 2]
        if end.year == year:
            return first[end.toordinal() - first[0] + 2] - before
        last = self._year(end.year)
        middle = sum(self._year(y)[-1] for y in range(year + 1, end.year))
        return first[-1] - before + middle + last[end.toordinal() - last[0] + 2]

    def _year(self, year: int) -> list[int]:
        """[ordinal of 1 January, then at index 1 + k the working days among the year's
        first k days (0 at index 1, the whole year's count last)]."""
        counts = self._years.get(year)
        if counts is None:
            day, step = date(year, 1, 1), timedelta(days=1)
            counts = [day.toordinal(), 0]
            while True:
                counts.append(counts[-1] + self.is_workday(day))
                if day.month == 12 and day.day == 31:
                    break
                day += step
            self._years[year] = counts
        return counts

    def _count(self, start: date, end: date) -> int:
        """Day by day (the reference the running counts are tested against)."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            if self.is_workday(day):
                count += 1
            day += timedelta(days=1)
        return count

    def add_working_days(self, start: date, days: int) -> date:
        day = start
        while days > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                days -= 1
        return day
