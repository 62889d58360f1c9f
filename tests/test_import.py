"""`bangfu import`: registers shaped like the ones stations keep (tests/registers.py) are
moved into bangfu's workbooks; the mapping, the rows and the problems are asserted exactly."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator import schema
from generator.cli import cli
from generator.importing import import_registers
from generator.pipeline import check_folder
from generator.reading import read_records
from generator.templates import write_blank_workbooks

import registers as R
from office import convert

TODAY = date(2026, 11, 23)

MERGED_MAPPING = [
    ("A", "序号", None), ("B", "姓名*", "困难职工.姓名"), ("C", "性别", "困难职工.性别"),
    ("D", "身份证号码", "困难职工.身份证号"), ("E", "联系电话", "困难职工.手机号码"),
    ("F", "工作单位", "困难职工.工作单位"), ("G", "家庭情况/家庭人口", "困难职工.家庭人口"),
    ("H", "家庭情况/家庭年收入(元)", "困难职工.家庭年收入"),
    ("I", "家庭情况/月人均收入（元）", "困难职工.家庭月人均收入"), ("K", "困难类型", "困难职工.困难类别"),
    ("L", "家庭成员/姓名", "家庭成员.姓名"), ("M", "家庭成员/与户主关系", "家庭成员.与户主关系"),
    ("N", "家庭成员/身份证号", "家庭成员.身份证号"),
]
RELATION_MAPPING = [
    ("A", "档案编号", "困难职工.档案编号"), ("B", "户主姓名", "困难职工.姓名"),
    ("C", "与户主关系", "家庭成员.与户主关系"), ("D", "性别", "困难职工.性别"),
    ("E", "出生日期", "困难职工.出生日期"), ("F", "公民身份号码", "困难职工.身份证号"),
    ("G", "手机号码", "困难职工.手机号码"), ("H", "工作单位", "困难职工.工作单位"),
    ("I", "家庭年度总收入", "困难职工.家庭年收入"), ("J", "家庭人口", "困难职工.家庭人口"),
    ("K", "主要致困原因", "困难职工.主要致困原因"), ("L", "健康状况", "困难职工.健康状况"),
    ("M", "建档日期", "困难职工.建档日期"),
]
PAYOUT_MAPPING = [
    ("A", "序号", None), ("B", "姓名", "帮扶发放.姓名"), ("C", "身份证号码", "困难职工.身份证号"),
    ("D", "救助项目", "帮扶发放.帮扶项目"), ("E", "发放金额（元）", "帮扶发放.金额"),
    ("F", "发放时间", "帮扶发放.发放日期"), ("G", "签收", "帮扶发放.已签收"),
]
MERGED = "merged_family_register"
RELATION = "relation_register"
PAYOUTS = "payout_list"
# (file, sheet, cell, code) of every problem the corpus has, at its place in the source
SOURCE_PROBLEMS = {
    (f"{MERGED}.xlsx", "2023年困难职工", "H8", "money-capitals"),
    (f"{MERGED}.xlsx", "2023年困难职工", "M8", "enum-normalised"),  # 女儿 read as 子女
    (f"{RELATION}.xlsx", "档案", "C3", "import-row-unplaced"),  # a family row before any worker
    (f"{RELATION}.xlsx", "档案", "G5", "import-cell-dropped"),  # a phone on a family row
    (f"{RELATION}.xlsx", "档案", "F7", "idno-as-number"),
    (f"{RELATION}.xlsx", "档案", "I7", "type-money"),  # 1.2万
    (f"{PAYOUTS}.xlsx", "发放明细", "E4", "money-capitals"),
    (f"{PAYOUTS}.xlsx", "发放明细", "C5", "import-row-unplaced"),  # nobody with that ID or name
}


def _corpus(folder: Path, suffix: str = "xlsx") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [R.merged_family_register(folder / f"{MERGED}.xlsx"), R.relation_register(folder / f"{RELATION}.xlsx"),
             R.payout_list(folder / f"{PAYOUTS}.xlsx")]
    return paths if suffix == "xlsx" else convert(paths, suffix, folder / suffix)


def _mapping(outcome, file: str):
    return [(m.source.letter, m.source.name, m.target.label if m.target else None)
            for m in outcome.mappings if m.file == file]


def _digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture()
def corpus(tmp_path):
    return _corpus(tmp_path / "老台账")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The corpus imported once into a new station folder: (sources, digests before, site, outcome)."""
    root = tmp_path_factory.mktemp("imported")
    sources = _corpus(root / "老台账")
    before = _digest(sources)
    outcome = import_registers(sources, root / "我的站点")
    return sources, before, root / "我的站点", outcome


