"""The leak scan's values kept by table (privacy.NeedleCache): a rebuild goes through only the
tables that changed, and what it looks for is exactly what a full collect finds, in the same
order, each value named by the same record."""

import os
import stat
from decimal import Decimal as D

import openpyxl

from generator import keptfile, privacy, record_views, schema
from generator.privacy import NeedleCache, collect

from private_station import MEMBERS, PAYOUTS, VISITS, WORKERS, read_station


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
    folder = tmp_path / "work" / "needles"  # a file per table
    files = {f.stem: f for f in folder.iterdir()}
    assert set(files) == set(kept.entries) and "workers" in files
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700  # personal data: owner only
    assert {stat.S_IMODE(os.stat(f).st_mode) for f in files.values()} == {0o600}
    again = NeedleCache.load(path)
    assert again.entries == kept.entries
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
    for f in files.values():  # as if written long ago: a file written again gets a new time
        os.utime(f, ns=(1, 1))
    again.save(path)
    assert {name for name, f in files.items() if f.stat().st_mtime_ns != 1} == {"workers"}  # only the workers
    assert NeedleCache.load(path).entries == again.entries and collect(edited, NeedleCache.load(path)) == got


def test_an_unreadable_or_foreign_file_is_no_kept_values(tmp_path):
    path = tmp_path / "needles.pickle"
    (tmp_path / "needles").mkdir()
    (tmp_path / "needles" / "workers.pickle").write_bytes(b"not a pickle")
    keptfile.save(tmp_path / "needles" / "members.pickle", {"visits": ("k", [])})  # another table's values
    assert NeedleCache.load(path).entries == {}
    assert NeedleCache.load(tmp_path / "missing.pickle").entries == {}


def _fresh_holding(lines, needles):
    privacy._RUNS["texts"], privacy._RUNS["runs"] = None, {}
    got = privacy._holding(lines, needles)
    privacy._RUNS["texts"], privacy._RUNS["runs"] = None, {}
    return got


def test_runs_kept_between_scans_find_exactly_what_a_fresh_search_finds():
    names = [f"{s}{g}" for s in "王李张刘陈杨" for g in ("建国", "秀英", "桂兰", "志强")] + ["林芳", "周静"]
    ids = [f"3701021980{m:02d}1{d:02d}1X".lower() for m in range(1, 7) for d in range(10, 16)]
    mixed = ["人民路12号", "幸福里3栋201", "13800138000"]
    needles = [privacy.Needle(t, "姓名", f"困难职工第{i}行", is_name=len(t) <= 3)
               for i, t in enumerate(names + ids + mixed)]
    assert len(needles) > privacy.ADDED_MAX  # the kept runs serve the full searches
    lines = [f"{names[0]}申请临时救助，住人民路12号，电话13800138000", f"身份证{ids[3]}",
             f"走访{names[5]}和{names[25]}：幸福里3栋201", "两节送温暖 金额 1,000.00 元", "王建国王建"]
    first = privacy._holding(lines, needles)
    assert first == _fresh_holding(lines, needles)
    assert {n.text: sorted(at) for n, at in first.items()} == {
        names[0]: [0, 4], names[5]: [2], ids[3]: [1], "人民路12号": [0], "幸福里3栋201": [2], "13800138000": [0]}
    # the next scan: changed lines (most runs seen before, some new), the same values
    changed = [line.replace("1,000.00", "999.00") + f"，{names[7]}" for line in lines]
    assert privacy._holding(changed, needles) == _fresh_holding(changed, needles)
    # the same texts from other records: the hits name the records of this scan
    moved = [privacy.Needle(n.text, n.kind, "家庭成员第9行", is_name=n.is_name) for n in needles]
    privacy._holding(lines, needles)
    got = privacy._holding(lines, moved)
    assert got == _fresh_holding(lines, moved) and {n.where for n in got} == {"家庭成员第9行"}
    # a value gone and one added: a different set of texts is searched afresh
    fewer = moved[1:] + [privacy.Needle("赵小红", "姓名", "家庭成员第10行", is_name=True)]
    again = [*lines, "赵小红"]
    got = privacy._holding(again, fewer)
    assert got == _fresh_holding(again, fewer)
    assert moved[0] not in got and any(n.text == "赵小红" for n in got)


