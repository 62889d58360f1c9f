"""Working days on the official calendar: the running per-year counts equal counting day by day,
across year ends, into 2027 (which the package does not know yet) and before 2004."""

from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from generator.workdays import WorkCalendar


def test_national_day_2026_and_its_make_up_days():
    cal = WorkCalendar()
    # 10-01..10-07 off, 10-08 (Thu) and 10-09 (Fri) worked, Saturday 10-10 a make-up working day
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    # Sunday 09-20 is a make-up working day: 09-18 (Fri) .. 09-21 (Mon) counts 09-20 and 09-21
    assert cal.working_days_between(date(2026, 9, 18), date(2026, 9, 21)) == 2
    assert cal.working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == 0
    assert cal.working_days_between(date(2026, 5, 6), date(2026, 5, 6)) == 0
    assert cal.unknown_years == set()


def test_a_range_into_2027_counts_monday_to_friday_there_and_notes_the_year():
    cal = WorkCalendar()
    # 2026-12-31 (Thu) is worked; 2027-01-01 (Fri) counts as a weekday without the official schedule
    assert cal.working_days_between(date(2026, 12, 30), date(2027, 1, 4)) == 3
    assert cal.unknown_years == {2027}
    entered = WorkCalendar({date(2027, 1, 1): False})  # the station entered 元旦 2027
    assert entered.working_days_between(date(2026, 12, 30), date(2027, 1, 4)) == 2
    assert entered.unknown_years == set()


def test_a_year_is_noted_only_when_one_of_its_days_is_counted():
    cal = WorkCalendar()
    assert cal.working_days_between(date(2003, 12, 31), date(2004, 1, 5)) == 2  # 01-01 元旦; 01-02 and 01-05
    assert cal.unknown_years == set()  # 2003-12-31 itself is not counted
    assert cal.working_days_between(date(2026, 12, 31), date(2026, 12, 31)) == 0
    assert cal.working_days_between(date(2026, 11, 20), date(2026, 12, 31)) == 29
    assert cal.unknown_years == set()


days = st.dates(date(2002, 6, 1), date(2028, 6, 30))
near_year_end = st.builds(lambda y, d: date(y, 12, 20) + timedelta(days=d), st.integers(2002, 2027),
                          st.integers(0, 25))


@settings(max_examples=60, deadline=None)
@given(st.one_of(days, near_year_end), st.integers(-5, 500),
       st.dictionaries(st.dates(date(2026, 12, 1), date(2027, 2, 28)), st.booleans(), max_size=6))
def test_running_counts_equal_counting_day_by_day(start, length, overrides):
    end = start + timedelta(days=length)
    fast, slow = WorkCalendar(overrides), WorkCalendar(overrides)
    assert fast.working_days_between(start, end) == slow._count(start, end)
    assert fast.unknown_years == slow.unknown_years
    # asked again (from the counts kept), the other way round, and a range inside
    assert fast.working_days_between(start, end) == slow._count(start, end)
    assert fast.working_days_between(end, start) == slow._count(end, start)
    inner = start + timedelta(days=length // 3)
    assert fast.working_days_between(inner, end) == slow._count(inner, end)
