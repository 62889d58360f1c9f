"""`bangfu check` through click's runner: report, JSON, exit codes, no tracebacks."""

from __future__ import annotations

import json

from click.testing import CliRunner

from generator.cli import cli

from station import cell_of, station_data, write_station


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_clean_station_exits_zero(tmp_path):
    write_station(tmp_path)
    result = invoke("check", str(tmp_path), "--today", "2026-11-23")
    assert result.exit_code == 0
    assert "没有发现问题" in result.output


def test_errors_are_grouped_and_counted(tmp_path):
    data = station_data()
    data["帮扶记录.xlsx"]["帮扶发放"][0]["金额"] = 500
    data["帮扶记录.xlsx"]["帮扶发放"][1]["已签收"] = "否"
    data["帮扶记录.xlsx"]["帮扶发放"][1]["签收日期"] = None
    write_station(tmp_path, data)
    result = invoke("check", str(tmp_path), "--today", "2026-11-23")
    assert result.exit_code == 1
    out = result.output
    assert "【帮扶记录.xlsx】" in out and "工作表“帮扶发放”" in out
    assert f"错误 {cell_of('帮扶发放', '金额', 0)} " in out
    assert "共 1 个错误，1 个提醒" in out
    assert "Traceback" not in out


def test_json_format(tmp_path):
    data = station_data()
    data["困难职工档案.xlsx"]["困难职工"][0]["性别"] = "未知"
    write_station(tmp_path, data)
    result = invoke("check", str(tmp_path), "--format", "json", "--today", "2026-11-23")
    assert result.exit_code == 1
    [row] = json.loads(result.output)
    cell = cell_of("困难职工", "性别", 0)
    assert row == {"code": "enum", "severity": "error", "file": "困难职工档案.xlsx", "sheet": "困难职工",
                   "cell": cell, "row": int(cell[1:]), "column_key": "sex", "message": row["message"],
                   "params": row["params"]}
    assert row["params"]["value"] == "未知" and "未知" in row["message"]


def test_warnings_only_exit_zero(tmp_path):
    data = station_data()
    data["帮扶记录.xlsx"]["帮扶发放"][0]["已签收"] = "否"
    data["帮扶记录.xlsx"]["帮扶发放"][0]["签收日期"] = None
    write_station(tmp_path, data)
    assert invoke("check", str(tmp_path), "--today", "2026-11-23").exit_code == 0


def test_unreadable_input_exits_two(tmp_path):
    write_station(tmp_path)
    (tmp_path / "帮扶资金.xlsx").write_bytes(b"PK\x03\x04broken")
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2
    assert "帮扶资金.xlsx" in result.output and "损坏" in result.output


def test_missing_folder_exits_two(tmp_path):
    result = invoke("check", str(tmp_path / "none"))
    assert result.exit_code == 2


def test_bad_today_is_a_chinese_usage_error(tmp_path):
    result = invoke("check", str(tmp_path), "--today", "tomorrow")
    assert result.exit_code == 4 and "2026-11-23" in result.output  # a usage error, not "unreadable"


def _run_process(*args, module: bool = True) -> tuple[int, str, str]:
    """`bangfu ARGS` as a process of its own (the way a clerk runs it); module=False: `python ARGS`."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, *(("-m", "generator.cli") if module else ()), *args],
                          capture_output=True, text=True, env=env, timeout=300)
    return done.returncode, done.stdout, done.stderr


def test_a_check_process_leaves_with_its_whole_report(tmp_path):
    """A check run as its own process (the way a clerk runs it) gives the same report and
    exit code as through click's runner, and its exit handlers run."""
    data = station_data()
    data["帮扶记录.xlsx"]["帮扶发放"][0]["金额"] = 500
    data["困难职工档案.xlsx"]["困难职工"][0]["性别"] = "未知"
    write_station(tmp_path / "records", data)
    folder = str(tmp_path / "records")
    for fmt in ("json", "text"):
        code, out, err = _run_process("check", folder, "--format", fmt, "--today", "2026-11-23")
        inside = invoke("check", folder, "--format", fmt, "--today", "2026-11-23")
        assert (code, out) == (inside.exit_code, inside.output) and code == 1 and not err
    assert len(json.loads(_run_process("check", folder, "--format", "json", "--today", "2026-11-23")[1])) == 2
    write_station(tmp_path / "clean")
    code, out, _ = _run_process("check", str(tmp_path / "clean"), "--today", "2026-11-23")
    assert code == 0 and "没有发现问题" in out
    code, out, err = _run_process("check", str(tmp_path / "missing"), "--today", "2026-11-23")
    assert code == 2 and out
    # the exit handlers still run before it leaves
    script = ("import atexit, sys; atexit.register(lambda: print('handlers ran', flush=True)); "
              "from generator.cli import main; sys.argv = ['bangfu', *sys.argv[1:]]; main()")
    code, out, _ = _run_process("-c", script, "check", folder, "--today", "2026-11-23", module=False)
    assert code == 1 and out.rstrip().endswith("handlers ran")