def test_mapping_rows_and_problems_of_the_corpus(imported):
    corpus, before, site, outcome = imported
    assert _mapping(outcome, f"{MERGED}.xlsx") == MERGED_MAPPING
    assert _mapping(outcome, f"{RELATION}.xlsx") == RELATION_MAPPING
    assert _mapping(outcome, f"{PAYOUTS}.xlsx") == PAYOUT_MAPPING
    assert outcome.counts == {"困难职工": 5, "家庭成员": 5, "帮扶发放": 2}
    assert outcome.ignored == 4  # the totals rows and the two note lines
    assert {(p.file, p.sheet, p.cell, p.code) for p in outcome.problems} == SOURCE_PROBLEMS
    assert _digest(corpus) == before  # the originals are only read

    records = read_records(site).records
    workers = {w.name: w for w in records.workers}
    assert list(workers) == ["张晓明", "王建国", "李秀英", "孙强", "钱芳"]
    zhang = workers["张晓明"]
    assert (zhang.archive_no, zhang.id_number, zhang.phone, zhang.household_income, zhang.household_size,
            zhang.category) == ("DA-0001", R.ID_ZHANG, "13805310001", Decimal("30000.00"), 3, "深度困难")
    assert workers["李秀英"].household_income == Decimal("18000.00")  # 壹万捌仟元整
    assert workers["王建国"].phone == "0531-88881234"
    sun = workers["孙强"]
    assert (sun.archive_no, sun.birth_date, sun.registered, sun.cause, sun.health) == (
        "XB-001", date(1972, 3, 4), date(2019, 5, 6), "患重特大疾病", "恶性肿瘤")
    assert workers["钱芳"].phone == "13805310004"  # full-width digits
    assert [(m.archive_no, m.name, m.relation) for m in records.members] == [
        ("DA-0001", "刘桂芳", "配偶"), ("DA-0001", "张小虎", "子女"), ("DA-0003", "李小花", "子女"),
        ("XB-001", "周丽", "配偶"), ("XB-001", "孙磊", "子女")]
    assert records.members[1].id_number == R.ID_ZHANG_SON
    assert records.members[4].school_or_employer == "示范中学"  # 工作单位 on a family row
    assert [(p.archive_no, p.name, p.item, p.amount, p.paid, p.signed) for p in records.payouts] == [
        ("DA-0001", "张晓明", "送温暖", Decimal("3000.00"), date(2024, 1, 20), True),
        ("DA-0002", "王建国", "送温暖", Decimal("3000.00"), date(2024, 1, 21), True)]
    assert [p.record_no for p in records.payouts] == ["DF-0001", "DF-0002"]


def test_the_result_goes_through_check(imported):
    site = imported[2]
    outcome = check_folder(site, TODAY)
    codes = {(p.sheet, p.code) for p in outcome.problems}
    # what an old register lacks is asked for in the new workbooks, at the new cells
    assert codes == {
        ("困难职工", "required"), ("困难职工", "ref-missing"), ("困难职工", "idno-as-number"),
        ("困难职工", "type-money"), ("帮扶发放", "required"), ("帮扶发放", "ref-missing"),
        # the funds and policy workbooks the import did not fill keep init's examples, which
        # check points out until the clerk replaces them
        ("资金账户", "example-row"), ("资金收入", "example-row"), ("其他支出", "example-row"),
        ("站点设置", "example-settings")}
    # a value the import could not read is kept as it was, so check points at it in the new file
    assert {p.cell for p in outcome.problems if p.code in ("type-money", "idno-as-number")} == {"Z6", "F6"}
    assert ("家庭成员", "F4") not in {(p.sheet, p.cell) for p in outcome.problems}  # 女儿 became 子女
    assert all(p.file in {b.filename for b in schema.BOOKS} for p in outcome.problems)
    wb = openpyxl.load_workbook(site / "困难职工档案.xlsx")
    ws = wb["困难职工"]
    assert ws["B2"].value == "张晓明" and ws["F2"].value == R.ID_ZHANG and ws["F2"].number_format == "@"
    assert ws.max_row == 6  # no example row in a workbook made by import


