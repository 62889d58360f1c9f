"""Problems in user data are data: a stable code, a severity, a place, a message.

Every rule the reader or a check can raise is declared once in CATALOGUE with a
Chinese message template and the fix. `problem()` fills the template. The
README's "常见错误" section and the docs are generated from this catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ERROR = "error"
WARNING = "warning"

SEVERITY_ZH = {ERROR: "错误", WARNING: "提醒"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, as data: where (file, sheet, row, column key and the A1 cell derived from
    them; "" when the problem concerns a whole file, sheet or row), what (code, the message's
    parameters) and the Chinese message built from the catalogue's template."""
    code: str
    severity: str
    file: str
    sheet: str
    cell: str  # A1 reference ("B7") or ""
    message: str
    row: int = 0  # 1-based row in the sheet, 0 when none
    column_key: str = ""  # schema key of the column ("sex"), "" when none or unknown
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict:
        """The stable JSON shape of one problem (see README, "check --format json")."""
        return {"code": self.code, "severity": self.severity, "file": self.file, "sheet": self.sheet,
                "cell": self.cell, "row": self.row, "column_key": self.column_key, "message": self.message,
                "params": {k: _plain(v) for k, v in self.params.items()}}

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: str
    title: str  # short Chinese name of the problem, for the catalogue
    template: str  # Chinese message, str.format placeholders
    group: str = "值"  # 文件 / 结构 / 值 / 引用 / 业务


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.code: r for r in rules}


