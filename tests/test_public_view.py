"""The public side reads the records through site/public.py's view: the tables it may not
read raise AttributeError, and the view's fingerprint follows exactly the tables it exposes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from generator.reading import read_records
from generator.site import render_site
from generator.site.public import PUBLIC_TABLES, WITHHELD, fingerprint, public_view

from station import write_station


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    folder = tmp_path_factory.mktemp("station") / "records"
    write_station(folder)
    return read_records(folder).records


def test_withheld_tables_and_their_indices_cannot_be_read(records):
    view = public_view(records)
    assert set(WITHHELD) == {"members", "visits", "reception", "calendar", "escalation", "places"}
    for name in WITHHELD:
        with pytest.raises(AttributeError, match=f"does not read records.{name}"):
            getattr(view, name)
    for index in ("members_by_worker", "visits_by_worker"):
        with pytest.raises(AttributeError):
            getattr(view, index)
    for name in PUBLIC_TABLES:
        assert getattr(view, name) is getattr(records, name)  # the same objects, no copies
    assert records.visits and records.members  # the full records are untouched
    assert "visits" not in repr(view) and "payouts" in repr(view)


def test_the_site_renders_from_the_view_alone(records):
    docs, info = render_site(public_view(records), date(2026, 11, 23))
    full, _ = render_site(records, date(2026, 11, 23))
    assert docs.page_count == full.page_count > 0
    assert docs.digest() == full.digest()


def test_fingerprint_follows_exactly_the_public_tables(records):
    base = fingerprint(public_view(records))
    assert fingerprint(public_view(replace(records))) == base
    visit = replace(records.visits[0], notes="另一条走访记录")
    assert fingerprint(public_view(replace(records, visits=[visit]))) == base
    assert fingerprint(public_view(replace(records, members=records.members[:1]))) == base
    payout = replace(records.payouts[0], amount=records.payouts[0].amount - 1)
    assert fingerprint(public_view(replace(records, payouts=[payout, *records.payouts[1:]]))) != base
    for name in PUBLIC_TABLES[1:]:  # every public table the station fills is in the fingerprint
        if not getattr(records, name):
            continue
        assert fingerprint(public_view(replace(records, **{name: []}))) != base, name
    settings = replace(records.settings, station_name="另一个站")
    assert fingerprint(public_view(replace(records, settings=settings))) != base


def test_stable_bytes_depend_on_values_not_on_sharing(records):
    import pickle
    from decimal import Decimal

    from generator.record_views import stable_bytes

    payouts = records.payouts
    copied = pickle.loads(pickle.dumps(payouts))  # equal records, none of their values shared
    assert copied == payouts and copied[0] is not payouts[0]
    assert stable_bytes((payouts, payouts[0])) == stable_bytes((copied, copied[1 - 1]))
    name = "张晓明"
    assert stable_bytes((name, "".join(["张", "晓明"]))) == stable_bytes((name, name))
    # unequal values of the kinds records hold give unequal bytes
    for a, b in [(Decimal("1.0"), Decimal("1.00")), ([1], (1,)), (date(2026, 1, 1), date(2026, 1, 1).toordinal()),
                 (1, True), (1, 1.0), (None, ""), (payouts[0], replace(payouts[0], row=payouts[0].row + 1))]:
        assert stable_bytes(a) != stable_bytes(b), (a, b)


def test_table_bytes_tell_every_changed_cell_apart(records):
    """Column by column, a table's bytes change exactly when a row's stable_bytes do."""
    from generator.record_views import stable_bytes, table_bytes

    payouts = records.payouts
    base = table_bytes(payouts)
    assert table_bytes(list(payouts)) == base and table_bytes(payouts[:1]) != base
    first = payouts[0]
    changes = [{"amount": first.amount + 0}, {"amount": first.amount.quantize(Decimal("0.001"))},
               {"paid": None}, {"paid": date(2030, 1, 1)}, {"name": (first.name or "") + " "},
               {"row": first.row + 1}, {"batch": None}, {"batch": "GS-X"}, {"signed": not first.signed}]
    for change in changes:
        changed = replace(first, **change)
        same_row = stable_bytes(changed) == stable_bytes(first)
        assert (table_bytes([changed, *payouts[1:]]) == base) == same_row, change
    assert sum(stable_bytes(replace(first, **c)) != stable_bytes(first) for c in changes) >= len(changes) - 2
