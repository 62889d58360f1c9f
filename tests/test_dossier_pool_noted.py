"""The dossier pool's shortcuts give what the long ways gave: a written file's size and time as
noted by its writer are os.stat's, the fingerprints file of a build notes them as it did, the
list `batch` filter gives Jinja's batches, and the queue leaves the collector as it found it."""

import gc
import multiprocessing
import os
from pathlib import Path

import pytest
from jinja2.filters import do_batch

from generator import render
from generator.paths import FolderWriter
from generator.private import carry, parallel, write_private
from generator.private.common import Doc, write_doc

from private_station import TODAY, read_station

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="no fork on this system (Windows): sequential only")


def test_a_noted_size_and_time_are_those_os_stat_gives(tmp_path):
    writer = FolderWriter(tmp_path, tmp_path / "档案", fresh=True)
    doc = write_doc(tmp_path, tmp_path / "档案" / "A.html", "<p>甲 &amp; 乙</p>", TODAY, writer)
    st = os.stat(doc.path)
    if os.name == "posix":
        assert doc.noted == (st.st_size, st.st_mtime_ns)
    else:
        assert doc.noted is None
    # a name taken already (a carried link) is replaced by a new file: nothing noted, the caller looks
    os.unlink(doc.path)
    os.link(_other(tmp_path), doc.path)
    again = write_doc(tmp_path, doc.path, "<p>新</p>", TODAY, writer)
    assert again.noted is None and again.path.read_text(encoding="utf-8") == "<p>新</p>"
    assert _other(tmp_path).read_text(encoding="utf-8") == "旧"  # never written through the link


def _other(tmp_path: Path) -> Path:
    path = tmp_path / "other.html"
    if not path.exists():
        path.write_text("旧", encoding="utf-8")
    return path


def test_store_takes_the_noted_size_and_time_and_looks_otherwise(tmp_path):
    kept = carry.Carry(tmp_path, None, "salt")
    path = tmp_path / "a.html"
    path.write_bytes(b"abc")
    st = os.stat(path)
    kept.store(Doc(path, "d1"), "fp")
    assert (kept.new["a.html"]["size"], kept.new["a.html"]["mtime"]) == (3, st.st_mtime_ns)
    kept.store(Doc(path, "d1", (3, st.st_mtime_ns)), "fp")
    assert (kept.new["a.html"]["size"], kept.new["a.html"]["mtime"]) == (3, st.st_mtime_ns)


def _noting_task(folder: Path, n: int):
    def task():
        writer = FolderWriter(folder, folder, fresh=True)
        return write_doc(folder, folder / f"{n}.html", f"<p>{n}</p>" * (n + 1), TODAY, writer)
    return task


@needs_fork
def test_rendering_processes_send_back_what_their_writer_noted(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_DOCUMENTS", 1)
    outcomes = parallel.render_outcomes([_noting_task(tmp_path, n) for n in range(30)], processes=2)
    for n, (digest, noted) in enumerate(outcomes):
        st = os.stat(tmp_path / f"{n}.html")
        assert noted == ((st.st_size, st.st_mtime_ns) if os.name == "posix" else None)
        assert digest and len(digest) == 64


def test_a_build_notes_every_document_as_os_stat_sees_it_and_leaves_the_collector_on(tmp_path):
    records = read_station(tmp_path / "records")
    out = tmp_path / "private"
    assert gc.isenabled()
    write_private(records, out, today=TODAY, pdf=False)
    assert gc.isenabled()
    entries = carry.load(out / carry.NAME)
    dossiers = [k for k in entries if k.startswith("档案/") and k != "档案/index.html"]
    assert dossiers
    for key, entry in entries.items():
        if isinstance(entry, dict) and "size" in entry:
            st = os.stat(out / key)
            assert (entry["size"], entry["mtime"]) == (st.st_size, st.st_mtime_ns), key


@pytest.mark.parametrize("value,size", [([], 2), ([1], 2), ([1, 2, 3], 2), (list(range(7)), 3), ([("a", "b")] * 5, 2)])
def test_the_batch_filter_gives_jinjas_batches(value, size):
    assert render.batch(value, size) == list(do_batch(value, size))
    assert list(render.batch(value, size, "x")) == list(do_batch(value, size, "x"))
    assert list(render.batch(tuple(value), size)) == list(do_batch(tuple(value), size))


def test_a_dossier_table_escapes_names_and_notes_as_before():
    env = render.environment([])
    template = env.from_string("{% for row in pairs | batch(2) %}[{% for k, v in row %}{{ k }}={{ v }};{% endfor %}]"
                               "{% endfor %}")
    out = template.render(pairs=[("姓名", "<script>x</script>"), ("备注", "甲 & 乙"), ("号", "1")])
    assert out == "[姓名=&lt;script&gt;x&lt;/script&gt;;备注=甲 &amp; 乙;][号=1;]"