CATALOGUE: dict[str, Rule] = _rules(
    # --- files -----------------------------------------------------------
    Rule("example-row", WARNING, "示例行还在",
         "这一行是 bangfu init 生成的示例（{what}），不是本站的记录。请删除这一行后填写本站数据；有示例行时 bangfu build 不会发布网站。", "业务"),
    Rule("example-settings", WARNING, "站点设置还是示例",
         "“{entry}”还是示例值“{value}”。请改成本站的信息；站点设置是示例时 bangfu build 不会发布网站。", "业务"),
    Rule("folder-missing", ERROR, "找不到记录文件夹",
         "找不到记录文件夹“{file}”（或它不是文件夹）。请检查文件夹路径是否写对；新站点可先运行 bangfu init {file} 生成空白工作簿。", "文件"),
    Rule("file-missing", ERROR, "缺少工作簿",
         "找不到工作簿“{file}”。请把它放进记录文件夹；新站点可用 bangfu init 生成空白模板。", "文件"),
    Rule("file-old-excel", WARNING, "旧版 .xls 文件",
         "“{file}”是旧版 Excel 97-2003 (.xls) 格式，已照常读取。以后请保存为 .xlsx：用 Excel 或 WPS 打开，点“文件→另存为”，保存类型选“Excel 工作簿 (*.xlsx)”，文件名改为“{expected}”，再把 .xls 移出记录文件夹。", "文件"),
    Rule("file-ods", WARNING, "OpenDocument .ods 文件",
         "“{file}”是 OpenDocument (.ods) 格式，已照常读取。以后请保存为 .xlsx：在 WPS、LibreOffice 或 Excel 中“另存为”Excel 工作簿 (*.xlsx)，文件名改为“{expected}”，再把 .ods 移出记录文件夹。", "文件"),
    Rule("file-wps", ERROR, "WPS .et 文件",
         "“{file}”是 WPS 表格 (.et) 格式。请用 WPS 打开，点“文件→另存为”，文件类型选“Microsoft Excel 文件 (*.xlsx)”，文件名改为“{expected}”。", "文件"),
    Rule("file-csv", ERROR, "CSV 文件",
         "“{file}”是 CSV 文本文件，无法保存多个工作表和格式。请用 Excel 或 WPS 打开它，把内容放进模板的对应工作表，另存为“{expected}”(.xlsx)。", "文件"),
    Rule("file-encrypted", ERROR, "文件设置了密码",
         "“{file}”设置了打开密码，无法读取。请在 Excel 中点“文件→信息→保护工作簿→用密码进行加密”，清空密码后保存。", "文件"),
    Rule("file-corrupt", ERROR, "文件损坏",
         "“{file}”已损坏或不完整，无法作为 Excel 工作簿打开（{detail}）。请用备份替换它，或用 Excel 打开后“另存为”一份新的 .xlsx。", "文件"),
    Rule("file-xlsm", ERROR, "启用宏的工作簿",
         "“{file}”是启用宏的工作簿 (.xlsm)。bangfu 不使用宏，请在 Excel 中点“文件→另存为”，保存类型选“Excel 工作簿 (*.xlsx)”，文件名改为“{expected}”。", "文件"),
    Rule("file-xlsb", ERROR, "二进制工作簿",
         "“{file}”是 Excel 二进制工作簿 (.xlsb)，无法读取。请在 Excel 中点“文件→另存为”，保存类型选“Excel 工作簿 (*.xlsx)”后再放进记录文件夹。", "文件"),
    Rule("file-is-folder", ERROR, "同名的是文件夹",
         "记录文件夹中的“{file}”是一个文件夹，不是工作簿。请把它改名或移走，再放入真正的工作簿。", "文件"),
    Rule("file-special", ERROR, "不是普通文件",
         "“{file}”不是普通文件（可能是管道、设备或特殊链接），读取它会卡住。请用真正的 .xlsx 工作簿替换它。", "文件"),
    Rule("file-locked", ERROR, "文件被占用或没有权限",
         "无法打开“{file}”：文件正被其他程序占用，或当前用户没有读取权限。请在 Excel/WPS 中关闭它（或检查文件属性中的权限）后再运行。", "文件"),
    Rule("file-cannot-open", ERROR, "文件无法打开",
         "无法打开“{file}”（{detail}）。请检查文件是否还在、所在的磁盘或网络位置是否可用。", "文件"),
    Rule("file-not-workbook", ERROR, "不是 Excel 工作簿",
         "“{file}”不是 Excel 工作簿（{detail}）。请确认放入的是 .xlsx 文件。", "文件"),
    Rule("file-too-large", ERROR, "文件过大",
         "“{file}”解压后超过 {limit}，可能是损坏文件或末尾有大量带格式的空行。请删除多余的空行或工作表后再保存。", "文件"),
    Rule("date-absurd", ERROR, "日期格式的单元格数值不是日期",
         "工作表“{sheet}”的 {cell} 单元格设成了日期格式，但其中的数值 {value} 不是任何日期（在 Excel 中显示为 ####），整个工作簿因此无法读取。请改成正确的日期（如 2024-03-05），或清空该单元格后保存。", "文件"),
    Rule("sheet-stray-cell", ERROR, "远处有孤立的单元格",
         "工作表“{sheet}”的 {cell} 单元格有内容，离表格其他内容太远，使整个表格大到无法读取（{size}）。请在 Excel 中按 Ctrl+End 跳到它，删除这个单元格的内容（或整行、整列）后保存。", "文件"),
    Rule("file-unexpected", WARNING, "多余的文件",
         "记录文件夹中的“{file}”不是 bangfu 使用的工作簿，已忽略。如果它是某个工作簿的副本，请移走，以免混淆。", "文件"),
    Rule("file-lock", WARNING, "文件正被打开",
         "发现 Excel/WPS 的临时文件“{file}”，说明有工作簿正在被编辑。请先保存并关闭工作簿，再运行 bangfu。", "文件"),
    # --- structure -------------------------------------------------------
    Rule("sheet-missing", ERROR, "缺少工作表",
         "工作簿中找不到工作表“{expected}”。{suggestion}请不要改动工作表名称。", "结构"),
    Rule("sheet-hidden", WARNING, "工作表被隐藏",
         "工作表“{sheet}”被隐藏了。bangfu 仍会读取它；如需查看，请右键工作表标签选择“取消隐藏”。", "结构"),
    Rule("sheet-unexpected", WARNING, "多余的工作表",
         "工作表“{sheet}”不是 bangfu 使用的工作表，其中的内容不会被读取。{suggestion}", "结构"),
    Rule("header-not-first-row", ERROR, "表头不在第 1 行",
         "表头应在第 1 行，但在第 {found} 行找到了表头。请删除表头上方的 {extra} 行（标题、说明等），让第 1 行就是列名。", "结构"),
    Rule("column-missing", ERROR, "缺少必填列",
         "缺少必填列“{column}”。{suggestion}", "结构"),
    Rule("column-duplicate", ERROR, "列名重复",
         "列名“{column}”出现了不止一次（另见 {other}）。请删除或改名重复的列，每个列名只能出现一次。", "结构"),
    Rule("column-unknown", WARNING, "无法识别的列",
         "无法识别列“{column}”，这一列不会被读取。{suggestion}", "结构"),
    Rule("column-renamed", WARNING, "列名写法不同",
         "列名“{found}”已按“{column}”读取。建议把列名改为标准写法“{column}”。", "结构"),
    Rule("merged-cells", ERROR, "数据区有合并单元格",
         "单元格 {range} 被合并了。数据区不能合并单元格：请选中后点“合并后居中”取消合并，并在每一行填上完整的值。", "结构"),
    Rule("too-many-rows", ERROR, "行数超过上限",
         "工作表有 {rows} 行，超过上限 {limit} 行，只读取了前 {limit} 行。如果末尾是空行，请选中它们并删除整行。", "结构"),
    # --- values ----------------------------------------------------------
    Rule("required", ERROR, "必填项为空",
         "“{column}”不能为空。请填写{hint}。", "值"),
    Rule("formula-no-value", ERROR, "公式没有计算结果",
         "单元格是公式 {formula}，但文件中没有保存计算结果。请用 Excel 或 WPS 打开并保存一次（会重新计算），或把公式改成数值。", "值"),
    Rule("formula-error", ERROR, "公式出错",
         "单元格的公式结果是错误值 {value}。请检查公式引用的单元格，改正后保存。", "值"),
    Rule("type-number", ERROR, "应为数字",
         "“{column}”应为数字，但填的是“{value}”。请只填数字{hint}。", "值"),
    Rule("type-integer", ERROR, "应为整数",
         "“{column}”应为整数，但填的是“{value}”。", "值"),
    Rule("number-out-of-range", ERROR, "数字超出合理范围",
         "“{column}”填的是 {value}，超出了合理范围（应在 {low} 到 {high} 之间）。请核对是否多打或少打了数字，或多了负号。", "值"),
    Rule("rate-over-100", ERROR, "比例超过 100%",
         "“{column}”填的是 {value}，按比例读就是 {as_percent}，超过了 100%。如果指的是 {percent}，请填“{percent}”或小数（如 0.8）；单元格格式为百分比时，请直接输入带 % 的数。", "值"),
    Rule("type-money", ERROR, "金额格式不对",
         "“{column}”应为金额（元，最多两位小数），但填的是“{value}”。请只填数字，例如 1000 或 1000.50。", "值"),
    Rule("money-decimal-comma", ERROR, "金额用逗号作小数点",
         "“{column}”填的是“{value}”，像是用逗号作小数点、用点分隔千位的写法，无法确定金额。如果是 {normal} 元，请写成 {normal}（小数点用“.”，千位不用分隔或用“,”）。", "值"),
    Rule("money-sub-cent", ERROR, "金额不足一分",
         "“{column}”填的是 {value}，精确到了分以下。金额最多两位小数，请核对后改为 {normal} 或正确的金额。", "值"),
    Rule("money-capitals", WARNING, "金额写成了汉字",
         "“{column}”写成了汉字“{value}”，已按 {amount} 元读取。建议改为阿拉伯数字 {amount}。", "值"),
    Rule("money-negative", ERROR, "金额为负数",
         "“{column}”是负数 {value}。金额不能为负；退回的款项请在“其他支出”中登记或联系上级处理。", "值"),
    Rule("money-zero", WARNING, "金额为零",
         "“{column}”为 0。如确实未发放金额，请在备注说明；否则请填写实际金额。", "值"),
    Rule("money-too-large", ERROR, "金额大得不合理",
         "“{column}”为 {value} 元，大得不合理，可能是多输了数字。请核对。", "值"),
    Rule("type-date", ERROR, "日期格式不对",
         "“{column}”应为日期，但填的是“{value}”。请填写如 2024-03-05 的日期。", "值"),
    Rule("date-impossible", ERROR, "不存在的日期",
         "“{column}”的日期“{value}”不存在（{detail}）。请核对日期。", "值"),
    Rule("date-out-of-range", ERROR, "日期超出范围",
         "“{column}”的日期 {value} 不在合理范围（{low} 至 {high}）内，可能是年份输错了。", "值"),
    Rule("date-future", WARNING, "日期在将来",
         "“{column}”的日期 {value} 晚于今天 {today}。请确认没有输错。", "值"),
    Rule("enum", ERROR, "不在可选范围",
         "“{column}”填的是“{value}”，不在可选范围内。{suggestion}可选：{choices}。", "值"),
    Rule("enum-normalised", WARNING, "写法不规范",
         "“{column}”的“{value}”已按“{normal}”读取。建议改成标准写法“{normal}”。", "值"),
    Rule("bool", ERROR, "应填是或否",
         "“{column}”应填“是”或“否”，但填的是“{value}”。", "值"),
    Rule("text-too-long", ERROR, "内容过长",
         "“{column}”的内容有 {length} 个字符，超过上限 {limit}。请精简，或把详细材料放入纸质档案。", "值"),
    Rule("text-invisible", WARNING, "含不可见字符",
         "“{column}”含有不可见字符（如零宽空格、换行或控制字符），已去掉后读取为“{value}”。请在单元格中重新输入。", "值"),
    Rule("text-number-as-text", WARNING, "数字前后有多余内容",
         "“{column}”的“{value}”已按 {normal} 读取。请只填数字。", "值"),
    Rule("idno-as-number", ERROR, "身份证号被存成了数字",
         "身份证号被 Excel 存成了数字（显示为 {value}），后几位已经丢失，无法自动恢复。请把这一列设置为“文本”格式（右键→设置单元格格式→文本），然后重新输入完整的身份证号。", "值"),
    Rule("bank-as-number", ERROR, "银行卡号被存成了数字",
         "银行卡号被 Excel 存成了数字（显示为 {value}），超过 15 位的部分已经丢失，无法自动恢复。请把这一列设置为“文本”格式（右键→设置单元格格式→文本），然后重新输入完整的卡号。", "值"),
    Rule("idno-format", ERROR, "身份证号格式不对",
         "身份证号“{value}”格式不对：{detail}。请核对身份证原件。", "值"),
    Rule("idno-checksum", ERROR, "身份证号校验位不对",
         "身份证号“{value}”的最后一位校验码不对（按国家标准应为 {expected}），通常是某一位数字输错了。请对照身份证原件核对。", "值"),
    Rule("idno-legacy", WARNING, "15 位旧身份证号",
         "身份证号“{value}”是 15 位旧号码。请向本人核实 18 位新号码后更新。", "值"),
    Rule("idno-birth-mismatch", WARNING, "出生日期与身份证不符",
         "“出生日期”{value}与身份证号中的出生日期 {expected} 不一致。请核对。", "值"),
    Rule("idno-sex-mismatch", WARNING, "性别与身份证不符",
         "“性别”填的是“{value}”，但身份证号显示为“{expected}”。请核对。", "值"),
    Rule("phone-format", ERROR, "电话号码格式不对",
         "电话号码“{value}”格式不对。手机号应为 1 开头的 11 位数字；固定电话如 0531-12345678。", "值"),
    Rule("code-unsafe", ERROR, "编号含不允许的字符",
         "编号“{value}”含有不允许的字符或是系统保留名称。编号只能用汉字、字母、数字和 - _ 组成，例如 SF-2024-001。", "值"),
    # --- references and uniqueness ----------------------------------------
    Rule("duplicate", ERROR, "编号重复",
         "“{column}”的值“{value}”与 {other} 重复。每条记录的{column}必须唯一。", "引用"),
    Rule("duplicate-person", ERROR, "同一人重复登记",
         "身份证号 {masked} 在 {other} 已登记过（档案编号 {archive}）。同一人只能建一份档案，请合并两行。", "引用"),
    Rule("ref-missing", ERROR, "引用的记录不存在",
         "“{column}”填的是“{value}”，但在{target}中找不到。{suggestion}", "引用"),
    Rule("name-mismatch", WARNING, "姓名与档案不一致",
         "姓名“{value}”与档案 {archive} 中的姓名“{expected}”不一致。请核对是否填错了档案编号。", "引用"),
    # --- bangfu import (places in the station's own, old workbooks) ---------------
    Rule("import-row-unplaced", ERROR, "导入时无法安排的行",
         "第 {line} 行没有导入：{reason}。改正原表（或导入对照表）后重新运行 bangfu import，已导入的行不会重复导入。", "导入"),
    Rule("import-row-exists", WARNING, "已导入过的行",
         "第 {line} 行已导入过（档案编号 {archive}，在 bangfu 的工作簿中或本次导入的前面几行），没有重复导入。", "导入"),
    Rule("import-column-unmapped", WARNING, "没有导入的列",
         "列“{column}”没有导入（{reason}）。如需导入，请在导入对照表中为它选择“导入到”的列，然后重新运行 bangfu import。", "导入"),
    Rule("import-sheet-skipped", WARNING, "没有导入的工作表",
         "工作表“{sheet}”中没有找到能识别的表头（前 20 行中至少要有两个 bangfu 认识的列名，如“姓名”“身份证号”），整张表没有导入。", "导入"),
    Rule("import-cell-dropped", WARNING, "家庭成员行中困难职工的列",
         "这是家庭成员的一行，“{column}”是困难职工（户主）的列，这一格的“{value}”没有导入。如需保留，请在导入后填入相应的家庭成员列或备注。", "导入"),
    Rule("import-split-failed", WARNING, "无法区分户主和家庭成员",
         "这张表有家庭成员的列（如“{column}”），但没有“与户主关系”列，也没有“家庭成员”分组表头，无法区分户主和家庭成员：每一行都按困难职工导入，家庭成员的列没有导入。请在原表中加一列“与户主关系”（户主填“户主”），再重新导入。", "导入"),
    Rule("import-mapping-invalid", ERROR, "导入对照表填写不对",
         "导入对照表中“导入到”填的是“{value}”，不是 bangfu 的列。请从下拉列表中选择“表名.列名”，或填“不导入”。", "导入"),
    Rule("import-source-unreadable", ERROR, "无法读取要导入的文件",
         "要导入的“{file}”无法读取：{detail}", "导入"),
    Rule("setting-missing", ERROR, "缺少站点设置",
         "站点设置中缺少“{key}”。请在“站点设置”工作表中添加一行：设置项填“{key}”，值填{hint}。", "结构"),
    Rule("setting-invalid", ERROR, "站点设置不正确",
         "站点设置“{key}”的值“{value}”不正确：{detail}。", "值"),
    # --- business rules ----------------------------------------------------
    Rule("amount-over-standard", ERROR, "金额超过标准",
         "{item}的发放金额 {amount} 元超过标准 {standard} 元（{basis}）。请核对金额，或在帮扶政策中调整标准。", "业务"),
    Rule("amount-under-standard", WARNING, "金额低于标准",
         "{item}的发放金额 {amount} 元低于标准 {standard} 元（{basis}）。如有特殊情况请在备注说明。", "业务"),
    Rule("amount-base-missing", ERROR, "缺少计算依据",
         "{item}按比例计算，需要填写“{column}”才能核对金额。", "业务"),
    Rule("frequency", ERROR, "超过发放次数",
         "{item}规定{rule}，但档案 {archive} 在{period}已在 {other} 领取过。请核对是否重复发放。{hint}", "业务"),
    Rule("ineligible-income", ERROR, "收入不符合条件",
         "{item}要求家庭月人均收入低于 {limit} 元（{basis}），但档案 {archive} {source}的月人均收入为 {income} 元{also}。请核对收入，或在“年度复核”中登记申请前的复核结果。", "业务"),
    Rule("ineligible-needs", ERROR, "不符合项目的对象要求",
         "{item}要求“{need}”，但档案 {archive} {missing}。请核对档案或帮扶项目。", "业务"),
    Rule("route-unknown", ERROR, "帮扶项目的“或者”条件无法识别",
         "{item}的“或者”条件“{value}”既不是困难类别（{categories}），也不是致困原因或“低保户”。请改为其中之一，多项用、分隔。", "业务"),
    Rule("item-standard-incomplete", ERROR, "帮扶标准不完整",
         "{item}的标准方式是“{standard}”，但没有填写“{column}”，无法核对发放金额。", "业务"),
    Rule("dibao-line-missing", ERROR, "缺少当年的低保标准",
         "{year} 年有{usage}要按低保线认定，但“低保标准”工作表中没有 {year} 年的一行。请添加：年度填 {year}，每人每月金额填当地 {year} 年低保标准（不会借用其他年份的标准）。", "业务"),
    Rule("beneficiary-unknown", WARNING, "受助对象不在家庭成员中",
         "受助对象“{value}”不是档案 {archive} 的户主，也不在家庭成员表中。请核对姓名，或先在“家庭成员”中登记。", "业务"),
    Rule("void-paid", ERROR, "未批准或已撤销却有发放日期",
         "办理状态是“{state}”，但填写了发放日期 {paid}。不予批准或已撤销的申请没有发放；如确已发放，请把办理状态改为“正常”。", "业务"),
    Rule("amount-not-cash", ERROR, "非现金项目填了金额",
         "{item}是非现金帮扶（提供服务，不发放现金），但金额填了 {amount} 元。请把金额改为 0，现金帮扶请选对应的项目。", "业务"),
    Rule("ineligible-status", ERROR, "档案状态不能发放",
         "档案 {archive} 的状态是“{status}”，不能发放帮扶。只有“在档”的困难职工才能领取（先建档、后帮扶）。", "业务"),
    Rule("ineligible-migrant", ERROR, "农民工工作不满一年",
         "档案 {archive} 是农民工，入职日期 {joined} 到申请日期 {applied} 不满一年，不符合帮扶条件。", "业务"),
    Rule("ineligible-category", WARNING, "困难类别与收入不符",
         "档案 {archive} 的困难类别是“{category}”（月人均收入应低于 {limit} 元），但按填写的收入算得月人均 {income} 元。请核对收入或类别。", "业务"),
    Rule("per-capita-mismatch", WARNING, "月人均收入算得不对",
         "填写的家庭月人均收入 {value} 元与按（家庭年收入−刚性支出）÷12÷家庭人口算得的 {expected} 元不一致。", "业务"),
    Rule("household-size", WARNING, "家庭人口与成员表不符",
         "档案 {archive} 的家庭人口为 {value}，但家庭成员表中有 {members} 人（含户主为 {expected} 人）。", "业务"),
    Rule("date-order", ERROR, "日期先后顺序不对",
         "“{later}”{later_value}早于“{earlier}”{earlier_value}。办理顺序应为：申请 → 核实 → 公示 → 批准 → 告知 → 发放 → 签收 → 回访。", "业务"),
    Rule("disclosure-not-over", ERROR, "公示期未满就批准",
         "批准日期 {approved} 在公示批次 {batch} 的公示期（{start} 至 {end}）结束之前。须经公示无异议后才能批准。", "业务"),
    Rule("disclosure-missing", ERROR, "未经公示",
         "{item}须经公示，但这条记录没有填写“公示批次”。请先公示，公示无异议后再批准发放。", "业务"),
    Rule("disclosure-not-listed", ERROR, "公示批次不含此项",
         "公示批次 {batch} 是“{kind}”，不能作为{what}的公示依据。", "业务"),
    Rule("objection-unresolved", ERROR, "异议未处理完就批准",
         "公示批次 {batch} 有异议 {objection} 尚未处理完（或处理日期晚于批准日期 {approved}），不能批准。", "业务"),
    Rule("objection-upheld", ERROR, "异议成立仍发放",
         "公示批次 {batch} 对档案 {archive} 的异议 {objection} 已认定成立，但仍有批准/发放记录。请撤销发放或重新公示。", "业务"),
    Rule("objection-upheld-batch", ERROR, "整批异议成立仍发放",
         "公示批次 {batch} 收到针对整批的异议 {objection} 并已认定成立，这一批不能据此批准。请改正后重新公示，并把记录改填新的公示批次。", "业务"),
    Rule("redisclosure-missing", WARNING, "异议复查后未重新公示",
         "档案 {archive} 在公示期间有异议 {objection}，复查后应重新公示，无异议后再批准；但批准日期 {approved} 时{detail}。请在“公示批次”中登记重新公示（填写原公示批次），并在异议的“重新公示批次”中填写其编号。", "业务"),
    Rule("objection-late", WARNING, "异议在公示期结束后收到",
         "异议 {objection} 收到于 {received}，晚于公示批次 {batch} 的公示期（至 {end}）。请核对收到日期或公示批次；期满后的反映应作为来信来访处理。", "业务"),
    Rule("register-disclosure-missing", ERROR, "建档未经公示",
         "站点设置要求建档须公示，但档案 {archive} 没有填写“建档公示批次”。请先公示，无异议后再建档。", "业务"),
    Rule("close-disclosure-missing", ERROR, "结档未公示",
         "站点设置要求结档须公示，但档案 {archive} 已{status}，没有填写“结档公示批次”。", "业务"),
    Rule("objection-open", WARNING, "异议尚未处理",
         "异议 {objection} 收到于 {received}，尚未填写处理结果。请尽快复查并填写处理结果和处理日期。", "业务"),
    Rule("deadline", WARNING, "核实超过办理时限",
         "{item}规定 {days} 个工作日内完成核实，但从申请 {applied} 到核实 {verified} 用了 {used} 个工作日。", "业务"),
    Rule("deadline-open", WARNING, "申请超过办理时限仍未核实",
         "{item}规定 {days} 个工作日内完成核实，这份申请 {applied} 提交，到 {today} 已过 {used} 个工作日仍未核实。请尽快办理并填写核实日期；不予批准的请填写办理状态和告知日期。", "业务"),
    Rule("notice-missing", WARNING, "未记录告知申请人",
         "这份申请不予批准，但没有填写“告知日期”。请把结果和理由告知申请人，并填写告知日期。", "业务"),
    Rule("receipt-without-payout", ERROR, "已签收但没有发放日期",
         "“已签收”填了“是”，但没有发放日期。请填写发放日期，或把“已签收”改为“否”。", "业务"),
    Rule("calendar-next-year", WARNING, "明年的放假安排尚未录入",
         "程序和“调休安排”工作表中都还没有 {year} 年的法定节假日安排，12 月的申请算办理时限时将跨入 {year} 年。国务院办公厅公布 {year} 年放假安排后（通常在 11 月），请在帮扶政策的“调休安排”工作表中每个放假日填一行“休息日”、每个调休上班日填一行“工作日”。", "业务"),
    Rule("calendar-unknown", WARNING, "缺少该年的法定节假日安排",
         "{year} 年的法定节假日和调休安排尚未收录，工作日暂按周一至周五计算。请在帮扶政策的“调休安排”工作表中录入国务院公布的 {year} 年安排。", "业务"),
    Rule("receipt-missing", WARNING, "已发放未签收",
         "这笔 {amount} 元已于 {paid} 发放，但没有签收记录。请补齐签收单并把“已签收”改为“是”。", "业务"),
    Rule("fund-not-allowed", ERROR, "资金用途不符（专款专用）",
         "资金账户“{fund}”只能用于：{allowed}；不能用于“{item}”。请改用其他账户支出。", "业务"),
    Rule("fund-commitment", WARNING, "已批准未发放的金额超过余额",
         "资金账户“{fund}”到 {today} 的余额为 {balance} 元，已批准尚未发放的 {pending} 元发放后将透支 {short} 元。请先落实资金，或改用其他账户。", "业务"),
    Rule("fund-negative", ERROR, "资金余额为负",
         "按日期顺序，资金账户“{fund}”在 {date} 的余额为 {balance} 元，出现透支。请核对收入是否漏登，或改用其他账户。", "业务"),
    Rule("matching-low", WARNING, "财政配套不足",
         "{year} 年地方财政配套 {local} 元，上级财政专项 {upper} 元，配套比例 {ratio}，未达到站点设置的“不低于 {required}”。", "业务"),
    Rule("review-overdue", WARNING, "超过一年未复核",
         "档案 {archive} 最近一次复核是 {last}，已超过一年。每份档案每年至少复核一次。", "业务"),
    Rule("never-helped", WARNING, "建档后从未帮扶",
         "档案 {archive} 建档于 {since}，至今没有任何帮扶记录。", "业务"),
    Rule("exit-missing-date", ERROR, "结档缺少日期或原因",
         "档案状态为“{status}”，但没有填写“{column}”。", "业务"),
    Rule("escalation-item-repeated", ERROR, "梯次帮扶限额重复",
         "“梯次帮扶”表中“{item}”的限额已在第 {other} 行规定过，同一项目、同一起始日期只能有一行（汇总时只按第一行）。请删除或合并其中一行；限额调整了的，在新的一行填写“起始日期”。", "业务"),
    Rule("escalation-limits-order", ERROR, "县级审批上限低于站点审批上限",
         "县级审批上限 {county} 元低于站点审批上限 {station} 元：县中心能批准的金额不能比帮扶站还少。请核对这两个金额。", "业务"),
    # --- bangfu merge: the same person at two stations (places are this station's; the
    # message names the other station's file, sheet and cell) ---------------------------
    Rule("network-duplicate-person", ERROR, "跨站重复建档",
         "身份证号 {masked} 在本站建有档案 {archive}，同时又在{elsewhere}建有档案，两份档案有同时有效的时段（重复建档）。同一人只能在一个帮扶站建档：请与该站核实，由一方结档（档案状态改为“注销”，结档原因选“调离或迁出”，填写结档日期），另一方保留档案。", "跨站"),
    Rule("network-double-payout", ERROR, "跨站重复发放",
         "{item}规定{rule}，但档案 {archive}{whom} 在{period}已由{elsewhere}发放过（同一人由两个站重复发放）。请与该站核实：确属重复的，把其中一笔的办理状态改为“已撤销”并追回款项。", "跨站"),
    Rule("network-member-is-worker", WARNING, "家庭成员在别站是困难职工",
         "身份证号 {masked} 在本站是{here}，又在{elsewhere}是{there}，两份档案有同时有效的时段。一户只建一份档案（一户一档）：请与该站核实是否同一户重复建档；确属两户（如已分户）的可以保留。", "跨站"),
    Rule("network-station-copy", WARNING, "同一个站收到两份",
         "文件夹“{copy}”中的工作簿与“{folder}”中的完全相同，是同一个站的两份副本，只汇总了一次。请删除多余的一份，以免下次汇总时弄混。", "跨站"),
    Rule("network-escalation-open", WARNING, "超过本站审批权限，待上级批准",
         "档案 {archive} 的{item} {amount} 元超过县中心规定的{limit_name} {limit} 元，须报{level}批准（梯次帮扶），但还没有填写“上级批准日期”。请报{level}审批，批准后在本行“上级批准日期”填写批准日期{add_column}。", "跨站"),
    Rule("network-escalation-paid-first", WARNING, "先发放、后经上级批准",
         "档案 {archive} 的{item} {amount} 元超过县中心规定的{limit_name} {limit} 元，须先报{level}批准再发放，但“上级批准日期”{approved} 晚于发放日期 {paid}。请核对：日期填错的请改正；确是先发放后报批的，请向{level}说明情况并在档案中留存。", "跨站"),
    Rule("network-escalation-unknown-item", WARNING, "梯次帮扶限额的项目对不上",
         "“梯次帮扶”表中的帮扶项目“{item}”既不是项目类别（{groups}），也不是县中心或任何站的帮扶项目名称，这一行的限额用不上。请核对是否写错了字：填各站“帮扶项目”表中的项目名称，或项目类别。", "跨站"),
    Rule("network-escalation-approved-early", ERROR, "上级批准日期早于申请日期",
         "档案 {archive} 的{item}“上级批准日期”{approved} 早于申请日期 {applied}：上级不能在申请之前批准。请按{level}的批复改正“上级批准日期”或“申请日期”。", "跨站"),
    Rule("network-station-failed", ERROR, "读取某站记录时程序出错",
         "汇总时读取或检查记录文件夹“{file}”出错（{detail}），本站未计入全县数字，其他各站照常汇总。请先单独运行 bangfu check 检查该文件夹；如 check 正常而汇总仍出错，请把本消息发给技术支持。", "跨站"),
)