def test_running_again_adds_nothing_twice(imported, tmp_path):
    corpus = imported[0]
    site = tmp_path / "我的站点"
    shutil.copytree(imported[2], site)
    again = import_registers(corpus, site)
    assert again.counts == {}
    assert again.skipped == 5 + 5 + 2  # households with their members, and payouts
    assert len(read_records(site).records.workers) == 5
    exists = sorted(p.cell for p in again.problems if p.code == "import-row-exists")
    assert exists == sorted(["D5", "D7", "D8", "F4", "F7", "A3", "A4"])


@pytest.mark.slow  # writes the four workbooks from templates (about 1.5 s)
def test_the_clerk_corrects_the_mapping_sheet(corpus, tmp_path):
    site = tmp_path / "我的站点"
    first = import_registers(corpus, site, write=False)
    assert first.written == [] and not (site / "困难职工档案.xlsx").exists()
    path = site / schema.IMPORT_MAPPING_FILE
    wb = openpyxl.load_workbook(path)
    ws = wb["导入对照"]
    assert [c.value for c in ws[1]] == ["源文件", "工作表", "列", "源列名", "示例值", "导入到", "说明"]
    rows = {(r[0].value, r[2].value): r for r in ws.iter_rows(min_row=2)}
    assert rows[(f"{MERGED}.xlsx", "E")][4].value == "13805310001"
    rows[(f"{MERGED}.xlsx", "E")][5].value = "不导入"  # the phones stay behind
    rows[(f"{MERGED}.xlsx", "F")][5].value = "困难职工.所属工会"  # this column held the union, not the employer
    wb.save(path)
    outcome = import_registers(corpus, site)
    assert outcome.mapping_from_sheet
    assert {m[0]: m[2] for m in _mapping(outcome, f"{MERGED}.xlsx")}["F"] == "困难职工.所属工会"
    zhang = read_records(site).records.workers[0]
    assert (zhang.phone, zhang.employer, zhang.union_branch) == (None, None, "示范镇机械厂")
    assert openpyxl.load_workbook(path)["导入对照"]["F6"].value == "不导入"  # the choice is kept


def test_a_wrong_choice_in_the_mapping_sheet_stops_the_import(corpus, tmp_path):
    site = tmp_path / "我的站点"
    import_registers(corpus, site, write=False)
    path = site / schema.IMPORT_MAPPING_FILE
    wb = openpyxl.load_workbook(path)
    wb["导入对照"]["F3"] = "困难职工.名字"
    wb.save(path)
    outcome = import_registers(corpus, site)
    assert [(p.code, p.file, p.cell) for p in outcome.problems if p.is_error and p.code.startswith("import-m")] == [
        ("import-mapping-invalid", schema.IMPORT_MAPPING_FILE, "F3")]
    assert outcome.refused and outcome.written == [] and not (site / "困难职工档案.xlsx").exists()


