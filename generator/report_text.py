"""The `bangfu check` text report: problems grouped by file and sheet, with counts."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from .problems import ERROR, SEVERITY_ZH, WARNING, count


def render(problems: list, folder: Path | str = "") -> str:
    errors, warnings = count(problems, ERROR), count(problems, WARNING)
    lines = []
    if not problems:
        lines.append(f"检查完成：{folder} 中的记录没有发现问题。")
        return "\n".join(lines)
    for file, file_group in groupby(problems, key=lambda p: p.file):
        in_file = list(file_group)
        lines.append(f"【{file}】 {_counts(in_file)}")
        for sheet, sheet_group in groupby(in_file, key=lambda p: p.sheet):
            in_sheet = list(sheet_group)
            if sheet:
                lines.append(f"  工作表“{sheet}” {_counts(in_sheet)}")
            for p in in_sheet:
                where = f"{p.cell} " if p.cell else (f"{p.row}行 " if p.row else "")
                lines.append(f"    {SEVERITY_ZH[p.severity]} {where}{p.message} [{p.code}]")
        lines.append("")
    verdict = ("有错误需要改正，改正后请重新运行检查。" if errors else
               "没有错误，可以生成网站；提醒事项请酌情处理。")
    lines.append(f"共 {errors} 个错误，{warnings} 个提醒。{verdict}")
    return "\n".join(lines)


def _counts(problems: list) -> str:
    e, w = count(problems, ERROR), count(problems, WARNING)
    parts = []
    if e:
        parts.append(f"{e} 个错误")
    if w:
        parts.append(f"{w} 个提醒")
    return "（" + "，".join(parts) + "）"



def as_json(problems: list) -> list[dict]:
    """`bangfu check --format json`: one object per problem, in report order; the shape is
    documented in the README ("check --format json") and kept stable for other tools."""
    return [p.as_dict() for p in problems]