# The problems clerks meet most, in the order the README's "常见错误" lists them.
COMMON = ("file-old-excel", "sheet-missing", "column-missing", "idno-as-number", "idno-checksum", "type-date",
          "enum", "required", "ref-missing", "formula-no-value", "merged-cells", "amount-over-standard",
          "disclosure-not-over", "deadline", "fund-negative", "receipt-missing")


_A1 = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")


def problem(code: str, file: str = "", sheet: str = "", cell: str = "", *, row: int = 0, column_key: str = "",
            **params) -> Problem:
    """Build a Problem from the catalogue; unknown codes are a bug, not user data.
    `cell` is an A1 reference or ""; its row is derived from it when `row` is not given."""
    rule = CATALOGUE[code]
    if cell and not _A1.match(cell):  # a malformed reference read from a file: keep it, not as a cell
        params.setdefault("ref", cell)
        cell = ""
    try:
        message = rule.template.format(**{"file": file, "sheet": sheet, "cell": cell, **params})
    except KeyError as missing:  # a bug in the caller: say which placeholder
        raise KeyError(f"problem {code!r} needs parameter {missing}") from None
    if cell and not row:
        row = int(_A1.match(cell).group(2))
    return Problem(code, rule.severity, file, sheet, cell, message, row, column_key, params)


def _plain(value):
    """A message parameter as JSON: text, a number, true/false or null; money and dates as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Problem):
        return value.message
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)


def count(problems, severity: str) -> int:
    return sum(1 for p in problems if p.severity == severity)


def has_errors(problems) -> bool:
    return any(p.severity == ERROR for p in problems)


def sort_key(p: Problem):
    letters = p.cell.rstrip("0123456789")
    return (p.file, p.sheet, p.row, len(letters), letters, p.code)
