"""The command line speaks Chinese everywhere a clerk can look, takes the records folder the
same way in every command, writes outputs beside the records, and exits with the README's codes."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from generator import places
from generator.cli import USAGE_ERROR, cli

from private_station import TODAY, write_station as write_private_station

# English that a clerk may legitimately see: the program, its commands and options, file
# formats and product names. Anything else in Latin letters is an untranslated text.
ALLOWED = set(cli.commands) | {  # every command's own name
    "bangfu", "records", "site", "private", "text", "json", "http", "Excel", "Markdown", "PDF", "HTML",
    "xlsx", "xls", "ods", "Ctrl", "SF", "Q", "WPS", places.NETWORK_SITE, places.NETWORK_PRIVATE,
}
OPTION = re.compile(r"(?<![\w-])--?[a-z][a-z-]*")


def english_words(text: str) -> set[str]:
    text = OPTION.sub(" ", text)
    text = re.sub(r"\d{4}Q\d|SF-\d+|127\.0\.0\.1", " ", text)
    return {w for w in re.findall(r"[A-Za-z][A-Za-z-]*", text) if w not in ALLOWED}


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


COMMANDS = sorted(cli.commands)  # every command, including ones added later


@pytest.mark.parametrize("args", [[], ["--help"], *[[c, "--help"] for c in COMMANDS]])
def test_every_help_page_is_chinese(args):
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "用法：bangfu" in result.output and "选项：" in result.output
    assert english_words(result.output) == set(), result.output


@pytest.mark.parametrize("args, said", [
    (["foo"], "没有“foo”这个命令。"),
    (["check", "--tody", "2026-11-23"], "没有“--tody”这个选项。是不是 “--today”？"),
    (["report", "records"], "缺少选项 “--quarter”。"),
    (["check", "--format", "xml"], "“--format” 的值不对：“xml”不在可选范围内"),
    (["serve", "--port", "x"], "“--port” 的值不对：“x”不是有效的整数。"),
    (["check", "a", "b"], "多出了参数（b）"),
    (["dossier", "records/"], "请在记录文件夹后面写至少一个档案编号"),
    (["init"], "缺少参数 “记录文件夹”。"),
])
def test_usage_errors_are_chinese_and_exit_with_the_usage_code(args, said):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == USAGE_ERROR, result.output
    assert said in result.output, result.output
    assert "运行“bangfu" in result.output and "错误：" in result.output
    typed = {w for a in args for w in re.findall(r"[A-Za-z]+", a)}  # what the clerk typed
    assert english_words(result.output) - typed == set(), result.output
    assert "Traceback" not in result.output


def test_a_missing_records_folder_is_called_a_folder(tmp_path):
    from generator.pipeline import check_folder

    outcome = check_folder(tmp_path / "没有这个")
    assert [(p.code, p.file) for p in outcome.problems] == [("folder-missing", str(tmp_path / "没有这个"))]
    assert outcome.exit_code == 2
    result = invoke("check", str(tmp_path / "没有这个"))
    assert result.exit_code == 2
    assert f"找不到记录文件夹“{tmp_path / '没有这个'}”" in result.output and "[folder-missing]" in result.output
    assert "工作簿" not in result.output.split("[folder-missing]")[0].split("找不到记录文件夹")[1].split("请检查")[0]


def test_report_and_dossier_take_the_folder_first_and_write_beside_it(tmp_path, monkeypatch):
    station = tmp_path / "帮扶站"
    write_private_station(station / "我的站点")
    terminal = tmp_path / "终端"
    terminal.mkdir()
    monkeypatch.chdir(terminal)
    report = invoke("report", str(station / "我的站点"), "--quarter", "2026Q3")
    assert report.exit_code == 0, report.output
    assert (station / "private" / "季度统计" / "2026Q3季度统计表.xlsx").is_file()
    dossier = invoke("dossier", str(station / "我的站点"), "SF-0001", "--no-pdf",
                     "--today", TODAY.isoformat())
    assert dossier.exit_code == 0, dossier.output
    assert list((station / "private" / "档案").glob("*SF-0001*.html"))
    assert list(terminal.iterdir()) == []  # nothing lands in the terminal's folder
