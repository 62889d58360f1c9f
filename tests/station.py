"""A tiny, valid station written with openpyxl: the base every rule test breaks.

    data = station_data()
    data["帮扶记录.xlsx"]["帮扶发放"][0]["金额"] = 500
    write_station(tmp_path, data)

Values are what a clerk would type; `None` leaves a cell empty. Columns are
written in schema order, so cell references follow the schema.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import openpyxl

from generator import schema
from generator.idcard import check_digit
from generator.pipeline import check_folder

TODAY = date(2026, 11, 23)


def idno(first17: str) -> str:
    return first17 + check_digit(first17)


ID_1 = idno("37010219780512003")  # 男 1978-05-12
ID_2 = idno("37010219860304002")  # 女 1986-03-04
ID_SPOUSE = idno("37010219800101002")
ID_CHILD = idno("37010220080909003")

_BASE = {
    "帮扶政策.xlsx": {
        "站点设置": [
            {"设置项": "站点名称", "值": "测试镇总工会困难职工帮扶站"},
            {"设置项": "上级工会", "值": "测试县总工会"},
            {"设置项": "地址", "值": "测试镇人民路 1 号"},
            {"设置项": "电话", "值": "0531-88881234"},
            {"设置项": "维权帮扶热线", "值": "12351"},
            {"设置项": "公示天数", "值": 7},
            {"设置项": "公示名单保留天数", "值": 30},
            {"设置项": "公开完整姓名", "值": "否"},
            {"设置项": "统计最小显示人数", "值": 3},
        ],
        "困难类别": [
            {"类别名称": "深度困难", "收入上限倍数": 1, "认定条件": "月人均收入低于低保线"},
            {"类别名称": "相对困难", "收入上限倍数": 2, "认定条件": "月人均收入低于 2 倍低保线"},
            {"类别名称": "意外致困", "收入上限倍数": None, "认定条件": "突发事件致困"},
        ],
        "低保标准": [
            {"年度": 2024, "每人每月金额": 1001},
            {"年度": 2025, "每人每月金额": 1030},
            {"年度": 2026, "每人每月金额": 1062},
        ],
        "帮扶项目": [
            {"项目名称": "生活救助", "项目类别": "生活救助", "标准方式": "固定金额", "固定金额": 300,
             "收入条件": "低于2倍低保线", "对象条件": "月人均收入低于 2 倍低保线的困难职工",
             "所需材料": "身份证、收入证明", "办理时限": 6, "频次": "每年", "次数上限": 1, "需公示": "是"},
            {"项目名称": "大病救助", "项目类别": "医疗救助", "标准方式": "比例封顶", "起付线": 5000,
             "比例": "80%", "封顶金额": 10000, "收入条件": "不限", "对象条件": "患重大疾病的困难职工",
             "所需材料": "病情证明、医疗费票据", "办理时限": 6, "频次": "每年", "次数上限": 1, "需公示": "是"},
            {"项目名称": "法律援助", "项目类别": "法律援助", "标准方式": "非现金", "收入条件": "不限",
             "对象条件": "合法权益受到侵害的职工", "所需材料": "会员证", "办理时限": 7, "频次": "不限",
             "需公示": "否"},
        ],
        "调休安排": [
            {"日期": date(2027, 1, 1), "类型": "休息日", "说明": "元旦"},
        ],
    },
    "困难职工档案.xlsx": {
        "困难职工": [
            {"档案编号": "SF-0001", "姓名": "张晓明", "性别": "男", "出生日期": date(1978, 5, 12),
             "身份证号": ID_1, "手机号码": "13805310001", "家庭住址": "测试镇幸福路 12 号",
             "工作单位": "测试机械厂", "工作状态": "在岗", "困难类别": "相对困难",
             "主要致困原因": "患重特大疾病", "健康状况": "良好", "家庭人口": 3, "家庭年收入": 36000,
             "刚性支出": 12000, "低保情况": "非低保", "档案状态": "在档", "申请日期": date(2024, 2, 20),
             "建档公示批次": "GS-2024-01", "建档日期": date(2024, 3, 10), "最近复核日期": date(2026, 3, 10)},
            {"档案编号": "SF-0002", "姓名": "李红", "性别": "女", "出生日期": date(1986, 3, 4),
             "身份证号": ID_2, "手机号码": "13905310002", "家庭住址": "测试镇和平街 3 号",
             "工作单位": "测试物流公司", "工作状态": "农民工", "入职日期": date(2020, 1, 1),
             "困难类别": "相对困难", "主要致困原因": "患重特大疾病", "健康状况": "恶性肿瘤", "家庭人口": 1,
             "家庭年收入": 18000, "低保情况": "非低保", "档案状态": "在档", "申请日期": date(2024, 2, 21),
             "建档公示批次": "GS-2024-01", "建档日期": date(2024, 3, 10), "最近复核日期": date(2026, 3, 10)},
        ],
        "家庭成员": [
            {"档案编号": "SF-0001", "姓名": "刘芳", "与户主关系": "配偶", "性别": "女",
             "出生日期": date(1980, 1, 1), "身份证号": ID_SPOUSE, "健康状况": "恶性肿瘤", "月收入": 0},
            {"档案编号": "SF-0001", "姓名": "张小宇", "与户主关系": "子女", "性别": "男",
             "出生日期": date(2008, 9, 9), "身份证号": ID_CHILD, "身份": "学生"},
        ],
        "走访记录": [
            {"档案编号": "SF-0001", "走访日期": date(2024, 2, 26), "走访类型": "入户调查", "走访人": "李文"},
        ],
    },
    "帮扶记录.xlsx": {
        "帮扶发放": [
            {"记录编号": "FF-0001", "档案编号": "SF-0001", "姓名": "张晓明", "帮扶项目": "生活救助",
             "申请日期": date(2024, 3, 20), "核实日期": date(2024, 3, 25), "公示批次": "GS-2024-02",
             "批准日期": date(2024, 4, 10), "发放日期": date(2024, 4, 12), "金额": 300,
             "资金账户": "上级帮扶专项资金", "发放方式": "银行卡", "已签收": "是", "签收日期": date(2024, 4, 12)},
            {"记录编号": "FF-0002", "档案编号": "SF-0002", "姓名": "李红", "帮扶项目": "大病救助",
             "申请日期": date(2024, 3, 21), "核实日期": date(2024, 3, 26), "公示批次": "GS-2024-02",
             "批准日期": date(2024, 4, 10), "发放日期": date(2024, 4, 12), "金额": 8000, "医疗自付费用": 15000,
             "资金账户": "上级帮扶专项资金", "发放方式": "银行卡", "已签收": "是", "签收日期": date(2024, 4, 12)},
        ],
        "公示批次": [
            {"批次编号": "GS-2024-01", "公示标题": "2024年第一批困难职工建档公示", "公示类型": "建档公示",
             "开始日期": date(2024, 3, 1), "公示天数": 7},
            {"批次编号": "GS-2024-02", "公示标题": "2024年第一批帮扶公示", "公示类型": "帮扶公示",
             "开始日期": date(2024, 4, 1), "公示天数": 7},
        ],
        "异议处理": [
            {"异议编号": "YY-0001", "公示批次": "GS-2024-02", "收到日期": date(2024, 4, 3),
             "异议内容": "询问名单认定标准", "处理结果": "不成立", "处理日期": date(2024, 4, 5),
             "处理说明": "经复核，认定符合标准"},
        ],
    },
    "帮扶资金.xlsx": {
        "资金账户": [
            {"账户名称": "上级帮扶专项资金", "资金来源": "上级拨款", "允许用途": "生活救助、医疗救助",
             "期初日期": date(2024, 1, 1), "期初余额": 0},
            {"账户名称": "地方财政配套资金", "资金来源": "地方财政配套", "允许用途": "全部",
             "期初日期": date(2024, 1, 1), "期初余额": 0},
        ],
        "资金收入": [
            {"日期": date(2024, 1, 10), "资金账户": "上级帮扶专项资金", "来源类型": "上级拨款", "金额": 20000},
            {"日期": date(2024, 1, 15), "资金账户": "地方财政配套资金", "来源类型": "地方财政配套", "金额": 20000},
        ],
        "其他支出": [
            {"日期": date(2024, 5, 1), "资金账户": "地方财政配套资金", "用途": "法律援助", "金额": 1000,
             "摘要": "法律顾问服务费"},
        ],
    },
}


def station_data() -> dict:
    return copy.deepcopy(_BASE)


def write_station(folder: Path, data: dict | None = None) -> Path:
    """Write the four workbooks; header order from the schema, plus any extra keys given."""
    data = station_data() if data is None else data
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for book in schema.BOOKS:
        sheets = data.get(book.filename)
        if sheets is None:
            continue
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for sheet in book.sheets:
            if sheet.name not in sheets:
                continue
            ws = wb.create_sheet(sheet.name)
            rows = sheets[sheet.name]
            headers = [c.name for c in sheet.columns]
            for row in rows:
                headers += [k for k in row if k not in headers]
            ws.append(headers)
            for row in rows:
                ws.append([row.get(h) for h in headers])
                for cell in ws[ws.max_row]:
                    if isinstance(cell.value, str) and cell.value.startswith("=") and row.get("_formulas") is None:
                        cell.data_type = "s"  # a clerk's text that starts with "=", not a formula
        wb.save(folder / book.filename)
    return folder


def cell_of(sheet_name: str, column: str, index: int) -> str:
    """The A1 reference of data row `index` (0-based) in a column, in schema order."""
    from generator.reading.tables import column_letter

    for _, sheet in schema.all_sheets():
        if sheet.name == sheet_name:
            names = [c.name for c in sheet.columns]
            return f"{column_letter(names.index(column))}{index + 2}"
    raise KeyError(sheet_name)


def found(folder: Path, today: date = TODAY) -> set[tuple[str, str, str]]:
    """(sheet, cell, code) of every problem the checker reports."""
    outcome = check_folder(folder, today)
    return {(p.sheet, p.cell, p.code) for p in outcome.problems}


def problems(folder: Path, today: date = TODAY):
    return check_folder(folder, today).problems
