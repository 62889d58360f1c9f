"""A fictional demo station: 示范镇总工会困难职工帮扶站.

    write_demo(Path("records"))          # the committed demo records
    bangfu demo-data records             # the same from the command line

The committed `records/*.xlsx` are made with `bangfu demo-data records`
(defaults: 200 workers, 600 payouts, seed 2026, today 2026-11-23); regenerate
them that way after changing this package. The same seed always gives the
same workbooks, byte for byte; `today` is fixed, never the real date.

Three years of records ending on `today`, all invented, valid under every
check (`bangfu check records --today 2026-11-23` reports nothing): workers
with their families, visits, payouts of every item in the station's policy,
disclosure batches (one running on `today`, one with an upheld objection and
its re-disclosure, objections about one person followed by a re-disclosure of
that case), funds with incomes and expenses. The situations of a real year are
there too: yearly reviews (one raised a family's income after it had been given
aid under the 低保 line), 生活救助 for 意外致困 households above the line, two
students of one family each given 金秋助学, a rejected and a withdrawn
application (counted nowhere), and next year's New Year holiday entered in
调休安排; a reception log; and what a station has open on `today` (see
worklist.py) so that `bangfu todo` shows a realistic list.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from .. import schema
from . import policy
from .aid import make_payouts
from .batches import batch_row, closure_rounds, make_objections, number_batches, objection_round, objection_row
from .funds import assign_funds, fund_rows, make_expenses, make_incomes, number_vouchers
from .people import make_workers
from .reviews import make_reviews, withdraw_one
from .schedule import build_calendar
from .visits import make_visits
from .worklist import leave_open, make_reception, reviews_due
from .writer import write_book

DEMO_TODAY = date(2026, 11, 23)


def build_demo(*, workers: int = 200, payouts: int = 600, seed: int = 2026,
               today: date | None = None) -> dict:
    """All demo tables: book key -> sheet key -> rows; plus 'settings'."""
    today = today or DEMO_TODAY
    rng = random.Random(seed)
    cal = build_calendar(today)
    lines = {row["year"]: row["amount"] for row in policy.dibao_lines(cal.first_year)}
    people = make_workers(rng, workers, cal, lines)
    upheld_in = objection_round(cal)
    paid = make_payouts(rng, people, cal, payouts, upheld_in)
    objections = make_objections(rng, cal, upheld_in)
    closure_rounds(cal, people)
    rounds = number_batches(cal)
    leave_open(paid, cal)
    visits = make_visits(rng, people, paid, cal)
    reviews_due(people, visits, cal)
    reviews = make_reviews(rng, people, paid, lines)
    withdraw_one(paid)
    reception = make_reception(seed, people, cal)
    assign_funds(rng, paid)
    expenses = make_expenses(rng, cal, workers)
    incomes, opening = make_incomes(cal, paid, expenses, workers)
    number_vouchers(incomes, expenses)
    members = [{"archive_no": w.archive_no, **m} for w in sorted(people, key=lambda w: w.archive_no)
               for m in w.members]
    return {
        "register": {"workers": sorted(people, key=lambda w: w.archive_no), "members": members,
                     "visits": visits, "reviews": reviews},
        "aid": {"payouts": paid, "batches": [batch_row(r) for r in rounds],
                "objections": [objection_row(o) for o in objections],
                "reception": reception},
        "funds": {"funds": fund_rows(cal, opening), "incomes": incomes, "expenses": expenses},
        "policy": {"categories": list(policy.CATEGORIES), "dibao_lines": list(policy.dibao_lines(cal.first_year)),
                   "items": list(policy.ITEMS), "calendar": list(policy.calendar_rows(today))},
        "settings": dict(policy.SETTINGS),
    }


def write_demo(out_dir: Path, *, workers: int = 200, payouts: int = 600, seed: int = 2026,
               today: date | None = None, force: bool = False) -> list[Path]:
    """Write the four demo workbooks into out_dir; returns their paths. Existing workbooks
    are replaced only with `force` (raises OutputRefused otherwise): they may be a station's."""
    from ..outputs import OutputRefused

    if not force:
        for book in schema.BOOKS:
            if (Path(out_dir) / book.filename).exists() or (Path(out_dir) / book.filename).is_symlink():
                raise OutputRefused(f"“{Path(out_dir) / book.filename}”已存在，未覆盖（它可能是本站的真实记录）。"
                                    "示范数据请写到一个新文件夹；如确需覆盖，请加 --force。")
        if Path(out_dir).exists() and not Path(out_dir).is_dir():
            raise OutputRefused(f"“{out_dir}”是一个文件，请换一个文件夹名。")
    today = today or DEMO_TODAY
    data = build_demo(workers=workers, payouts=payouts, seed=seed, today=today)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_book(out_dir / book.filename, book, data[book.key], data["settings"], stamp=today)
            for book in schema.BOOKS]


__all__ = ["write_demo", "build_demo", "DEMO_TODAY"]
