"""Reference text generated from the schema and the problem catalogue.

`column_reference()` is what `bangfu columns` prints and what the
documentation's column page holds; `problem_catalogue()` lists every problem
the checker can report, with what to do about it. Both are Markdown and come
from the single declarations in schema.py and problems.py, so they cannot
drift from the code.
"""

from __future__ import annotations

import string
from pathlib import Path

from . import schema
from .problems import CATALOGUE, COMMON, SEVERITY_ZH

GROUP_ORDER = ("文件", "结构", "值", "引用", "业务", "跨站", "导入")
GROUP_TITLES = {
    "文件": "文件问题（工作簿找不到、格式不对或打不开）",
    "结构": "结构问题（工作表、表头、列）",
    "值": "单元格的值",
    "引用": "编号和引用（表与表之间）",
    "业务": "帮扶业务规则",
    "导入": "导入旧表（bangfu import，位置指原来的表）",
    "跨站": "跨站检查（县中心 bangfu merge 汇总各站记录时）",
}
SENSITIVE_NOTE = "个人隐私，不会出现在公开网站"
NAME_NOTE = "公开网站上只显示打码的姓名（如 张*明），除非站点设置“公开完整姓名”为“是”"

# Readable stand-ins for message placeholders, so a template reads as advice.
STAND_INS = {
    "allowed": "规定的用途", "amount": "X", "applied": "申请日期", "approved": "批准日期",
    "archive": "某档案", "balance": "负数", "basis": "计算依据", "batch": "某批次",
    "as_percent": "8000%", "category": "某类别", "cell": "某",
    "add_column": "", "whom": "", "choices": "下拉列表中的选项", "column": "某列", "copy": "某文件夹 - 副本",
    "date": "某日",
    "days": "N", "detail": "具体原因", "earlier": "前一步的日期", "earlier_value": "", "entry": "某设置项",
    "end": "结束日期", "expected": "正确的值", "extra": "多余的", "file": "某工作簿",
    "folder": "某文件夹", "formula": "（公式）", "found": "某列名", "fund": "某账户", "groups": "生活救助、医疗救助等",
    "high": "上限", "hint": "相应内容",
    "income": "X", "item": "某帮扶项目", "joined": "入职日期", "key": "某设置项", "kind": "某类型",
    "last": "上次复核日期", "later": "后一步的日期", "later_value": "", "length": "N",
    "limit": "上限", "local": "X", "low": "下限", "masked": "（打码的号码）", "members": "N",
    "normal": "标准写法", "percent": "80%", "objection": "某异议", "other": "另一处", "paid": "发放日期",
    "range": "某区域", "reason": "原因", "line": "N",
    "ratio": "某比例", "size": "单元格数", "received": "收到日期", "rows": "N", "rule": "次数限制",
    "sheet": "某工作表", "since": "建档日期", "standard": "X", "start": "开始日期",
    "status": "某状态", "suggestion": "", "target": "对应的表", "today": "今天", "upper": "X",
    "used": "N", "value": "某值", "verified": "核实日期", "what": "此类记录", "year": "某",
    "period": "同一期间", "source": "当时", "also": "", "need": "对象要求", "missing": "没有相应记录",
    "categories": "本站的困难类别", "usage": "帮扶记录", "state": "不予批准或已撤销",
    "pending": "X", "short": "X", "required": "规定比例",
    "elsewhere": "另一站（工作簿、工作表和单元格）", "here": "困难职工本人",
    "there": "某档案的家庭成员", "limit_name": "站点审批上限", "level": "县中心",
    "county": "X", "station": "Y",
}
STAND_IN_BY_CODE = {
    "file-old-excel": {"expected": "标准文件名"},
    "file-ods": {"expected": "标准文件名"},
    "file-wps": {"expected": "标准文件名"},
    "file-csv": {"expected": "标准文件名"},
    "sheet-missing": {"expected": "某工作表"},
    "header-not-first-row": {"found": "N", "extra": "多余的"},
    "type-number": {"hint": ""},
    "household-size": {"value": "N", "members": "M", "expected": "M+1"},
    "per-capita-mismatch": {"value": "X", "expected": "Y"},
    "name-mismatch": {"expected": "档案中的姓名"},
    "idno-birth-mismatch": {"expected": "身份证上的日期"},
    "idno-sex-mismatch": {"expected": "另一性别"},
    "idno-checksum": {"expected": "某字符"},
    "formula-error": {"value": "#REF! 等"},
    "rate-over-100": {"value": "80"},
    "money-capitals": {"value": "壹仟元整", "amount": "1000"},
    "redisclosure-missing": {"detail": "还没有重新公示"},
    "frequency": {"hint": ""},
    "close-disclosure-missing": {"status": "脱困或注销"},
    "example-row": {"what": "如 档案编号 SF-0001"},
    "example-settings": {"entry": "站点名称", "value": "某某镇总工会困难职工帮扶站"},
}


