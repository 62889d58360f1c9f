"""A DuckDB store over many stations' records, for the network's SQL (crosscheck, escalation).

Each station's rows are written once into a folder of its own (`write_station_tables`): one
Parquet file per table, holding no station key, so a cache can keep the folder under the
workbooks' content hash and reuse it whatever the station is called in a later merge (the
files depend on the workbooks alone: not on the day of the merge nor on the county). A
store opens over many such folders (`open_store`), adding each station's key as a column:

    write_station_tables(run.outcome.records, folder)
    with open_store({"甲镇": folder_a, "乙镇": folder_b}) as store:
        store.sql("SELECT station, count(*) FROM workers GROUP BY station").fetchall()

Every row keeps its sheet row, and the `places` table maps (station, sheet key, column key)
to the file, sheet and column letter, so any finding can name the exact cell.

Domain decisions are taken here once, in Python, from the station's own policy (the period
a payout counts in, whose limit it is, whether it counts at all), and stored as plain
columns; the SQL then only compares them across stations.

Rows travel Python -> CSV (the csv module, no pandas/pyarrow) -> Parquet (DuckDB COPY on one
connection kept per process): about 25 ms CPU for a station of 200 workers and 600 payouts,
where DuckDB's executemany took 680 ms for the 600 payouts alone and a new connection per
station another 33 ms.
"""

from __future__ import annotations

import csv
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .. import schema
from ..lifecycle import rejected
from ..periods import Quarter
from ..records import Records
from ..standards import frequency_text, period, period_label, unit

FORMAT_VERSION = "2"  # bump when a table's columns or rows change meaning: a cache keyed by it re-writes

# table -> (column, DuckDB type), in file order. `row` is the record's row in its sheet.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "workers": (
        ("row", "INTEGER"), ("archive_no", "VARCHAR"), ("name", "VARCHAR"), ("id_number", "VARCHAR"),
        ("status", "VARCHAR"), ("start", "DATE"), ("end", "DATE"),
    ),
    "members": (
        ("row", "INTEGER"), ("archive_no", "VARCHAR"), ("name", "VARCHAR"), ("relation", "VARCHAR"),
        ("id_number", "VARCHAR"),
    ),
    "payouts": (
        ("row", "INTEGER"), ("record_no", "VARCHAR"), ("archive_no", "VARCHAR"), ("item", "VARCHAR"),
        ("item_group", "VARCHAR"), ("beneficiary", "VARCHAR"), ("person_id", "VARCHAR"),
        ("frequency", "VARCHAR"), ("period", "VARCHAR"), ("period_label", "VARCHAR"), ("rule", "VARCHAR"),
        ("max_times", "INTEGER"), ("applied", "DATE"), ("approved", "DATE"), ("paid", "DATE"),
        ("amount", "DECIMAL(14,2)"), ("upper_approved", "DATE"),
    ),
    "places": (
        ("sheet_key", "VARCHAR"), ("column_key", "VARCHAR"), ("file", "VARCHAR"), ("sheet", "VARCHAR"),
        ("letter", "VARCHAR"),
    ),
}
PLACED = ("workers", "members", "payouts")  # the sheets whose cells a finding may name


def _rows(records: Records) -> dict[str, Iterator[tuple]]:
    """Each table's rows, computed from one station's records (nothing about its key)."""
    members_by = records.members_by_worker
    items = records.item_by_name

    def workers():
        for w in records.workers:
            yield (w.row, w.archive_no, w.name, w.id_number, w.status, w.registered or w.applied,
                   w.closed if w.status in schema.CLOSED_STATUS else None)

    def members():
        for m in records.members:
            yield m.row, m.archive_no, m.name, m.relation, m.id_number

    def payouts():
        workers_by = records.worker_by_no
        for p in records.payouts:
            if rejected(records, p):
                continue  # 不予批准, 已撤销 or an upheld objection: never paid, counts for nothing
            item = items.get(p.item)
            worker = workers_by.get(p.archive_no)
            day = p.applied or p.paid
            key = period(item, day) if item is not None and day is not None else None
            person = worker.id_number if worker is not None else None
            if item is not None and unit(item) == "每名受助对象" and p.beneficiary and worker is not None \
                    and p.beneficiary != worker.name:
                member = next((m for m in members_by.get(p.archive_no, ()) if m.name == p.beneficiary), None)
                person = member.id_number if member is not None and member.id_number else None
            yield (p.row, p.record_no, p.archive_no, p.item, item.group if item else None, p.beneficiary,
                   person, item.frequency if item else None, _period_code(key),
                   period_label(item, key) if key is not None else None,
                   frequency_text(item) if item else None,
                   (item.max_times or 1) if item else None, p.applied, p.approved, p.paid, p.amount,
                   p.upper_approved)

    def places():
        for sheet_key in PLACED:
            pl = records.places.get(sheet_key)
            if pl is not None:
                for column_key, letter in pl.letters.items():
                    yield sheet_key, column_key, pl.file, pl.sheet, letter

    return {"workers": workers(), "members": members(), "payouts": payouts(), "places": places()}


def _period_code(key) -> str | None:
    """A period as text: 2026, 2026Q3 (standards.period gives a year or a Quarter)."""
    if key is None:
        return None
    return key.code if isinstance(key, Quarter) else str(key)