def test_kept_public_text_equals_a_fresh_one_and_follows_its_tables(tmp_path):
    """The station's public text (privacy.public_corpus) kept beside the values: taken back while
    its tables are unchanged (an edited family member's name does not go through the workers
    and payouts again), worked out again when one of them changed."""
    records = read_station(tmp_path / "a")
    kept = NeedleCache()
    first = privacy.public_corpus(records, kept=kept)
    assert first == privacy.public_corpus(records) and privacy.CORPUS in kept.entries
    path = tmp_path / "work" / "needles.pickle"
    kept.save(path)
    again = NeedleCache.load(path)
    held = again.entries[privacy.CORPUS][1]
    members = [dict(m) for m in MEMBERS]
    members[0]["name"] = "单田芬"
    edited = read_station(tmp_path / "b", tables={"members": members})
    assert privacy.public_corpus(edited, kept=again) == first and not again.changed
    assert again.entries[privacy.CORPUS][1] is held

    workers = [dict(w) for w in WORKERS]
    workers[0]["employer"] = "红星机械厂"
    moved = read_station(tmp_path / "c", tables={"workers": workers})
    got = privacy.public_corpus(moved, kept=again)
    assert got == privacy.public_corpus(moved) and "红星机械厂" in got and "红星机械厂" not in first
    assert again.changed and again.entries[privacy.CORPUS][1] is not held


def test_needles_carry_their_digest_through_the_kept_values(tmp_path):
    records = read_station(tmp_path / "a")
    kept = NeedleCache()
    got = collect(records, kept)
    assert got and all(n.key == privacy._value_key(n.text) for n in got)
    kept.save(tmp_path / "needles.pickle")
    back = collect(records, NeedleCache.load(tmp_path / "needles.pickle"))
    assert [(n, n.key) for n in back] == [(n, n.key) for n in got]


def _full_scan(site, records):
    """A leak scan of `site` from nothing, with the footprint it leaves (privacy.Footprint)."""
    cache, tables = privacy.FileCache(), {}
    scan = privacy.scan_site(site, records, [], cache, tables=tables)
    return scan, privacy.Footprint.take("site", records, tables, cache, scan)


def _fields(scan):
    return (scan.leaks, scan.files, scan.values, scan.skipped_public, scan.unscanned, scan.excused)


def test_a_footprint_judges_new_records_exactly_as_a_full_scan_of_the_same_site(tmp_path):
    """After an edit the site does not show, the site is carried unchanged: the footprint of its
    last passed scan gives the verdict a full scan gives (values counted as it counts them), and
    gives none (scan the site) when a new value stands anywhere in the site's text or a value the
    site holds changed its record."""
    site = tmp_path / "site"
    site.mkdir()
    # the school of a child is also a worker's public work unit: found on the page, excused
    (site / "index.html").write_text("<h1>2024年第一批帮扶公示</h1><p>单位：示范县第一中学</p><td>金额 300.00</td>",
                                     encoding="utf-8")
    workers = [dict(w) for w in WORKERS]
    workers[1]["employer"] = "示范县第一中学"
    base = {"workers": workers}
    scan, footprint = _full_scan(site, read_station(tmp_path / "a", tables=base))
    assert scan.ok and scan.skipped_public == 1 and footprint is not None

    def judged(folder, **tables):
        records = read_station(tmp_path / folder, tables={**base, **tables})
        full, _ = _full_scan(site, records)
        return footprint.judge(records), full

    visits = [dict(v) for v in VISITS]
    visits[0]["notes"] = "入户核实家庭收入，情况属实，建议继续帮扶"  # a note new since the scan
    got, full = judged("b", visits=visits)
    assert got is not None and _fields(got) == _fields(full) and full.values == scan.values + 1 - 1
    got, full = judged("c", visits=VISITS[1:])  # a visit deleted: its note is no longer looked for
    assert got is not None and _fields(got) == _fields(full) and full.values == scan.values - 1
    visits = [*VISITS, {**VISITS[0], "notes": "家中三人，收入属实"}]  # a note already looked for
    got, full = judged("d", visits=visits)
    assert got is not None and _fields(got) == _fields(full) and full.values == scan.values

    visits = [dict(v) for v in VISITS]
    visits[0]["notes"] = "2024年第一批帮扶公示"  # a note the site shows: a leak, found by the scan
    got, full = judged("e", visits=visits)
    assert got is None and not full.ok and [(l.file, l.kind) for l in full.leaks] == [("index.html", "情况记录或备注")]
    members = [dict(m) for m in MEMBERS]
    members[1]["school_or_employer"] = "示范县第二中学"  # the value the site holds is still another child's
    got, full = judged("f", members=members)
    assert got is not None and _fields(got) == _fields(full) and full.skipped_public == 1
    members = [{**m, "school_or_employer": "示范县第二中学"} if m.get("school_or_employer") else m for m in MEMBERS]
    got, full = judged("g", members=members)  # the value the site holds is gone from the families
    assert got is None and full.ok and full.skipped_public == 0


