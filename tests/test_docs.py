"""Generated reference: the column guide and the problem catalogue."""

from __future__ import annotations

import re

import markdown
from click.testing import CliRunner

from generator import schema
from generator.cli import cli
from generator.docs import STAND_INS, column_reference, how_to_fix, problem_catalogue, write_reference_docs
from generator.problems import CATALOGUE, SEVERITY_ZH


def _sections(text: str) -> dict[str, str]:
    """'### 工作表“X”' heading -> the text under it."""
    parts = re.split(r"^### 工作表“(.+?)”$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def _table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = re.split(r"(?<!\\) \| ", line[2:-2])
            rows.append(cells)
    return rows


def test_every_column_of_every_sheet_is_in_the_reference():
    text = column_reference()
    sections = _sections(text)
    for book, sheet in schema.all_sheets():
        assert f"## {book.filename}" in text
        rows = _table_rows(sections[sheet.name])
        header, body = rows[0], rows[1:]
        if sheet.settings:
            assert header == ["设置项", "类型", "必填", "说明", "示例"]
            assert [r[0] for r in body] == [e.name for e in sheet.entries]
            columns = sheet.entries
        else:
            assert header == ["列名", "类型", "必填", "可选值/说明", "对应国家档案表字段"]
            assert [r[0] for r in body] == [c.name for c in sheet.columns]
            columns = sheet.columns
        for row, column in zip(body, columns):
            assert len(row) == len(header), row
            assert row[1] == schema.KIND_ZH[column.kind]
            assert row[2] == ("是" if column.required else "")
            for choice in column.choices:
                assert choice in row[3]
            if not sheet.settings:
                assert row[4] == column.national


def test_reference_marks_private_columns_and_references():
    sections = _sections(column_reference())
    workers = {r[0]: r for r in _table_rows(sections["困难职工"])[1:]}
    assert "个人隐私" in workers["身份证号"][3]
    assert "打码" in workers["姓名"][3]
    assert "个人隐私" not in workers["工作单位"][3]
    assert "帮扶政策.xlsx“困难类别”" in workers["困难类别"][3]
    assert "也认：身份证号码、公民身份号码" in workers["身份证号"][3]


def test_every_problem_code_is_in_the_catalogue_with_a_readable_fix():
    text = problem_catalogue()
    rows = {r[0].strip("`"): r for r in _table_rows(text) if r[0].startswith("`")}
    assert set(rows) == set(CATALOGUE)
    for code, rule in CATALOGUE.items():
        row = rows[code]
        assert row[1] == SEVERITY_ZH[rule.severity] and row[2] == rule.title
        fix = how_to_fix(code)
        assert "{" not in fix and "}" not in fix
        assert "…" not in fix, f"add a stand-in for a placeholder of {code}"
        assert row[3] == fix.replace("|", "\\|")


def test_stand_ins_cover_every_placeholder():
    import string

    names = {n for r in CATALOGUE.values() for _, n, _, _ in string.Formatter().parse(r.template) if n}
    assert names <= set(STAND_INS)


def test_markdown_renders_to_one_table_per_sheet_and_group():
    html = markdown.markdown(column_reference(), extensions=["tables"])
    assert html.count("<table>") == sum(1 for _ in schema.all_sheets())
    groups = {r.group for r in CATALOGUE.values()}
    assert markdown.markdown(problem_catalogue(), extensions=["tables"]).count("<table>") == len(groups)


def test_cli_columns_prints_the_reference():
    result = CliRunner().invoke(cli, ["columns"])
    assert result.exit_code == 0
    assert result.output == column_reference() + "\n"


def test_write_reference_docs(tmp_path):
    paths = write_reference_docs(tmp_path / "docs")
    assert [p.name for p in paths] == ["columns.md", "problems.md"]
    assert paths[0].read_text(encoding="utf-8") == column_reference()
    assert paths[1].read_text(encoding="utf-8") == problem_catalogue()


def test_committed_reference_pages_are_current():
    """docs_src/ holds the generated pages the README links to; regenerate them with
    `python -m generator.docs` after changing schema.py or problems.py."""
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs_src"
    assert (docs / "columns.md").read_text(encoding="utf-8") == column_reference(), \
        "docs_src/columns.md is stale: run python -m generator.docs"
    assert (docs / "problems.md").read_text(encoding="utf-8") == problem_catalogue(), \
        "docs_src/problems.md is stale: run python -m generator.docs"


def test_readme_common_problems_are_generated_from_the_catalogue():
    from pathlib import Path

    from generator.docs import README_END, README_START, common_problems
    from generator.problems import CATALOGUE, COMMON

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(README_START) + len(README_START):readme.index(README_END)]
    assert block == "\n" + common_problems(), "README 常见错误 is stale: run python -m generator.docs"
    assert all(code in CATALOGUE for code in COMMON)
    assert all(f"`{code}`" in block for code in COMMON)
