"""The dossiers print exactly what they printed before their rendering was made cheaper.

Golden files (tests/golden/dossiers/) hold dossiers rendered by the reference
implementation: a sample of the committed demo (an upheld objection and a void payout, other
objections, a running disclosure, a closed file without payouts, a file back in hardship, no
family members) and every worker of the small test station (the pinyin surnames, a running
batch, an objection). A speed change must leave every byte as it was; a change meant to alter
what a dossier shows regenerates them on purpose:

    BANGFU_WRITE_GOLDEN=1 python -m pytest tests/test_dossier_golden.py
"""

import os
from pathlib import Path

import pytest

from generator.private import write_private
from generator.private.dossiers import FOLDER, write_dossiers
from generator.reading import read_records

from private_station import SITE_URL, TODAY, demo_records_dir, read_station

GOLDEN = Path(__file__).resolve().parent / "golden" / "dossiers"
DEMO_SAMPLE = ("SF-0001", "SF-0017", "SF-0027", "SF-0043", "SF-0048", "SF-0069", "SF-0113", "SF-0143")
WRITE = os.environ.get("BANGFU_WRITE_GOLDEN") == "1"


def _compare(rendered: Path, golden: Path, names: list[str]) -> None:
    if WRITE:
        golden.mkdir(parents=True, exist_ok=True)
        for old in golden.glob("*.html"):
            old.unlink()
        for name in names:
            (golden / name).write_bytes((rendered / name).read_bytes())
    assert sorted(p.name for p in golden.glob("*.html")) == sorted(names)
    different = [name for name in names if (rendered / name).read_bytes() != (golden / name).read_bytes()]
    assert different == []


def test_demo_dossiers_are_byte_for_byte_the_golden_ones(tmp_path_factory):
    records = read_records(demo_records_dir(tmp_path_factory)).records
    if not all(no in records.worker_by_no for no in DEMO_SAMPLE):
        pytest.skip("the committed demo records are not present (a generated demo has other workers)")
    out = tmp_path_factory.mktemp("golden-demo")
    docs = write_dossiers(records, out, today=TODAY, site_url=SITE_URL, only=set(DEMO_SAMPLE))
    names = sorted(d.path.name for d in docs)
    assert names == sorted(f"{no}.html" for no in DEMO_SAMPLE)
    _compare(out / FOLDER, GOLDEN / "demo", names)


def test_a_fresh_builds_dossiers_are_byte_for_byte_the_golden_ones(tmp_path):
    # the whole private writer with a fresh staging folder: the build's own path (fingerprints,
    # the direct writes), every worker of the test station, and the index
    records = read_station(tmp_path / "records")
    out = tmp_path / "private"
    write_private(records, out, today=TODAY, pdf=False)
    names = sorted(p.name for p in (out / FOLDER).glob("*.html"))
    assert len(names) == len(records.workers) + 1  # and index.html
    _compare(out / FOLDER, GOLDEN / "station", names)