def _cell(text) -> str:
    """Schema text inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\r", "").replace("\n", "；")


def _row(*cells) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _where(ref: str, own_book: str) -> str:
    book_key = ref.split(".")[0]
    target = schema.sheet(ref)
    place = f"“{target.name}”" if book_key == own_book else \
        f"{schema.book(book_key).filename}“{target.name}”"
    return f"须是{place}中已有的{target.key_column.name}"


def column_notes(column: schema.Column, book_key: str) -> str:
    """可选值/说明 for one column."""
    notes = []
    if column.kind in (schema.ENUM, schema.MULTI):
        notes.append("可选：" + "、".join(column.choices))
    if column.hint:
        notes.append(column.hint)
    if column.ref:
        notes.append(_where(column.ref, book_key))
    if column.unique:
        notes.append("不能重复")
    if column.aliases:
        notes.append("也认：" + "、".join(column.aliases))
    if column.sensitive == schema.S_NAME:
        notes.append(NAME_NOTE)
    elif column.sensitive:
        notes.append(SENSITIVE_NOTE)
    return "；".join(notes)


def _sheet_section(book: schema.Book, sheet: schema.Sheet) -> list[str]:
    lines = [f"### 工作表“{sheet.name}”", ""]
    if sheet.description:
        lines += [sheet.description, ""]
    if sheet.optional:
        lines += ["这张工作表是后来新增的：工作簿中没有它也能通过检查；需要时从 bangfu init 生成的模板中复制。", ""]
    if sheet.settings:
        lines += ["第 1 列“设置项”写下表中的名称，第 2 列“值”填写内容，第 3 列“说明”可随意填写。", "",
                  _row("设置项", "类型", "必填", "说明", "示例"), _row(*["---"] * 5)]
        for entry in sheet.entries:
            example = entry.example
            if entry.kind == schema.BOOL and example is not None:
                example = "是" if example else "否"
            lines.append(_row(entry.name, schema.KIND_ZH[entry.kind], "是" if entry.required else "",
                              column_notes(entry, book.key), "" if example is None else example))
        return lines + [""]
    lines += [_row("列名", "类型", "必填", "可选值/说明", "对应国家档案表字段"), _row(*["---"] * 5)]
    for column in sheet.columns:
        lines.append(_row(column.name, schema.KIND_ZH[column.kind], "是" if column.required else "",
                          column_notes(column, book.key), column.national))
    return lines + [""]


def column_reference() -> str:
    """Markdown: every workbook, sheet and column of the schema."""
    lines = ["# 工作簿列说明", "",
             f"记录文件夹中放 {len(schema.BOOKS)} 个工作簿。每张工作表第 1 行是列名，从第 2 行起每行一条记录。"
             "列的顺序可以调整，列名请保持下表的写法（“也认”中的写法也能识别）。"
             "用 `bangfu init 文件夹` 可以生成带下拉选项和填写提示的空白模板。", ""]
    for book in schema.BOOKS:
        lines += [f"## {book.filename}", ""]
        if book.description:
            lines += [book.description, ""]
        for sheet in book.sheets:
            lines += _sheet_section(book, sheet)
    return "\n".join(lines).rstrip() + "\n"


def how_to_fix(code: str) -> str:
    """The rule's message with its placeholders filled by readable stand-ins."""
    rule = CATALOGUE[code]
    names = {name for _, name, _, _ in string.Formatter().parse(rule.template) if name}
    values = {name: STAND_INS.get(name, "…") for name in names}
    values.update({k: v for k, v in STAND_IN_BY_CODE.get(code, {}).items() if k in names})
    return rule.template.format(**values)


def problem_catalogue() -> str:
    """Markdown: every problem code the checker can report, grouped, with what to do."""
    lines = ["# 检查问题一览", "",
             "`bangfu check` 报告的每个问题都有一个固定代码（报告中方括号里的英文）。"
             "“错误”必须改正，网站才会更新；“提醒”请核对，确认无误可以保留。"
             "下表中的“某列”“某值”等在实际报告里会换成具体的列名、单元格内容和行号。", ""]
    groups = [g for g in GROUP_ORDER if any(r.group == g for r in CATALOGUE.values())]
    groups += sorted({r.group for r in CATALOGUE.values()} - set(groups))
    for group in groups:
        lines += [f"## {GROUP_TITLES.get(group, group)}", "",
                  _row("代码", "严重程度", "问题", "说明和改正方法"), _row(*["---"] * 4)]
        for rule in CATALOGUE.values():
            if rule.group == group:
                lines.append(_row(f"`{rule.code}`", SEVERITY_ZH[rule.severity], rule.title,
                                  how_to_fix(rule.code)))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


README_START = "<!-- common-problems:start (generated by python -m generator.docs) -->"
README_END = "<!-- common-problems:end -->"


def common_problems() -> str:
    """Markdown for the README: the problems clerks meet most and how to fix them."""
    lines = [_row("问题", "严重程度", "怎么改"), _row(*["---"] * 3)]
    for code in COMMON:
        rule = CATALOGUE[code]
        lines.append(_row(f"{rule.title} `{code}`", SEVERITY_ZH[rule.severity], how_to_fix(code)))
    return "\n".join(lines) + "\n"


def update_readme(readme: Path) -> bool:
    """Replace the generated block in the README; True when it changed."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    new = text[:start] + "\n" + common_problems() + text[end:]
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def write_reference_docs(target_dir: Path) -> list[Path]:
    """Write columns.md and problems.md (for the project's documentation site)."""
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in (("columns.md", column_reference()), ("problems.md", problem_catalogue())):
        path = target_dir / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> None:
    """`python -m generator.docs [DIR]`: regenerate the committed reference pages (default docs_src)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    for path in write_reference_docs(Path(args[0] if args else "docs_src")):
        print(path)
    readme = Path(__file__).resolve().parent.parent / "README.md"
    if readme.exists() and update_readme(readme):
        print(readme)


if __name__ == "__main__":
    main()
