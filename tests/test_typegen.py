"""generator/record_types.py is generated from the schema and kept current; a static checker
sees the record fields (a typo such as `w.nmae` is an error, not Any)."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from generator import record_types, schema, typegen
from generator.records import Records


def test_record_types_are_current():
    assert typegen.TARGET.read_text(encoding="utf-8") == typegen.source(), \
        "generator/record_types.py is stale: run `python -m generator.typegen`"


def test_every_sheet_has_a_class_with_its_columns_in_order():
    for _, sheet in schema.all_sheets():
        if sheet.settings:
            fields = [f.name for f in dataclasses.fields(record_types.Settings)]
            assert fields == [e.key for e in sheet.entries] + ["rows"]
            continue
        cls = record_types.RECORD_CLASSES[sheet.key]
        assert [f.name for f in dataclasses.fields(cls)] == [c.key for c in sheet.columns] + ["row"]
        assert Records.__annotations__[sheet.key] == f"list[{cls.__name__}]"


def test_settings_defaults_come_from_the_schema():
    s = record_types.Settings()
    assert (s.station_name, s.hotline, s.disclosure_days, s.retention_days, s.full_names, s.min_cell) == \
        ("困难职工帮扶站", "12351", 7, 30, False, 3)
    assert s.parent_union is None and s.site_url is None


@pytest.mark.slow
def test_mypy_catches_a_typo_on_a_record(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from generator.records import Records\n\n"
                     "def f(r: Records) -> str:\n    return r.workers[0].nmae or ''\n", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent",
                          "--ignore-missing-imports", str(probe)], capture_output=True, text=True, cwd=root)
    assert out.returncode == 1 and '"Worker" has no attribute "nmae"' in out.stdout, out.stdout