def test_a_footprint_is_taken_only_of_a_scan_that_passed(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>家中三人，收入属实</p>", encoding="utf-8")  # a visit note
    scan, footprint = _full_scan(site, read_station(tmp_path / "a"))
    assert not scan.ok and footprint is None


def test_a_damaged_or_foreign_footprint_file_is_no_footprint(tmp_path):
    path = tmp_path / "scan-footprint.pickle"
    path.write_bytes(b"\x80\x05not a pickle at all")
    assert keptfile.load_value(path, privacy.Footprint) is None
    keptfile.save(path, {"key": "a dict, not a footprint"})
    assert keptfile.load_value(path, privacy.Footprint) is None
    assert keptfile.load_value(tmp_path / "missing.pickle", privacy.Footprint) is None


PAGE_TEXTS = [
    ("index.html", "<p>张三&amp;李四 %E7%8E%8B%E4%BA%94</p>\n&#10;%0Aq\r\nr&amp\rs\n\n%E4%B8%AD&lt;%3C\u2028t\n"
                   "<p>张三&amp;李四 %E7%8E%8B%E4%BA%94</p>\n138-0013-8000&#x5f20;&#19977;"),
    ("assets/x.js", "var y = 1;\n%41&amp;\n赵六"), ("assets/x.css", "a{width:100%}\n"),
    ("notes.md", "电话 138 0013 8000\n&#x5f20;&#19977;%E6%9D%8E"), ("empty.html", ""),
    ("search/search_index.json", '{"docs": [{"location": "a/%E5%BC%A0", "title": "<b>张三</b>&amp;",'
                                 ' "text": "x<i\\n>y</i> 13800138000"},'
                                 ' {"n": 12, "text": "x<i\\n>y</i> 13800138000"}]}'),
    ("search/search_index.js", 'var __index = {"docs": [{"text": "&lt;b&gt;王五&lt;/b&gt; 100%"}]};'),
]


def test_a_page_read_line_by_line_gives_exactly_the_lines_of_its_whole_views():
    """privacy._plain_lines (the views of each raw line of a page, each string of a JSON file,
    kept between scans) equals file_lines over the views _texts takes of the whole file, in
    the same order, on a first and a later scan."""
    for _ in range(3):
        for rel, text in PAGE_TEXTS:
            data = text.encode("utf-8")
            name = rel.rsplit("/", 1)[-1]
            expected = privacy.file_lines([rel, *privacy._texts(name, data)])
            assert privacy._plain_lines(rel, name, data) == expected
        privacy._VIEWS[:], privacy._STRINGS[:] = [privacy._VIEWS[1], {}], [privacy._STRINGS[1], {}]
    assert "<p>张三&李四王五</p>" in privacy._plain_lines("a.html", "a.html", PAGE_TEXTS[0][1].encode())
    assert "xy13800138000" in privacy._plain_lines("i.json", "i.json", PAGE_TEXTS[-2][1].encode())
    # XML, SVG, compressed, PDF and zip files and JSON that does not parse are read whole (_texts)
    for name in ("sitemap.xml", "sitemap.xml.gz", "icon.svg", "x.pdf", "a.xlsx", "bad.json"):
        assert privacy._plain_lines(name, name, b"{") is None
    assert privacy._plain_lines("i.js", "i.js", b'var __index = {"a": ') is None


def test_serve_keeps_the_scan_caches_in_memory_until_their_files_change(tmp_path):
    """Under `bangfu serve` (privacy.keep_scans) the file cache and the values are taken from
    memory as this process saved them; a file changed on disk since is read again."""
    records = read_station(tmp_path / "a")
    path, kept_path = tmp_path / "scan.pickle", tmp_path / "needles.pickle"
    privacy.keep_scans(True)
    try:
        cache, needles = privacy.FileCache(), NeedleCache()
        collect(records, needles)
        cache.lines("index.html", b"<p>x</p>", "index.html")
        cache.save(path)
        needles.save(kept_path)
        assert privacy.FileCache.load(path) is cache and NeedleCache.load(kept_path) is needles
        on_disk = privacy.FileCache.load(path)
        assert on_disk is cache and on_disk.entries == cache.entries

        other = privacy.FileCache()
        other.lines("other.html", b"<p>y</p>", "other.html")
        other.save(tmp_path / "other.pickle")
        os.replace(tmp_path / "other.pickle", path)  # as another process (a `bangfu build`) writes it
        again = privacy.FileCache.load(path)
        assert again is not cache and set(again.entries) == set(other.entries)
        (privacy._needle_folder(kept_path) / "workers.pickle").write_bytes(b"damaged")
        reread = NeedleCache.load(kept_path)
        assert reread is not needles and "workers" not in reread.entries and "members" in reread.entries
    finally:
        privacy.keep_scans(False)
    assert privacy.FileCache.load(path) is not again  # outside serve: always from the disk



def _payouts(**changes):
    rows = [dict(p) for p in PAYOUTS]
    rows[0].update(changes)
    return rows


def _as_read(records, changed="payouts"):
    """`records` as a rebuild has them: the digests of the tables other than `changed` kept from
    the last read, without their columns' digests (record_views.column_digests)."""
    for table in record_views.TABLES:
        record_views.table_digest(records, table)
    blocks = records.__dict__["_block_digests"]
    for table in [t for t in blocks if t != changed]:
        del blocks[table]
    assert not changed or record_views.column_digests(records, changed)
    assert not record_views.column_digests(records, "workers")
    return records


def test_values_kept_by_their_columns_survive_a_payout_amount_and_still_fail_a_planted_leak(tmp_path):
    """A payout amount changes the payouts table but none of the columns its values to look for
    (and its part of the public text) are worked out from: they are taken back, equal to a full
    collect, not gone through again; a value of that table planted in a changed page, the
    search index or a workbook of the site still fails the scan. An edited payout name (a
    column looked for) or note is worked out again."""
    note = "患者需长期透析治疗"
    base = {"payouts": _payouts(note=note)}
    records = _as_read(read_station(tmp_path / "a", tables=base))
    kept = NeedleCache()
    collect(records, kept)
    privacy.public_corpus(records, kept=kept)
    path = tmp_path / "work" / "needles.pickle"
    kept.save(path)
    again = NeedleCache.load(path)
    values, corpus = again.entries["payouts"][1][1], again.entries[privacy.CORPUS][1][1]

    edited = _as_read(read_station(tmp_path / "b", tables={"payouts": _payouts(note=note, amount=D("350"))}))
    got = collect(edited, again)
    assert got == collect(edited) and [n.key for n in got] == [n.key for n in collect(edited)]
    assert again.entries["payouts"][1][1] is values  # not gone through again
    assert privacy.public_corpus(edited, kept=again) == privacy.public_corpus(edited)
    assert again.entries[privacy.CORPUS][1][1] is corpus
    assert again.changed  # kept again under the table's new digest: the next build takes them as they are
    again.save(path)
    assert collect(edited, NeedleCache.load(path)) == got

    where = edited.place("payouts", edited.payouts[0].row, "note")
    for name in ("funds.html", "search/search_index.json", "funds.xlsx"):  # each a site of its own
        site = tmp_path / "site" / name.replace("/", "-")
        (site / "search").mkdir(parents=True)
        (site / "index.html").write_text("<td>350.00</td>", encoding="utf-8")
        if name.endswith(".html"):
            (site / name).write_text(f"<td>350.00</td><td>{note}</td>", encoding="utf-8")
        elif name.endswith(".json"):
            (site / name).write_text('{"docs": [{"location": "funds/", "text": "' + note + '"}]}', encoding="utf-8")
        else:
            book = openpyxl.Workbook()
            book.active["B2"] = note
            book.save(site / name)
        scan = privacy.scan_site(site, edited, [], privacy.FileCache(), NeedleCache.load(path))
        assert [(leak.file, leak.kind, leak.where) for leak in scan.leaks] == [
            (name, privacy.KIND_ZH[schema.S_NOTE], f"{where['file']} 工作表“{where['sheet']}” {where['cell']}")]

    for folder, changes in (("c", {"name": "赵小红"}), ("d", {"note": "家中老人卧床"})):
        renamed = read_station(tmp_path / folder, tables={"payouts": _payouts(**changes)})
        fresh = NeedleCache.load(path)
        got = collect(renamed, fresh)
        assert got == collect(renamed) and fresh.entries["payouts"][1][1] is not values
        assert any(n.text == next(iter(changes.values())) for n in got)


def test_a_footprint_from_the_kept_entries_equals_one_worked_out_afresh(tmp_path):
    """Footprint.take with the entries NeedleCache worked out when it kept each table's values
    (NeedleCache.blobs) keeps exactly what it keeps without them."""
    records = read_station(tmp_path / "a")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>2024年第一批帮扶公示</p>", encoding="utf-8")
    kept = NeedleCache()
    cache, tables = privacy.FileCache(), {}
    scan = privacy.scan_site(site, records, [], cache, kept, tables=tables)
    kept.save(tmp_path / "needles.pickle")
    again = NeedleCache.load(tmp_path / "needles.pickle")
    taken = {}
    collect(records, again, taken)
    blobs = again.blobs(taken)
    assert set(blobs) == set(tables) and not again.changed
    assert privacy.Footprint.take("k", records, taken, cache, scan, blobs) == \
        privacy.Footprint.take("k", records, tables, cache, scan)
    # a kept table's values made into Needles again give the very entries kept with them
    workers = taken["workers"]
    assert privacy.ValueTable.of([workers.needle(i) for i in range(len(workers.texts))]).blob == workers.blob


def test_values_kept_by_a_fresh_build_survive_the_first_payout_amount(tmp_path, monkeypatch):
    """A fresh build has no column digests at hand (record_views.column_digests): the values and
    the public text it keeps are keyed by their columns all the same (digested by the scan), so
    the rebuild after the first payout amount takes them back instead of going through the
    100,000 payouts again; the digests worked out by the scan equal the reader's."""
    monkeypatch.setattr(record_views, "BLOCK", 2)  # several blocks in a small station
    records = _as_read(read_station(tmp_path / "a", tables={"payouts": _payouts()}), changed="")
    assert not record_views.column_digests(records, "payouts")
    kept = NeedleCache()
    collect(records, kept)
    privacy.public_corpus(records, kept=kept)
    path = tmp_path / "work" / "needles.pickle"
    kept.save(path)
    again = NeedleCache.load(path)
    values, corpus = again.entries["payouts"][1][1], again.entries[privacy.CORPUS][1][1]
    edited = _as_read(read_station(tmp_path / "b", tables={"payouts": _payouts(amount=D("350"))}))
    assert collect(edited, again) == collect(edited) and again.entries["payouts"][1][1] is values
    assert privacy.public_corpus(edited, kept=again) == privacy.public_corpus(edited)
    assert again.entries[privacy.CORPUS][1][1] is corpus
    columns = privacy._needle_columns("payouts", False)
    assert privacy._own_column_digests(edited.payouts, columns) == {
        c: record_views.column_digests(edited, "payouts")[c] for c in columns}
    assert privacy._own_column_digests([], columns) is None


def _needles_one_by_one(records, sheet, rows, full: bool, normalised: dict) -> list:
    """privacy._table_needles as it was, looking each needle's record up with records.place."""
    found: dict = {}
    for column in sheet.columns:
        minimum = privacy._min_length(column, full)
        if minimum is None:
            continue
        done: set = set()
        for rec in rows:
            value = getattr(rec, column.key, None)
            if not isinstance(value, str) or not value or value in done:
                continue
            done.add(value)
            norm = normalised.setdefault(value, privacy.normalise(value))
            texts = {norm}
            if column.sensitive in privacy.NUMBERS:
                texts = {privacy._number(norm)}
            elif column.sensitive == schema.S_ADDRESS:
                texts.update(privacy.address_tails(norm))
            for text in texts:
                if len(text) < minimum or text in found:
                    continue
                place = records.place(sheet.key, rec.row, column.key)
                where = f"{place['file']} 工作表“{place['sheet']}” {place['cell'] or ''}".strip()
                is_name = column.sensitive == schema.S_NAME or column.key == "name"
                found[text] = privacy.Needle(text, privacy.KIND_ZH[column.sensitive], where, column.sensitive,
                                             is_name)
    return list(found.values())


def test_values_named_per_column_are_those_named_one_by_one(tmp_path):
    """Every table's needles (text, kind, where with its cell, flags, order) as records.place
    names each one, with full names searched or not, and for a table without places."""
    records = read_station(tmp_path / "a")
    for full in (False, True):
        for _, sheet in schema.all_sheets():
            rows = getattr(records, sheet.key, None)
            if not rows or sheet.settings:
                continue
            want = _needles_one_by_one(records, sheet, rows, full, {})
            got = privacy._table_needles(records, sheet, rows, full, {})
            assert [(n.text, n.kind, n.where, n.sensitive, n.is_name, n.key) for n in got] == \
                [(n.text, n.kind, n.where, n.sensitive, n.is_name, n.key) for n in want], sheet.key
            assert all(n.where.endswith(tuple("0123456789")) for n in got)  # with the cell
            places = records.places
            records.places = {k: v for k, v in places.items() if k != sheet.key}  # no place known
            try:
                bare = privacy._table_needles(records, sheet, rows, full, {})
                assert [n.where for n in bare] == [n.where for n in _needles_one_by_one(records, sheet, rows, full, {})]
            finally:
                records.places = places
