"""A corpus of registers shaped like the ones stations already keep, for `bangfu import` tests.

Each function writes one workbook with openpyxl (title rows, two- and three-row merged
headers, `*` marks, units in headers, phones and IDs stored as numbers, a one-sheet
worker+family layout, the national form's column names, totals and notes below) and
returns its path. Tests convert them to .xls/.ods with LibreOffice where it matters.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from station import idno

ID_ZHANG = idno("37010219750618001")
ID_LIU = idno("37010219770902002")
ID_ZHANG_SON = idno("37010220050311003")
ID_WANG = idno("37010219680101013")
ID_LI = idno("37010219820505024")
ID_LI_DAUGHTER = idno("37010220100707006")


def merged_family_register(path: Path) -> Path:
    """Title, a filler row, a two-row merged header with a family group, a spacer column,
    worker cells merged down over the family rows, a totals row and notes below."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2023年困难职工"
    ws["A1"] = "示范镇总工会困难职工档案登记表（2023年）"
    ws.merge_cells("A1:N1")
    ws["A2"] = "填报单位：示范镇总工会"
    ws["H2"] = "填报日期：2024年1月5日"
    top = ["序号", "姓名*", "性别", "身份证号码", "联系电话", "工作单位", "家庭情况", None, None, None,
           "困难类型", "家庭成员", None, None]
    low = [None, None, None, None, None, None, "家庭人口", "家庭年收入(元)", "月人均收入（元）", None, None,
           "姓名", "与户主关系", "身份证号"]
    for ci, (a, b) in enumerate(zip(top, low), 1):
        if a:
            ws.cell(row=3, column=ci, value=a)
        if b:
            ws.cell(row=4, column=ci, value=b)
    for col in "ABCDEFK":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("G3:I3")
    ws.merge_cells("L3:N3")
    rows = [
        [1, "张晓明", "男", ID_ZHANG, 13805310001, "示范镇机械厂", 3, "３００００", 833.33, None, "深度困难",
         "刘桂芳", "配偶", ID_LIU],
        [None, None, None, None, None, None, None, None, None, None, None, "张小虎", "子女", ID_ZHANG_SON],
        [2, "王建国", "男", ID_WANG, "0531-88881234", "示范镇纺织厂", 1, 12000, 1000, None, "相对困难",
         None, None, None],
        [3, "李秀英", "女", ID_LI, 13905310002, "示范镇供销社", 2, "壹万捌仟元整", 750, None, "相对困难",
         "李小花", "女儿", ID_LI_DAUGHTER],
    ]
    for ri, row in enumerate(rows, 5):
        for ci, value in enumerate(row, 1):
            if value is not None:
                ws.cell(row=ri, column=ci, value=value)
    for col in "ABCDEFGHIK":
        ws.merge_cells(f"{col}5:{col}6")
    ws["A9"] = "合计"
    ws["G9"] = 6
    ws["A11"] = "注：本表一式两份，一份报县总工会。"
    ws["A12"] = "制表人：李文"
    ws["H12"] = "审核人：王芳"
    wb.save(path)
    return path


def relation_register(path: Path) -> Path:
    """One set of columns; 与户主关系 says who is the worker (户主) and who is family; the
    national form's names; dates typed as text; a family row before any worker."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "档案"
    ws.append(["困难职工档案表"])
    ws.append(["档案编号", "户主姓名", "与户主关系", "性别", "出生日期", "公民身份号码", "手机号码",
               "工作单位", "家庭年度总收入", "家庭人口", "主要致困原因", "健康状况", "建档日期"])
    ws.append([None, "赵六", "配偶", "女", "1980-01-01", None, None, None, None, None, None, None, None])
    ws.append(["XB-001", "孙强", "户主", "男", "1972年3月4日", idno("37010219720304007"), "13805310003",
               "示范镇机械厂", 24000, 3, "患重特大疾病", "恶性肿瘤", "2019.05.06"])
    ws.append([None, "周丽", "配偶", "女", "1974-08-09", idno("37010219740809008"), "13905310009", None, None,
               None, None, "良好", None])  # the spouse's phone: family members have no phone column
    ws.append([None, "孙磊", "子女", "男", "2006-02-03", idno("37010220060203009"), None, "示范中学", None,
               None, None, "良好", None])
    ws.append(["XB-002", "钱芳", "本人", "女", "19790606", 3.70102197906060e17, "１３８０５３１０００４",
               "示范镇纺织厂", "1.2万", 1, "下岗失业", "良好", "2020-01-02"])
    wb.save(path)
    return path


def payout_list(path: Path) -> Path:
    """A payout list exported from a platform: title, units, numbers for IDs stored as text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发放明细"
    ws.append(["2024年两节送温暖发放明细"])
    ws.append(["序号", "姓名", "身份证号码", "救助项目", "发放金额（元）", "发放时间", "签收"])
    ws.append([1, "张晓明", ID_ZHANG, "送温暖", 3000, date(2024, 1, 20), "是"])
    ws.append([2, "王建国", ID_WANG, "送温暖", "叁仟元整", "2024/1/21", "是"])
    ws.append([3, "陈无名", idno("37010219900101010"), "送温暖", 3000, date(2024, 1, 21), "是"])
    ws.append(["合计", None, None, None, 9000, None, None])
    wb.save(path)
    return path


def national_form_register(path: Path) -> Path:
    """The national 困难职工档案表's names under a three-row merged header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "困难职工档案表"
    ws["A1"] = "困难职工档案表"
    ws.merge_cells("A1:G1")
    for cell, text in {"A2": "档案编号", "B2": "姓名", "C2": "身份证号", "D2": "家庭基本情况",
                       "D3": "收入情况", "F3": "人口情况", "D4": "家庭年度总收入", "E4": "本人月平均收入",
                       "F4": "家庭人口", "G4": "是否单亲"}.items():
        ws[cell] = text
    for col in "ABC":
        ws.merge_cells(f"{col}2:{col}4")
    ws.merge_cells("D2:G2")
    ws.merge_cells("D3:E3")
    ws.merge_cells("F3:G3")
    ws.append(["GJ-0001", "吴刚", idno("37010219700202011"), 20000, 1500, 2, "否"])
    wb.save(path)
    return path
