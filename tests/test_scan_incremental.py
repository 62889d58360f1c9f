"""The leak scan's values kept by table (privacy.NeedleCache): a rebuild goes through only the
tables that changed, and what it looks for is exactly what a full collect finds, in the same
order, each value named by the same record."""

import os
import stat

from generator.privacy import NeedleCache, collect

from private_station import MEMBERS, WORKERS, read_station


def test_kept_values_equal_a_full_collect_before_and_after_an_edit(tmp_path):
    members = [dict(m) for m in MEMBERS]
    members[1]["name"] = WORKERS[0]["name"]  # a spouse's name that is also a worker's name
    records = read_station(tmp_path / "a", tables={"members": members})
    kept = NeedleCache()
    first = collect(records, kept)
    assert first == collect(records) and kept.changed
    shared = [n for n in first if n.text == WORKERS[0]["name"]]
    assert len(shared) == 1 and "困难职工" in shared[0].where  # the first table names it

    path = tmp_path / "work" / "needles.pickle"
    kept.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # personal data: owner only
    again = NeedleCache.load(path)
    assert collect(records, again) == first and not again.changed  # nothing changed: nothing redone

    workers = [dict(w) for w in WORKERS]
    workers[0]["name"] = "单田芬"
    edited = read_station(tmp_path / "b", tables={"members": members, "workers": workers})
    kept_members = again.entries["members"][1]
    got = collect(edited, again)
    assert got == collect(edited)
    assert again.entries["members"][1] is kept_members  # the families were not gone through again
    moved = [n for n in got if n.text == WORKERS[0]["name"]]
    assert len(moved) == 1 and "家庭成员" in moved[0].where  # now the spouse's row names it


def test_an_unreadable_or_foreign_file_is_no_kept_values(tmp_path):
    path = tmp_path / "needles.pickle"
    path.write_bytes(b"not a pickle")
    assert NeedleCache.load(path).entries == {}
    assert NeedleCache.load(tmp_path / "missing.pickle").entries == {}