@pytest.mark.slow  # writes the four workbooks from templates (about 1.5 s)
def test_cli_shows_the_mapping_first_and_writes_on_the_second_run(corpus, tmp_path):
    site = tmp_path / "我的站点"
    runner = CliRunner()
    args = ["import", *map(str, corpus), "--into", str(site)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "B 姓名* → 困难职工.姓名" in first.output and "还没有写入工作簿" in first.output
    assert sorted(p.name for p in site.iterdir()) == [schema.IMPORT_MAPPING_FILE]
    second = runner.invoke(cli, args)
    assert second.exit_code == 0 and "已导入：困难职工 5 行，家庭成员 5 行，帮扶发放 2 行。" in second.output
    assert (site / "困难职工档案.xlsx").exists()
    dry = runner.invoke(cli, [*args, "--dry-run"])
    assert "没有写入任何文件" in dry.output and "可导入：0 行" in dry.output


@pytest.mark.slow  # writes the four workbooks from templates (about 1.5 s)
def test_import_into_an_initialised_station_offers_its_lists(corpus, tmp_path):
    site = tmp_path / "我的站点"
    write_blank_workbooks(site)
    policy = site / "帮扶政策.xlsx"
    wb = openpyxl.load_workbook(policy)
    wb["帮扶项目"]["A3"] = "送温暖"
    wb.save(policy)
    (site / "帮扶记录.xlsx").unlink()  # made new by the import, with the policy's lists
    import_registers(corpus, site)
    register = openpyxl.load_workbook(site / "困难职工档案.xlsx")
    # init's example worker has 张晓明's ID number: he is already there, the others follow
    assert [c.value for c in register["困难职工"]["B"]] == ["姓名", "张晓明", "王建国", "李秀英", "孙强", "钱芳"]
    wb = openpyxl.load_workbook(site / "帮扶记录.xlsx")
    assert wb["帮扶发放"].max_row == 3
    assert _listed(wb, "帮扶发放", "D", "policy.items") == ["医疗救助（大病）", "送温暖"]
    # an existing workbook the import writes to gets its lists refreshed too
    (site / "帮扶资金.xlsx").unlink()
    register["困难职工"].delete_rows(3, 5)
    register.save(site / "困难职工档案.xlsx")
    wb = openpyxl.load_workbook(policy)
    wb["困难类别"]["A3"] = "相对困难"
    wb.save(policy)
    import_registers(corpus[:1], site)
    register = openpyxl.load_workbook(site / "困难职工档案.xlsx")
    assert _listed(register, "困难职工", "P", "policy.categories") == ["深度困难", "相对困难"]


def _listed(wb, sheet: str, letter: str, ref: str) -> list:
    """The names the drop-down of a column offers, read from the lists sheet it points to."""
    dv = next(d for d in wb[sheet].data_validations.dataValidation if str(d.sqref).startswith(f"{letter}2"))
    lists = wb[schema.LISTS_SHEET]
    [head] = [c for c in lists[1] if c.value == ref]
    assert f"${head.column_letter}$2" in dv.formula1
    return [c.value for c in lists[head.column_letter][1:] if c.value is not None]


def test_family_columns_without_a_way_to_split(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "工作单位", "与户主关系"])
    ws.append(["张晓明", R.ID_ZHANG, "示范镇机械厂", "户主"])
    ws.append(["刘桂芳", R.ID_LIU, None, "配偶"])
    wb.save(tmp_path / "a.xlsx")
    outcome = import_registers([tmp_path / "a.xlsx"], tmp_path / "s", write=False)
    assert outcome.counts == {"困难职工": 1, "家庭成员": 1} and outcome.problems == []
    ws["D1"] = "单位或学校"  # a family column, but nothing says which rows are family
    ws["D3"] = "示范小学"
    wb.save(tmp_path / "b.xlsx")
    outcome = import_registers([tmp_path / "b.xlsx"], tmp_path / "t", write=False)
    assert outcome.counts == {"困难职工": 2}
    assert [(p.code, p.cell) for p in outcome.problems] == [("import-split-failed", "D1")]


def test_unreadable_sources_and_the_target_itself_are_refused(corpus, tmp_path):
    site = tmp_path / "我的站点"
    et = tmp_path / "台账.et"
    et.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    outcome = import_registers([*corpus, et], site)
    assert [(p.code, p.file) for p in outcome.problems if p.is_error and p.code.startswith("import-s")] == [
        ("import-source-unreadable", "台账.et")]
    assert "WPS" in next(p.message for p in outcome.problems if p.file == "台账.et")
    assert outcome.refused and not site.exists()
    result = CliRunner().invoke(cli, ["import", str(et), "--into", str(site), "--yes"])
    assert result.exit_code == 2 and "没有写入任何工作簿" in result.output and not site.exists()
    site.mkdir()
    target = site / "困难职工档案.xlsx"
    shutil.copy(corpus[0], target)
    outcome = import_registers([target], site)
    assert outcome.refused and [p.code for p in outcome.problems] == ["import-source-unreadable"]
    assert "目标文件" in outcome.problems[0].message and target.read_bytes() == corpus[0].read_bytes()


def test_totals_notes_and_spacer_columns_with_data_are_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["困难职工名单"])
    ws.append(["姓名", "身份证号", None, "工作单位", "爱好"])
    ws.append(["张晓明", R.ID_ZHANG, "看这里", "示范镇机械厂", "下棋"])
    ws.append([None, None, None, None, "钓鱼"])  # only in a column that is not imported
    ws.append(["总计：1 人"])
    ws.append(["说明：以上名单经公示无异议"])
    ws.append(["王建国"])  # below the notes: not data
    wb.save(tmp_path / "名单.xlsx")
    outcome = import_registers([tmp_path / "名单.xlsx"], tmp_path / "s", write=False)
    assert outcome.counts == {"困难职工": 1} and outcome.ignored == 3
    assert {(p.cell, p.code) for p in outcome.problems} == {
        ("C2", "import-column-unmapped"), ("E2", "import-column-unmapped"),
        ("A4", "import-row-unplaced")}  # no name, no ID: nothing to file it under


