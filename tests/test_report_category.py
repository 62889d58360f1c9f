"""report.category_at and Records.review_at: the 困难类别 of records.figures_at, without the other figures."""

from __future__ import annotations

from datetime import timedelta

from generator.private import report
from generator.reading import read_records

from private_station import demo_records_dir


def test_category_at_is_the_figures_category(tmp_path_factory):
    records = read_records(demo_records_dir(tmp_path_factory)).records
    assert records.reviews  # the station's annual reviews change categories over time
    days = {None}
    for r in records.reviews:
        days |= {r.date, r.date - timedelta(days=1), r.date + timedelta(days=1)}
    for w in records.workers:
        days |= {w.registered, w.closed}
    checked = 0
    for w in records.workers:
        for day in days:
            assert report.category_at(records, w, day) == records.figures_at(w, day).category
            checked += 1
    assert checked > 100
    changed = {w.archive_no for w in records.workers for r in records.reviews_by_worker.get(w.archive_no, ())
               if r.category != w.category}
    assert changed  # a review that moved a worker to another category is among those compared


def test_review_at_is_the_latest_review_on_or_before_the_day(tmp_path_factory):
    """Records.review_at: the one place of the rule figures_at and category_at both follow."""
    records = read_records(demo_records_dir(tmp_path_factory)).records
    checked = 0
    for w in records.workers:
        history = records.reviews_by_worker.get(w.archive_no, ())
        assert records.review_at(w, None) is None
        for r in history:
            for day in (r.date - timedelta(days=1), r.date, r.date + timedelta(days=1)):
                expected = [x for x in history if x.date <= day]
                assert records.review_at(w, day) is (expected[-1] if expected else None)
                figures = records.figures_at(w, day)
                assert figures.from_review is bool(expected)
                checked += 1
    assert checked > 10
