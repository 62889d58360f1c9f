"""`bangfu dossier` and the checks around private output."""

from decimal import Decimal

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.pipeline import check_folder
from generator.private import pdf as pdf_output

from private_station import PAYOUTS, TODAY, write_station


@pytest.fixture()
def station(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_station(tmp_path / "records")
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, ["dossier", *args, "--records-dir", "records", "--today", TODAY.isoformat()])


def test_the_test_station_passes_the_check(station):
    outcome = check_folder(station / "records", TODAY)
    assert outcome.exit_code == 0 and not outcome.problems, outcome.problems


def test_dossier_command_writes_the_requested_dossiers(station):
    result = run("SF-0001", "SF-0005", "--no-pdf")
    assert result.exit_code == 0, result.output
    folder = station / "private" / "档案"
    assert sorted(p.name for p in folder.iterdir()) == ["SF-0001.html", "SF-0005.html"]
    assert (station / "private" / "README.txt").exists()
    assert (station / "private" / ".bangfu-private").exists()  # a later build may replace the folder
    assert "已生成" in result.output


@pytest.mark.skipif(not pdf_output.available(), reason="WeasyPrint is not installed")
@pytest.mark.slow
def test_dossier_command_writes_a_pdf(station):
    result = run("SF-0003")
    assert result.exit_code == 0, result.output
    assert (station / "private" / "档案" / "SF-0003.pdf").exists() and "页）" in result.output


def test_pdf_missing_gives_instructions(station, monkeypatch):
    monkeypatch.setattr(pdf_output, "_state", {"engine": None, "reason": pdf_output.HOW_TO_GET_PDF,
                                               "browser_prints": False})  # no engine, no browser
    result = run("SF-0003")
    assert result.exit_code == 0 and 'pip install "bangfu[pdf]"' in result.output
    assert not (station / "private" / "档案" / "SF-0003.pdf").exists()


def test_unknown_archive_numbers(station):
    result = run("SF-001", "--no-pdf")
    assert result.exit_code == 1 and "找不到档案编号“SF-001”" in result.output and "SF-0001" in result.output
    result = run("../../etc/passwd", "--no-pdf")
    assert result.exit_code == 1 and not (station / "private" / "档案").exists()


def test_private_folder_inside_the_site_is_refused(station):
    (station / "site").mkdir()
    result = run("SF-0001", "--private-dir", "site/private", "--no-pdf")
    assert result.exit_code == 1 and "网站文件夹" in result.output
    assert not (station / "site" / "private").exists()
    built = station / "public"
    (built / "search").mkdir(parents=True)
    (built / "search" / "search_index.json").write_text("{}", encoding="utf-8")
    result = run("SF-0001", "--private-dir", "public/internal", "--no-pdf")
    assert result.exit_code == 1 and not (built / "internal").exists()


def test_check_errors_stop_the_command(station):
    broken = [{**p, "amount": Decimal("99999")} if p["record_no"] == "FF-2026-0014" else p for p in PAYOUTS]
    write_station(station / "records", tables={"payouts": broken})
    result = run("SF-0001", "--no-pdf")
    assert result.exit_code == 1 and "amount-over-standard" in result.output
    assert not (station / "private").exists()


@pytest.mark.skipif(not pdf_output.available(), reason="WeasyPrint is not installed")
@pytest.mark.slow
def test_single_commands_then_a_build(station):
    """`bangfu dossier` and `bangfu report` before the first build: the build takes the folder
    over, keeps the asked-for dossier PDF up to date and leaves nothing public in the site."""
    from generator.build import build_all

    assert run("SF-0001").exit_code == 0
    report = CliRunner().invoke(cli, ["report", "--quarter", "2024Q2", "--records-dir", "records"])
    assert report.exit_code == 0, report.output
    lines: list[str] = []
    code = build_all(station / "records", site_dir=station / "site", private_dir=station / "private",
                     today=TODAY, pdf=True, echo=lines.append)
    assert code == 0, "\n".join(lines)
    private = station / "private"
    assert (private / "档案" / "SF-0001.pdf").exists() and (private / "档案" / "分册_S.pdf").exists()
    assert (private / "季度统计" / "2024Q2季度统计表.xlsx").exists()
    assert len(list((private / "档案").glob("SF-*.html"))) == 10
    site_files = [p.name for p in (station / "site").rglob("*")]
    assert "README.txt" not in site_files and not any(n.startswith("分册_") for n in site_files)
    # the work list names people: private only, linked from the private index, never on the site
    home = (private / "index.html").read_text("utf-8")
    assert (private / "待办.html").exists() and 'href="待办.html"' in home
    assert (private / "待办.pdf").exists() and 'href="待办.pdf"' in home
    assert "待办.html" not in site_files and not any("待办" in n or "办结" in n for n in site_files)
    assert any("内部材料已写入" in line for line in lines)