NATIONAL_MAPPING = [
    ("A", "档案编号", "困难职工.档案编号"), ("B", "姓名", "困难职工.姓名"), ("C", "身份证号", "困难职工.身份证号"),
    ("D", "家庭基本情况/收入情况/家庭年度总收入", "困难职工.家庭年收入"),
    ("E", "家庭基本情况/收入情况/本人月平均收入", None),
    ("F", "家庭基本情况/人口情况/家庭人口", "困难职工.家庭人口"),
    ("G", "家庭基本情况/人口情况/是否单亲", None),
]


def _three_row_header(folder: Path, suffix: str):
    folder.mkdir(parents=True, exist_ok=True)
    path = R.national_form_register(folder / "national.xlsx")
    source = path if suffix == "xlsx" else convert([path], suffix, folder / suffix)[0]
    outcome = import_registers([source], folder / "站点")
    assert _mapping(outcome, source.name) == NATIONAL_MAPPING
    assert outcome.counts == {"困难职工": 1}
    assert {(p.cell, p.code) for p in outcome.problems} == {
        ("E2", "import-column-unmapped"), ("G2", "import-column-unmapped")}
    worker = read_records(folder / "站点").records.workers[0]
    assert (worker.archive_no, worker.household_income, worker.household_size) == ("GJ-0001", Decimal("20000.00"), 2)


def test_a_three_row_merged_header_is_flattened(tmp_path):
    _three_row_header(tmp_path, "xlsx")


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_a_three_row_header_in_xls_and_ods(tmp_path, suffix):
    _three_row_header(tmp_path, suffix)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_xls_and_ods_registers_import_like_xlsx(tmp_path, suffix):
    sources = _corpus(tmp_path / "老台账", suffix)
    outcome = import_registers(sources, tmp_path / "站点")
    assert _mapping(outcome, f"{MERGED}.{suffix}") == MERGED_MAPPING
    assert _mapping(outcome, f"{RELATION}.{suffix}") == RELATION_MAPPING
    assert _mapping(outcome, f"{PAYOUTS}.{suffix}") == PAYOUT_MAPPING
    assert outcome.counts == {"困难职工": 5, "家庭成员": 5, "帮扶发放": 2}
    assert {(p.file, p.sheet, p.cell, p.code) for p in outcome.problems} == {
        (f.replace(".xlsx", f".{suffix}"), s, c, code) for f, s, c, code in SOURCE_PROBLEMS}


def test_missing_empty_and_broken_inputs_are_problems_not_crashes(tmp_path):
    empty = tmp_path / "空表.xlsx"
    openpyxl.Workbook().save(empty)
    (tmp_path / "文件夹").mkdir()
    site = tmp_path / "站点"
    outcome = import_registers([empty, tmp_path / "文件夹", tmp_path / "没有这个.xls"], site, write=False)
    assert sorted((p.code, p.file) for p in outcome.problems) == [
        ("import-sheet-skipped", "空表.xlsx"), ("import-source-unreadable", "文件夹"),
        ("import-source-unreadable", "没有这个.xls")]
    assert outcome.refused and not site.exists()
    site.mkdir()
    (site / schema.IMPORT_MAPPING_FILE).write_text("不是表格", encoding="utf-8")
    outcome = import_registers([R.payout_list(tmp_path / "发放.xlsx")], site)
    assert [(p.code, p.file) for p in outcome.problems if p.code == "import-source-unreadable"] == [
        ("import-source-unreadable", schema.IMPORT_MAPPING_FILE)]
    assert outcome.refused and (site / schema.IMPORT_MAPPING_FILE).read_text(encoding="utf-8") == "不是表格"


def test_a_two_row_header_without_merged_cells(tmp_path):
    """Some programs save merged headers as a label in the first cell only: the label spans its group."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "家庭情况", None, "备注"])
    ws.append([None, None, "家庭人口", "家庭年收入（元）", None])
    ws.append(["张晓明", R.ID_ZHANG, 3, 30000, "无"])
    wb.save(tmp_path / "a.xlsx")
    outcome = import_registers([tmp_path / "a.xlsx"], tmp_path / "s", write=False)
    assert _mapping(outcome, "a.xlsx") == [
        ("A", "姓名", "困难职工.姓名"), ("B", "身份证号", "困难职工.身份证号"),
        ("C", "家庭情况/家庭人口", "困难职工.家庭人口"), ("D", "家庭情况/家庭年收入（元）", "困难职工.家庭年收入"),
        ("E", "备注", "困难职工.备注")]
    assert outcome.counts == {"困难职工": 1} and outcome.problems == []
