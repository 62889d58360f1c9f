"""The check's fast paths give exactly what the plain code gives: records built through
`records.maker`, identity numbers judged by the 18-digit fast path, sheet XML searched for
formula and error markers piece by piece."""

from __future__ import annotations

import pickle
import zipfile
from dataclasses import FrozenInstanceError, fields, replace
from datetime import date
from decimal import Decimal

import pytest

from generator import idcard
from generator.ledger import Movement
from generator.reading.badcells import _has_markers, _holds_marker
from generator.record_types import RECORD_CLASSES, Payout, Worker
from generator.records import maker


def _values(cls) -> list:
    return [f"v{i}" for i, _ in enumerate(fields(cls))]


@pytest.mark.parametrize("cls", [*RECORD_CLASSES.values(), Movement], ids=lambda c: c.__name__)
def test_maker_builds_the_same_frozen_record(cls):
    values = _values(cls)
    made, plain = maker(cls)(*values), cls(*values)
    assert maker(cls) is not cls  # the fast twin, not the class itself
    assert type(made) is cls and made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
    with pytest.raises(FrozenInstanceError):
        made.row = 1  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(made)) == plain
    assert replace(made, row=7) == replace(plain, row=7)


def test_maker_of_a_class_it_cannot_copy_is_the_class():
    class Open:  # no slots: nothing to copy the layout of
        def __init__(self, a):
            self.a = a

    assert maker(Open) is Open


def test_records_read_are_made_by_the_maker(tmp_path):
    """A real read: every record is of its own class (not the twin) and equal to one built plainly."""
    from generator.reading import read_records

    from station import write_station

    folder = write_station(tmp_path)
    records = read_records(folder).records
    for rec in [*records.workers, *records.payouts]:
        assert type(rec) in (Worker, Payout)
        assert rec == type(rec)(*(getattr(rec, f.name) for f in fields(rec)))


def _number(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)))
    return first17 + "10X98765432"[total % 11]


@pytest.mark.parametrize(("number", "verdict"), [
    (_number("11010519491231002"), None),
    ("11010519491231002X", None),  # GB 11643's own example
    ("110105194912310021", ("idno-checksum", {"value": "110105194912310021", "expected": "X"})),
    ("110105194902300021", ("idno-format", {"value": "110105194902300021",
                                            "detail": "其中的出生日期（第 7-14 位）不存在"})),
    ("110105189912310021", ("idno-format", {"value": "110105189912310021",
                                            "detail": "其中的出生日期（第 7-14 位）不存在"})),
    ("110105491231002", ("idno-legacy", {"value": "110105491231002"})),
    ("１１０１０５１９４９１２３１００２X", None),  # full-width digits: the slow path, same verdict
    ("11010519491231002x", ("idno-format", {"value": "11010519491231002x",
                                            "detail": "前 17 位应为数字，最后一位为数字或 X"})),
])
def test_identity_number_verdicts(number, verdict):
    assert idcard.check_id_number(number) == verdict


def test_check_digit_and_birth_date():
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.check_digit("１１０１０５１９４９１２３１００２") == "X"  # not ASCII: digit by digit
    assert idcard.birth_date("11010519491231002X") == date(1949, 12, 31)
    assert idcard.birth_date("11010519491231002X") == date(1949, 12, 31)  # memoised, same answer
    assert idcard.birth_date("110105194902300021") is None
    assert idcard.birth_date("110105491231002") == date(1949, 12, 31)


def test_all_valid_agrees_with_check_id_number_one_by_one():
    """idcard.all_valid (the reader's whole-column test) is True exactly when check_id_number
    finds every number valid: every check digit, wrong ones, X in the body, dates that do not
    exist or are out of range, and mixes of them."""
    import random

    rng = random.Random(17)
    valid = []
    for _ in range(3000):
        first = (f"{rng.randrange(10**6):06d}{rng.randint(1890, 2110):04d}{rng.randint(0, 13):02d}"
                 f"{rng.randint(0, 32):02d}{rng.randrange(1000):03d}")
        valid.append(first + idcard.check_digit(first))
    wrong = [n[:17] + rng.choice([c for c in "0123456789X" if c != n[17]]) for n in valid[:300]]
    body_x = [n[:5] + "X" + n[6:] for n in valid[:50]]
    numbers = valid + wrong + body_x
    assert {n[17] for n in valid} == set("0123456789X")  # every check digit, X included
    for number in numbers:
        assert idcard.all_valid({number}) is (idcard.check_id_number(number) is None), number
    good = {n for n in numbers if idcard.check_id_number(n) is None}
    assert len(good) > 1000 and idcard.all_valid(good) and idcard.all_valid(set())
    for bad in sorted(set(numbers) - good)[:200]:
        assert idcard.all_valid(good | {bad}) is False


@pytest.mark.parametrize(("xml", "found"), [
    (b'<c r="A1" t="n"><v>1</v></c>', False),
    (b'<c r="A1"><f>B1*2</f></c>', True),
    (b'<c r="A1" t="e"><v>#REF!</v></c>', True),
    (b'<c r="A1" t="inlineStr"><is><t>fff of fun</t></is></c>', False),  # "f" without "<"
    (b"<c><is><t>" + b"f" * 1000 + b"</t></is></c><c><f>1</f></c>", True),  # many "f"s: plain search
    (b"<c><is><t>" + b"f" * 1000 + b"</t></is></c>", False),
    (b"f<c/>", False),  # "f" first: nothing before it
    *((b"x" + b"f" * n + b"<f>1</f>", True) for n in (254, 255, 256, 257, 300)),  # found past _FEW "f"s
    *((b"x" + b"f" * n + b"<c>f</c>", False) for n in (254, 255, 256, 257, 300)),
])
def test_markers(xml, found):
    assert _holds_marker(xml) is found
    pad = b"<c>" * 5
    assert _holds_marker(pad + xml + pad, len(pad), len(pad) + len(xml)) is found  # within a range
    assert _holds_marker(b'<f>1</f>t="e"' + xml + b'<f>1</f>t="e"', 13, 13 + len(xml)) is found  # not past it


@pytest.mark.parametrize("marker", [b"<f>1</f>", b't="e"'])
@pytest.mark.parametrize("cut", range(1, 6))
def test_a_marker_cut_between_two_pieces_is_found(tmp_path, monkeypatch, marker, cut):
    import generator.reading.badcells as badcells

    monkeypatch.setattr(badcells, "_CHUNK", 64)
    at = 64 - cut  # the marker starts `cut` bytes before the end of the first piece
    xml = b"x" * at + marker + b"y" * 200
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("s.xml", xml)
        zf.writestr("t.xml", b"x" * 500)
    with zipfile.ZipFile(path) as zf:
        assert (_has_markers(zf, "s.xml"), _has_markers(zf, "t.xml")) == (True, False)


def test_movement_keeps_its_sign():
    m = maker(Movement)("基金", date(2026, 1, 5), "payout", "助学", Decimal("100.00"), "payouts", 3)
    assert (m.delta, m.inflow, m.before(date(2026, 1, 6))) == (Decimal("-100.00"), False, True)
