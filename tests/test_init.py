"""`bangfu init`: blank workbooks from the schema, with drop-downs, formats, hints and one
valid example row."""

from __future__ import annotations

import errno
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from generator import schema
from generator.cli import cli
from generator.pipeline import check_folder
from generator.templates import BOOL_CHOICES, write_blank_workbooks

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    target = tmp_path_factory.mktemp("init") / "records"
    written = write_blank_workbooks(target)
    assert [p.name for p in written] == [b.filename for b in schema.BOOKS]
    return target


@pytest.fixture(scope="module")
def books(folder):
    return {b.filename: openpyxl.load_workbook(folder / b.filename) for b in schema.BOOKS}


def _validations(ws) -> dict[str, object]:
    """Column letter (or settings cell) -> its data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            key = rng.coord.split(":")[0].rstrip("0123456789") if ":" in rng.coord else rng.coord
            out[key] = dv
    return out


# The station's own records (not the policy tables, whose examples may be real data)
EXAMPLE_ROWS = {("困难职工档案.xlsx", "困难职工"), ("困难职工档案.xlsx", "家庭成员"), ("困难职工档案.xlsx", "走访记录"),
                ("帮扶记录.xlsx", "帮扶发放"), ("帮扶记录.xlsx", "公示批次"), ("帮扶记录.xlsx", "异议处理"),
                ("帮扶资金.xlsx", "资金账户"), ("帮扶资金.xlsx", "资金收入"), ("帮扶资金.xlsx", "其他支出")}


def test_example_station_passes_every_rule_but_warns_that_the_examples_are_still_there(folder):
    outcome = check_folder(folder, today=TODAY)
    assert not outcome.unreadable
    found = {(p.code, p.file, p.sheet, p.cell) for p in outcome.problems}
    assert found == {("example-row", f, s, "A2") for f, s in EXAMPLE_ROWS} | {
        ("example-settings", "帮扶政策.xlsx", "站点设置", "B2"),
        ("example-settings", "帮扶政策.xlsx", "站点设置", "B4")}
    assert all(p.severity == "warning" for p in outcome.problems)
    assert outcome.exit_code == 0
    records = outcome.records
    # the example row of every table was read, so the station is complete; a sheet declared
    # without examples (梯次帮扶: no limits unless a county sets them) starts empty
    for _, sheet in schema.all_sheets():
        if not sheet.settings:
            has_example = any(c.example is not None for c in sheet.columns)
            assert len(getattr(records, sheet.key)) == (1 if has_example else 0), sheet.name
    assert records.settings.station_name == "某某镇总工会困难职工帮扶站"
    assert records.settings.full_names is False


def test_build_refuses_to_publish_the_examples(folder, tmp_path):
    from generator.build import build_all

    lines = []
    code = build_all(folder, site_dir=tmp_path / "site", private_dir=None, today=TODAY, pdf=False,
                     echo=lines.append)
    assert code == 1
    assert "示例行或示例站点设置" in lines[-1] and "原网站保持不变" in lines[-1]
    assert not (tmp_path / "site").exists()


def test_headers_are_the_schema_columns_bold_filled_frozen_with_widths(books):
    for book, sheet in schema.all_sheets():
        ws = books[book.filename][sheet.name]
        header = [c.value for c in ws[1]]
        assert header == [c.name for c in sheet.columns], sheet.name
        assert ws.freeze_panes == "A2"
        for ci, column in enumerate(sheet.columns, 1):
            cell = ws.cell(row=1, column=ci)
            assert cell.font.b, column.name
            assert cell.fill.fill_type == "solid"
            letter = cell.column_letter
            assert ws.column_dimensions[letter].width >= column.width
        # required columns are coloured differently from optional ones
        fills = {c.required: ws.cell(row=1, column=i).fill.fgColor.rgb
                 for i, c in enumerate(sheet.columns, 1)}
        if len(fills) == 2:
            assert fills[True] != fills[False]


def test_every_header_has_a_comment_with_kind_requirement_hint_and_choices(books):
    for book, sheet in schema.all_sheets():
        ws = books[book.filename][sheet.name]
        for ci, column in enumerate(sheet.columns, 1):
            comment = ws.cell(row=1, column=ci).comment
            assert comment is not None, (sheet.name, column.name)
            text = comment.text
            assert schema.KIND_ZH[column.kind] in text
            assert ("必填" in text) if column.required else ("可不填" in text)
            if column.hint:
                assert column.hint in text
            for choice in column.choices:
                assert choice in text


def test_drop_downs_for_choices_and_yes_no_hints_for_multi(books):
    for book, sheet in schema.all_sheets():
        if sheet.settings:
            continue
        ws = books[book.filename][sheet.name]
        dvs = _validations(ws)
        for ci, column in enumerate(sheet.columns, 1):
            letter = openpyxl.utils.get_column_letter(ci)
            dv = dvs[letter]
            assert dv.showInputMessage and dv.prompt, column.name
            assert [r.coord for r in dv.sqref.ranges] == [f"{letter}2:{letter}1048576"]
            if column.kind == schema.ENUM:
                assert dv.type == "list"
                assert dv.formula1 == '"' + ",".join(column.choices) + '"'
            elif column.kind == schema.BOOL:
                assert dv.type == "list"
                assert dv.formula1 == '"' + ",".join(BOOL_CHOICES) + '"'
            elif column.ref in schema.DROPDOWN_REFS:  # names from another sheet, as declared there
                assert dv.type == "list" and dv.errorStyle == "warning", column.name
                lists = books[book.filename][schema.LISTS_SHEET]
                assert lists.sheet_state == "veryHidden"
                [listed] = [c for c in lists[1] if c.value == column.ref]
                assert dv.formula1 == (f"OFFSET('{schema.LISTS_SHEET}'!${listed.column_letter}$2,0,0,"
                                       f"MAX(1,COUNTA('{schema.LISTS_SHEET}'!${listed.column_letter}:"
                                       f"${listed.column_letter})-1),1)")
                values = [c.value for c in lists[listed.column_letter][1:]]
                assert values == [schema.sheet(column.ref).key_column.example], column.name
            else:
                assert dv.type is None, column.name  # MULTI and the rest: input hint only
                if column.kind == schema.MULTI:
                    assert "、".join(column.choices) in dv.prompt


def test_number_formats_keep_ids_as_text_and_dates_and_money_formatted(books):
    for book, sheet in schema.all_sheets():
        if sheet.settings:
            continue
        ws = books[book.filename][sheet.name]
        for ci, column in enumerate(sheet.columns, 1):
            letter = openpyxl.utils.get_column_letter(ci)
            col_format = ws.column_dimensions[letter].number_format
            example = ws.cell(row=2, column=ci)
            if column.kind in (schema.IDNO, schema.PHONE, schema.CODE):
                assert col_format == "@", column.name  # the whole column, not just row 2
                if example.value is not None:
                    assert example.number_format == "@" and example.data_type == "s"
            elif column.kind == schema.DATE:
                assert col_format == "yyyy-mm-dd"
                if example.value is not None:
                    assert example.number_format == "yyyy-mm-dd"
            elif column.kind == schema.MONEY:
                assert col_format == "#,##0.00"
    bank = schema.WORKERS.column("bank_account")
    assert bank.kind == schema.CODE  # bank numbers are covered by the CODE rule


def test_example_row_holds_the_schema_examples_with_their_types(folder):
    """Read back with the same reader bangfu uses: IDs stay text, dates are dates."""
    for book in schema.BOOKS:
        wb = CalamineWorkbook.from_path(str(folder / book.filename))
        for sheet in book.sheets:
            rows = wb.get_sheet_by_name(sheet.name).to_python()
            if sheet.settings:
                continue
            if not any(c.example is not None for c in sheet.columns):
                assert rows == [[c.name for c in sheet.columns]], sheet.name  # headers only (梯次帮扶)
                continue
            assert len(rows) == 2, sheet.name
            for column, value in zip(sheet.columns, rows[1]):
                ex = column.example
                if ex is None or ex == "":
                    assert value == "", column.name
                elif column.kind in (schema.IDNO, schema.PHONE, schema.CODE, schema.TEXT,
                                     schema.ENUM, schema.MULTI):
                    assert value == ex, column.name
                elif column.kind == schema.BOOL:
                    assert value == ("是" if ex else "否")
                elif column.kind == schema.DATE:
                    assert value in (ex, datetime(ex.year, ex.month, ex.day))
                else:
                    assert Decimal(str(value)) == Decimal(ex), column.name
        wb.close()


def test_settings_sheet_has_one_row_per_entry_with_example_and_note(books):
    ws = books[schema.POLICY.filename][schema.SETTINGS.name]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(c.name for c in schema.SETTING_COLUMNS)
    assert [r[0] for r in rows[1:]] == [e.name for e in schema.SETTINGS.entries]
    by_name = {r[0]: r for r in rows[1:]}
    for entry in schema.SETTINGS.entries:
        _, value, note = by_name[entry.name]
        if entry.kind == schema.BOOL:
            assert value == ("是" if entry.example else "否")
            dv = _validations(ws)[f"B{rows.index(by_name[entry.name]) + 1}"]
            assert dv.formula1 == '"是,否"'
        elif entry.example is None:
            assert value is None
        else:
            assert value == entry.example
        if entry.hint:
            assert entry.hint in note
        if entry.required:
            assert "必填" in note


def test_calendar_example_is_a_real_2027_holiday(folder):
    outcome = check_folder(folder, today=TODAY)
    (day,) = outcome.records.calendar
    assert (day.date, day.kind, day.note) == (date(2027, 1, 1), "休息日", "元旦")


def test_refuses_to_overwrite_unless_asked(tmp_path):
    write_blank_workbooks(tmp_path)
    existing = tmp_path / schema.REGISTER.filename
    existing.write_bytes(b"clerk's data")
    with pytest.raises(FileExistsError) as info:
        write_blank_workbooks(tmp_path)
    assert info.value.errno == errno.EEXIST
    assert info.value.filename == str(existing)
    assert existing.read_bytes() == b"clerk's data"
    write_blank_workbooks(tmp_path, overwrite=True)
    assert existing.read_bytes()[:2] == b"PK"


def test_cli_init_creates_the_folder_and_refuses_a_second_time(tmp_path):
    target = tmp_path / "new" / "records"
    runner = CliRunner()
    first = runner.invoke(cli, ["init", str(target)])
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in target.iterdir()) == sorted(b.filename for b in schema.BOOKS)
    assert "已生成" in first.output
    second = runner.invoke(cli, ["init", str(target)])
    assert second.exit_code == 1
    assert "已存在" in second.output and "--force" in second.output
    forced = runner.invoke(cli, ["init", str(target), "--force"])
    assert forced.exit_code == 0
