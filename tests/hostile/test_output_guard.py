"""The output guard: no command writes to, over or through a link to an input workbook,
into the records folder, or into a folder it did not create (without --force).

Each command is attacked the way the attack run did; every case asserts the exit code,
the Chinese refusal, that no traceback was printed and that the inputs are byte-identical.
The property test at the end drives every writing command at hostile output places and
checks that nothing outside the command's own output changed.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from generator.cli import cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from station import station_data, write_station  # noqa: E402

pytestmark = pytest.mark.slow  # the full suite runs these; the fast lane leaves them out

AID = "帮扶记录.xlsx"
TODAY = "2026-11-23"


def tree(root: Path) -> dict:
    """Every entry under root (links not followed): path -> (kind, digest or target)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_file():
                out[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                out[rel] = ("dir", "")
    return out


def run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def station(tmp_path):
    records = write_station(tmp_path / "records")
    return tmp_path, records, tree(records)


def broken_station(tmp_path):
    """A station with one error, so that `check --annotate` has a copy to write."""
    data = station_data()
    data[AID]["帮扶发放"][0]["金额"] = "很多"
    return write_station(tmp_path / "records", data)


# --- one case per command -----------------------------------------------------------
def test_report_refuses_to_overwrite_an_input_workbook(station):
    root, records, before = station
    result = run("report", "--quarter", "2024Q2", "--records-dir", records, "--out", records / AID)
    assert result.exit_code == 1
    assert result.output == (f"输出文件“{records / AID}”就是输入的工作簿“{records / AID}”（或指向它的链接）。"
                             "bangfu 从不改写输入的工作簿，请换一个输出文件名。\n")
    result = run("report", "--quarter", "2024Q2", "--records-dir", records, "--out", records / "统计.xlsx")
    assert result.exit_code == 1
    assert "bangfu 从不往记录文件夹里写文件" in result.output
    assert tree(records) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_report_refuses_a_link_to_an_input_workbook(station, link):
    root, records, before = station
    out = root / "out.xlsx"
    (os.symlink if link == "symlink" else os.link)(records / AID, out)
    result = run("report", "--quarter", "2024Q2", "--records-dir", records, "--out", out, "--force")
    assert result.exit_code == 1
    assert "就是输入的工作簿" in result.output
    assert tree(records) == before


def test_report_keeps_an_existing_file_without_force(station):
    root, records, before = station
    out = root / "mine.xlsx"
    out.write_bytes(b"the clerk's own file")
    result = run("report", "--quarter", "2024Q2", "--records-dir", records, "--out", out)
    assert result.exit_code == 1
    assert f"输出文件“{out}”已存在，未覆盖。如确需覆盖，请加 --force。" in result.output
    assert out.read_bytes() == b"the clerk's own file"
    result = run("report", "--quarter", "2024Q2", "--records-dir", records, "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    assert tree(records) == before


def test_demo_data_never_overwrites_a_station_without_force(station):
    root, records, before = station
    result = run("demo-data", records, "--workers", 5, "--records", 5)
    assert result.exit_code == 1
    assert "已存在，未覆盖（它可能是本站的真实记录）" in result.output and "--force" in result.output
    assert tree(records) == before


@pytest.mark.parametrize("command,link", [("demo-data", os.symlink), ("init", os.link)])
def test_forced_workbook_writers_replace_links_not_their_targets(tmp_path, command, link):
    outside = write_station(tmp_path / "real")
    before = tree(outside)
    target = tmp_path / "new"
    target.mkdir()
    link(outside / AID, target / AID)
    extra = ["--workers", 5, "--records", 5] if command == "demo-data" else []
    assert run(command, target, *extra).exit_code == 1
    result = run(command, target, *extra, "--force")
    assert result.exit_code == 0, result.output
    assert not (target / AID).is_symlink() and (target / AID).stat().st_nlink == 1
    assert tree(outside) == before


def test_annotate_refuses_the_records_folder_and_foreign_folders(tmp_path):
    records = broken_station(tmp_path)
    before = tree(records)
    for target in (records, records / "标注"):
        result = run("check", records, "--today", TODAY, "--annotate", target)
        assert result.exit_code == 2
        assert "从不往记录文件夹里写文件" in result.output
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / AID).write_bytes(b"someone else's")
    result = run("check", records, "--today", TODAY, "--annotate", foreign)
    assert result.exit_code == 2
    assert "已存在且不是 bangfu 生成的" in result.output
    assert (foreign / AID).read_bytes() == b"someone else's"
    assert tree(records) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_annotate_never_writes_through_a_link(tmp_path, link):
    records = broken_station(tmp_path)
    before = tree(records)
    out = tmp_path / "标注"
    assert run("check", records, "--today", TODAY, "--annotate", out).exit_code == 1  # creates and marks
    (out / AID).unlink()
    (os.symlink if link == "symlink" else os.link)(records / AID, out / AID)
    result = run("check", records, "--today", TODAY, "--annotate", out)
    assert result.exit_code == 2
    assert "输入的工作簿" in result.output
    assert tree(records) == before


@pytest.mark.parametrize("where", ["records", "foreign"])
def test_dossier_never_writes_into_records_or_a_foreign_folder(station, where):
    root, records, before = station
    private = records if where == "records" else root / "mine"
    if where == "foreign":
        private.mkdir()
        (private / "index.html").write_text("mine", encoding="utf-8")
    result = run("dossier", "SF-0001", "--records-dir", records, "--private-dir", private, "--no-pdf",
                 "--today", TODAY)
    assert result.exit_code == 1
    assert ("重叠" if where == "records" else "已存在且不是 bangfu 生成的") in result.output
    assert tree(records) == before
    if where == "foreign":
        assert sorted(p.name for p in private.iterdir()) == ["index.html"]


def test_dossier_writes_into_a_folder_it_made(station):
    root, records, before = station
    private = root / "private"
    for _ in range(2):  # the second run reuses the folder it marked
        result = run("dossier", "SF-0001", "--records-dir", records, "--private-dir", private, "--no-pdf",
                     "--today", TODAY)
        assert result.exit_code == 0, result.output
    assert (private / ".bangfu-private").is_file()
    assert tree(records) == before


def test_build_refuses_records_and_serve_refuses_a_private_folder(station):
    root, records, before = station
    result = run("build", records, "--site-dir", records / "site", "--no-private", "--today", TODAY)
    assert result.exit_code == 2
    assert "重叠" in result.output
    private = root / "private"
    private.mkdir()
    (private / ".bangfu-private").write_text("bangfu\n", encoding="utf-8")
    (private / "index.html").write_text("<h1>档案</h1>", encoding="utf-8")
    from generator.serve import serve

    said = []
    assert serve(records, site_dir=private, port=0, today=None, echo=said.append) == 2
    assert "不是 bangfu 生成的公示网站文件夹，不能预览" in said[-1]
    assert tree(records) == before


# --- the property: nothing outside the command's own output changes ----------------
PLACES = ["new", "records", "inside-records", "foreign", "input", "link-to-input", "hardlink-to-input",
          "link-to-records"]
COMMANDS = ["report", "annotate", "dossier", "demo-data", "init"]


def _place(root: Path, records: Path, place: str, wants_file: bool) -> Path:
    name = "out.xlsx" if wants_file else "out"
    if place == "new":
        return root / "new" / name
    if place == "records":
        return records / AID if wants_file else records
    if place == "inside-records":
        return records / "sub" / name
    if place == "foreign":
        folder = root / "foreign"
        folder.mkdir(exist_ok=True)
        (folder / AID).write_bytes(b"foreign")
        (folder / "out.xlsx").write_bytes(b"foreign")
        return folder / name if wants_file else folder
    if place == "input":
        return records / AID if wants_file else records
    target = records / AID if wants_file else records
    link = root / name
    if place == "hardlink-to-input":
        if not wants_file:
            return _place(root, records, "link-to-records", wants_file)
        os.link(target, link)
    else:
        os.symlink(target, link)
    return link


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(command=st.sampled_from(COMMANDS), place=st.sampled_from(PLACES), force=st.booleans())
def test_no_command_writes_outside_its_output(command, place, force):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        records = broken_station(root) if command == "annotate" else write_station(root / "records")
        out = _place(root, records, place, wants_file=command == "report")
        flag = ["--force"] if force else []
        before = tree(root)
        args = {
            "report": ["report", "--quarter", "2024Q2", "--records-dir", records, "--out", out, *flag],
            "annotate": ["check", records, "--today", TODAY, "--annotate", out, *flag],
            "dossier": ["dossier", "SF-0001", "--records-dir", records, "--private-dir", out, "--no-pdf",
                        "--today", TODAY, *flag],
            "demo-data": ["demo-data", out, "--workers", 5, "--records", 5, *flag],
            "init": ["init", out, *flag],
        }[command]
        run(*args)
        after = tree(root)
        records_rel = records.relative_to(root).as_posix()
        out_rel = Path(os.path.abspath(out)).relative_to(root).as_posix()
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        # the existing records never change, except when they are the forced target of a
        # command whose job is to write workbooks (demo-data, init --force)
        writes_records = command in ("demo-data", "init") and force and place in (
            "records", "input", "link-to-records", "link-to-input", "hardlink-to-input")  # all = the folder
        if not writes_records:
            assert not {k for k in changed if k in before and k.startswith(records_rel + "/")}, changed
        if command in ("report", "annotate", "dossier"):  # they read the records: never write there
            assert not {k for k in changed if k.startswith(records_rel + "/")}, changed
        allowed = (out_rel, "new") + ((records_rel,) if writes_records else ())
        outside = {k for k in changed if not any(k == a or k.startswith(a + "/") for a in allowed)
                   and not (k not in before and after[k][0] == "dir" and out_rel.startswith(k + "/"))}
        assert not outside, (command, place, force, outside)


@pytest.mark.slow
def test_a_build_writes_only_its_site_private_and_work_folders(station):
    """The same property for the build: everything it changes is under site/, private/ or the
    work folder .bangfu/ beside them; the records folder is byte-identical."""
    root, records, before_records = station
    before = tree(root)
    result = run("build", records, "--site-dir", root / "site", "--private-dir", root / "private",
                 "--today", TODAY, "--no-pdf")
    assert result.exit_code == 0, result.output
    after = tree(root)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed and all(k.split("/")[0] in ("site", "private", ".bangfu") for k in changed), changed
    assert tree(records) == before_records