def _csv_value(value) -> str:
    return "" if value is None else str(value)


def _read_csv_sql(path: Path, table: str) -> str:
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in TABLES[table])
    return (f"read_csv('{_sql_path(path)}', header=false, columns={{{columns}}}, nullstr='', "
            "quote='\"', escape='\"', auto_detect=false)")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


_writer: list = []  # one DuckDB connection per process for writing: connecting costs ~30 ms CPU
_writer_lock = threading.Lock()


def _writer_connection() -> duckdb.DuckDBPyConnection:
    if not _writer:
        _writer.append(duckdb.connect(config={"threads": 1}))
    return _writer[0]


def write_station_tables(records: Records, folder: Path) -> list[Path]:
    """Write one station's tables as Parquet files into `folder` (created); returns them.
    About 25 ms CPU for a station of 200 workers and 600 payouts (CSV, then DuckDB COPY)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(dir=folder) as tmp, _writer_lock:
        con = _writer_connection()
        for table, rows in _rows(records).items():
            source = Path(tmp) / f"{table}.csv"
            with source.open("w", newline="", encoding="utf-8") as fh:
                out = csv.writer(fh)
                for row in rows:
                    out.writerow([_csv_value(v) for v in row])
            target = folder / f"{table}.parquet"
            con.execute(f"COPY (SELECT * FROM {_read_csv_sql(source, table)}) "
                        f"TO '{_sql_path(target)}' (FORMAT parquet)")
            written.append(target)
    return written


@dataclass
class Store:
    """An open DuckDB connection whose tables hold every station's rows with a `station` column."""
    con: duckdb.DuckDBPyConnection
    stations: tuple[str, ...]

    def sql(self, query: str, params: list | dict | None = None):
        return self.con.execute(query, params or [])

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_store(folders: dict[str, Path]) -> Store:
    """One store over many stations' table folders (station key -> folder from
    `write_station_tables`), in memory. Tables: workers, members, payouts, places, stations."""
    con = duckdb.connect()
    con.execute("CREATE TABLE stations (station VARCHAR, folder VARCHAR)")
    if folders:
        con.executemany("INSERT INTO stations VALUES (?, ?)",
                        [[key, str(Path(f).resolve())] for key, f in folders.items()])
    for table, columns in TABLES.items():
        if not folders:
            defs = ", ".join(f'"{n}" {k}' for n, k in columns)
            con.execute(f'CREATE TABLE {table} (station VARCHAR, {defs})')
            continue
        # each folder read once: two stations with the same content may share one (a cache)
        distinct = dict.fromkeys(Path(f).resolve() for f in folders.values())
        files = ", ".join(f"'{_sql_path(f / f'{table}.parquet')}'" for f in distinct)
        # parse_filename gives each row's file; the stations table turns its folder into the key
        con.execute(f"""
            CREATE TABLE {table} AS
            SELECT s.station, {', '.join(f't."{n}"' for n, _ in columns)}
            FROM read_parquet([{files}], filename=true) t
            JOIN stations s ON s.folder = parse_dirpath(t.filename)
        """)
    return Store(con, tuple(folders))


class Places:
    """(station, sheet key, column key, row) -> file, sheet and A1 cell, from the store."""

    def __init__(self, store: Store):
        self._by = {(s, sk, ck): (f, sh, letter) for s, sk, ck, f, sh, letter in
                    store.sql("SELECT station, sheet_key, column_key, file, sheet, letter FROM places").fetchall()}

    def has(self, station: str, sheet_key: str, column_key: str) -> bool:
        """Whether the station's sheet has the column (an older template may lack it)."""
        return (station, sheet_key, column_key) in self._by

    def __call__(self, station: str, sheet_key: str, row: int, column_key: str) -> dict:
        file, sheet, letter = self._by.get((station, sheet_key, column_key), ("", "", ""))
        if not file:  # the column was not found: name the row's first cell if the sheet is known
            file, sheet, _ = next((v for k, v in self._by.items() if k[:2] == (station, sheet_key)), ("", "", ""))
            letter = "A" if file else ""
        return {"file": file, "sheet": sheet, "cell": f"{letter}{row}" if letter and row else "", "row": row,
                "column_key": column_key}

    def describe(self, station: str, sheet_key: str, row: int, column_key: str, archive: str) -> str:
        """'乙镇（困难职工档案.xlsx“困难职工”表 F3，档案编号 SF-0002）'"""
        where = self(station, sheet_key, row, column_key)
        cell = f" {where['cell']}" if where["cell"] else f" 第 {row} 行"
        return f"{station}（{where['file']}“{where['sheet']}”表{cell}，档案编号 {archive}）"


@contextmanager
def store_for(runs):
    """A store over the stations of `runs` (StationRun): their table folders where the loader
    has them (`run.tables`), else written now into a temporary folder. A station with a
    workbook that could not be read takes part with the sheets that could (a duplicate
    registration is worth knowing whatever else is broken); a missing folder has no rows."""
    with tempfile.TemporaryDirectory(prefix="bangfu-store-") as tmp:
        folders = {}
        for i, run in enumerate(runs):
            folder = run.tables
            if folder is None:
                folder = Path(tmp) / str(i)
                write_station_tables(run.outcome.records, folder)
            folders[run.key] = folder
        store = open_store(folders)
        try:
            yield store
        finally:
            store.close()
