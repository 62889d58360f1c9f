"""A station's months of edits: after each realistic clerk edit (saved with openpyxl, as Excel
saves it with shared strings, or once by LibreOffice) and with `--today` moving on across a
quarter's and a year's end, the incremental `bangfu build` (in a folder that keeps its state
from every earlier build) writes exactly what a fresh build of the same records writes, and
tells the clerk the same problems.

Every build runs the real command line in a process of its own, so nothing carries from one
build to the next but what `bangfu build` keeps on disk. The steps are drawn by a seeded random
generator (BANGFU_SEQUENCE_SEED picks another sequence): which rows, which values, in which order."""

from __future__ import annotations

import gzip
import io
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from generator.idcard import check_digit
from generator.private import carry

from station import write_station

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from user_bench import edit_cell_shared, to_shared_strings  # noqa: E402

SEED = int(os.environ.get("BANGFU_SEQUENCE_SEED", "17"))

REGISTER, POLICY, AID, FUNDS = "困难职工档案.xlsx", "帮扶政策.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx"


# ---------------------------------------------------------------- the records as a clerk edits them

class Book:
    """One workbook opened with openpyxl, its sheets addressed by header names."""

    def __init__(self, records: Path, name: str):
        self.path = records / name
        self.wb = openpyxl.load_workbook(self.path)

    def headers(self, sheet: str) -> list:
        return [c.value for c in self.wb[sheet][1]]

    def rows(self, sheet: str) -> list[int]:
        """The row numbers holding data (a first cell filled)."""
        ws = self.wb[sheet]
        return [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value not in (None, "")]

    def get(self, sheet: str, row: int, column: str):
        return self.wb[sheet].cell(row=row, column=self.headers(sheet).index(column) + 1).value

    def set(self, sheet: str, row: int, column: str, value) -> None:
        self.wb[sheet].cell(row=row, column=self.headers(sheet).index(column) + 1, value=value)

    def record(self, sheet: str, row: int) -> dict:
        return dict(zip(self.headers(sheet), (c.value for c in self.wb[sheet][row])))

    def put(self, sheet: str, row: int, values: dict, insert: bool = False) -> None:
        """Write a row at `row` (inserted before what is there with `insert`)."""
        ws = self.wb[sheet]
        if insert:
            ws.insert_rows(row)
        for i, header in enumerate(self.headers(sheet)):
            ws.cell(row=row, column=i + 1, value=values.get(header))

    def append(self, sheet: str, values: dict) -> None:
        rows = self.rows(sheet)
        self.put(sheet, (rows[-1] + 1) if rows else 2, values)

    def delete(self, sheet: str, row: int) -> None:
        self.wb[sheet].delete_rows(row)

    def save(self) -> None:
        self.wb.save(self.path)


def _day(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _money(rng: random.Random, low: int, high: int) -> int:
    return rng.randrange(low, high, 10)


def _visit_note(records: Path, rng: random.Random, today: date) -> str:
    book = Book(records, REGISTER)
    row = rng.choice(book.rows("走访记录"))
    book.set("走访记录", row, "情况记录", f"{today:%m月%d日}回访：家庭收入已核实，情况属实（{rng.randrange(100)}）")
    book.save()
    return f"走访记录 row {row}"


def _visit_note_as_excel(records: Path, rng: random.Random, today: date) -> str:
    """Excel's way: the text appended to the shared strings, the cell given a new style."""
    book = Book(records, REGISTER)
    rows = [r for r in book.rows("走访记录") if book.get("走访记录", r, "情况记录")]  # a cell in the sheet's XML
    if not rows:
        return _visit_note(records, rng, today)
    row = rng.choice(rows)
    letter = openpyxl.utils.get_column_letter(book.headers("走访记录").index("情况记录") + 1)
    to_shared_strings(records / REGISTER)  # a book saved by Excel before keeps its texts there
    edit_cell_shared(records / REGISTER, "走访记录", f"{letter}{row}", f"电话回访：{today:%Y年%m月%d日}，生活基本稳定")
    return f"走访记录 {letter}{row} (shared strings)"


def _visit_inserted(records: Path, rng: random.Random, today: date) -> str:
    """A visit typed into a new row in the middle of the sheet."""
    book = Book(records, REGISTER)
    rows = book.rows("走访记录")
    row = rows[len(rows) // 2 + rng.randrange(-3, 4)]
    visit = book.record("走访记录", row)
    visit.update({"走访日期": today - timedelta(days=1), "走访类型": "跟踪回访", "情况记录": "入户走访，了解近况",
                  "下一步": "继续帮扶"})
    book.put("走访记录", row, visit, insert=True)
    book.save()
    return f"走访记录 row {row} inserted"


def _review_income(records: Path, rng: random.Random, today: date) -> str:
    book = Book(records, REGISTER)
    row = rng.choice(book.rows("年度复核"))
    income = book.get("年度复核", row, "家庭年收入") or 0
    book.set("年度复核", row, "家庭年收入", int(income) + _money(rng, -3000, 3000))
    book.save()
    return f"年度复核 row {row}"


def _review_added(records: Path, rng: random.Random, today: date) -> str:
    """This year's review of a worker, appended."""
    book = Book(records, REGISTER)
    row = rng.choice(book.rows("年度复核"))
    review = book.record("年度复核", row)
    review.update({"复核日期": today - timedelta(days=2), "复核结论": "家庭情况无明显变化，继续保留档案",
                   "家庭年收入": int(review.get("家庭年收入") or 0) + 1200})
    book.append("年度复核", review)
    book.save()
    return f"年度复核 for {review['档案编号']}"


def _objection(records: Path, rng: random.Random, today: date) -> str:
    """An objection received during a running disclosure, found groundless the same day
    (处理结果 is required)."""
    aid = Book(records, AID)
    batches = {aid.get("公示批次", r, "批次编号"): r for r in aid.rows("公示批次")}
    payouts = [r for r in aid.rows("帮扶发放") if aid.get("帮扶发放", r, "公示批次") in batches]
    row = payouts[-1 - rng.randrange(min(5, len(payouts)))]
    batch = aid.get("帮扶发放", row, "公示批次")
    start = _day(aid.get("公示批次", batches[batch], "开始日期"))
    number = f"YY-{today.year}-{len(aid.rows('异议处理')) + 1:02d}"
    aid.append("异议处理", {"异议编号": number, "公示批次": batch, "档案编号": aid.get("帮扶发放", row, "档案编号"),
                           "收到日期": max(start, today - timedelta(days=1)) if start else today,
                           "异议内容": "反映该职工家庭收入申报不实", "处理结果": "不成立", "处理日期": today})
    aid.save()
    return f"异议处理 {number} on {batch}"


def _objection_settled(records: Path, rng: random.Random, today: date) -> str:
    """The last objection's result explained (after the investigation)."""
    aid = Book(records, AID)
    row = aid.rows("异议处理")[-1]
    if not aid.get("异议处理", row, "处理结果"):
        aid.set("异议处理", row, "处理结果", "不成立")
        aid.set("异议处理", row, "处理日期", today)
    aid.set("异议处理", row, "处理说明", "经入户调查核实，该户家庭收入申报属实，异议不成立。")
    aid.save()
    return f"异议处理 row {row} settled"


def _pending_payouts(aid: Book) -> list[int]:
    return [r for r in aid.rows("帮扶发放") if not aid.get("帮扶发放", r, "发放日期")]


def _closure(records: Path, rng: random.Random, today: date) -> str:
    """A payout paid and signed for (its case closes), or a reception entry closed."""
    aid = Book(records, AID)
    pending = [r for r in _pending_payouts(aid) if aid.get("帮扶发放", r, "批准日期")]  # approved, not paid
    if pending:
        row = rng.choice(pending)
        approved = _day(aid.get("帮扶发放", row, "批准日期")) or today
        paid = max(approved, today - timedelta(days=1))
        aid.set("帮扶发放", row, "批准日期", approved)
        aid.set("帮扶发放", row, "发放日期", paid)
        aid.set("帮扶发放", row, "已签收", "是")
        aid.set("帮扶发放", row, "签收日期", paid)
        what = f"帮扶发放 row {row} paid"
    else:
        row = aid.rows("接待登记")[-1]
        aid.set("接待登记", row, "办结日期", today)
        aid.set("接待登记", row, "办理结果", "已办结")
        what = f"接待登记 row {row} closed"
    aid.save()
    return what


def _new_payout(records: Path, rng: random.Random, today: date) -> str:
    """A payout like an existing one, for another worker, paid from the same batch."""
    aid, register = Book(records, AID), Book(records, REGISTER)
    rows = aid.rows("帮扶发放")
    model = aid.record("帮扶发放", rng.choice(rows[-40:]))
    worker = rng.choice(register.rows("困难职工"))
    numbers = [str(aid.get("帮扶发放", r, "记录编号")) for r in rows]
    number = f"FF-{today.year}-{9000 + len(numbers):04d}"
    model.update({"记录编号": number, "档案编号": register.get("困难职工", worker, "档案编号"),
                  "姓名": register.get("困难职工", worker, "姓名")})
    aid.append("帮扶发放", model)
    aid.save()
    return f"帮扶发放 {number} like {model['公示批次']}"


def _payout_amount(records: Path, rng: random.Random, today: date) -> str:
    aid = Book(records, AID)
    row = rng.choice([r for r in aid.rows("帮扶发放") if isinstance(aid.get("帮扶发放", r, "金额"), (int, float))])
    # less (more than an item's standard is an error, less a reminder)
    aid.set("帮扶发放", row, "金额", max(10, int(aid.get("帮扶发放", row, "金额")) - 10 * rng.choice((1, 5, 12))))
    aid.save()
    return f"帮扶发放 row {row} amount"


def _payout_deleted(records: Path, rng: random.Random, today: date) -> str:
    aid = Book(records, AID)
    row = rng.choice(aid.rows("帮扶发放"))
    number = aid.get("帮扶发放", row, "记录编号")
    aid.delete("帮扶发放", row)
    aid.save()
    return f"帮扶发放 {number} deleted"


def _worker_added(records: Path, rng: random.Random, today: date) -> str:
    """A new worker filed (a valid ID number, a new archive number), with an intake visit."""
    book = Book(records, REGISTER)
    rows = book.rows("困难职工")
    worker = book.record("困难职工", rng.choice(rows))
    archive = f"SF-{9000 + len(rows):04d}"
    first17 = f"3799041990{rng.randrange(1, 13):02d}{rng.randrange(1, 28):02d}{rng.randrange(100, 999):03d}"
    worker.update({"档案编号": archive, "姓名": rng.choice(["单志强", "曾小梅", "解春生", "欧阳红"]),
                   "性别": "男" if int(first17[16]) % 2 else "女",
                   "出生日期": datetime(1990, int(first17[10:12]), int(first17[12:14])),
                   "身份证号": first17 + check_digit(first17), "手机号码": f"139{rng.randrange(10**7, 10**8)}"})
    book.append("困难职工", worker)
    book.append("走访记录", {"档案编号": archive, "走访日期": today - timedelta(days=3), "走访类型": "入户调查",
                         "走访人": "王芳、赵强", "情况记录": "入户调查：家庭3人，配偶无业，情况属实",
                         "下一步": "提交建档公示"})
    book.save()
    return f"困难职工 {archive} added"


def _worker_removed(records: Path, rng: random.Random, today: date) -> str:
    """A worker's file withdrawn with every row naming them, in all books."""
    register, aid = Book(records, REGISTER), Book(records, AID)
    row = rng.choice(register.rows("困难职工")[-60:])
    archive = register.get("困难职工", row, "档案编号")
    for book in (register, aid):
        for sheet in book.wb.sheetnames:
            if "档案编号" not in book.headers(sheet):
                continue
            for r in reversed(book.rows(sheet)):
                if book.get(sheet, r, "档案编号") == archive:
                    book.delete(sheet, r)
        book.save()
    return f"困难职工 {archive} removed"


def _mistake(records: Path, rng: random.Random, today: date) -> str:
    """A slip of the hand: a payout's amount typed with a minus sign; the build fails."""
    aid = Book(records, AID)
    row = rng.choice([r for r in aid.rows("帮扶发放") if isinstance(aid.get("帮扶发放", r, "金额"), (int, float))])
    aid.set("帮扶发放", row, "金额", -int(aid.get("帮扶发放", row, "金额")))
    aid.save()
    return f"帮扶发放 row {row} 金额 negative"


def _mistake_fixed(records: Path, rng: random.Random, today: date) -> str:
    """The amount typed again without the sign (what it was)."""
    aid = Book(records, AID)
    row = next(r for r in aid.rows("帮扶发放") if isinstance(aid.get("帮扶发放", r, "金额"), (int, float))
               and aid.get("帮扶发放", r, "金额") < 0)
    aid.set("帮扶发放", row, "金额", -int(aid.get("帮扶发放", row, "金额")))
    aid.save()
    return f"帮扶发放 row {row} 金额 corrected"


def _item_standard(records: Path, rng: random.Random, today: date) -> str:
    policy = Book(records, POLICY)
    rows = [r for r in policy.rows("帮扶项目") if isinstance(policy.get("帮扶项目", r, "固定金额"), (int, float))]
    row = rng.choice(rows)
    policy.set("帮扶项目", row, "固定金额", int(policy.get("帮扶项目", row, "固定金额")) + 50)
    policy.save()
    return f"帮扶项目 {policy.get('帮扶项目', row, '项目名称')} standard"


def _holidays_2027(records: Path, rng: random.Random, today: date) -> str:
    """The station enters 2027's official schedule (the holiday package ends at 2026)."""
    policy = Book(records, POLICY)
    entered = {_day(policy.get("调休安排", r, "日期")) for r in policy.rows("调休安排")}
    for day, kind, note in ((date(2027, 1, 2), "休息日", "元旦"), (date(2027, 1, 3), "休息日", "元旦"),
                            (date(2027, 1, 4), "工作日", "元旦调休上班")):
        if day not in entered:
            policy.append("调休安排", {"日期": day, "类型": kind, "说明": note})
    policy.save()
    return "调休安排 2027"


def _dibao_new_year(records: Path, rng: random.Random, today: date) -> str:
    policy = Book(records, POLICY)
    years = [policy.get("低保标准", r, "年度") for r in policy.rows("低保标准")]
    year = int(max(years)) + 1
    last = policy.get("低保标准", policy.rows("低保标准")[-1], "每人每月金额")
    policy.append("低保标准", {"年度": year, "每人每月金额": int(last) + 40, "说明": "示范市城市居民最低生活保障标准"})
    policy.save()
    return f"低保标准 {year}"


def _station_name(records: Path, rng: random.Random, today: date) -> str:
    policy = Book(records, POLICY)
    row = next(r for r in policy.rows("站点设置") if policy.get("站点设置", r, "设置项") == "站点名称")
    policy.set("站点设置", row, "值", rng.choice(["示范镇总工会职工帮扶中心", "示范镇困难职工帮扶站"]))
    policy.save()
    return "站点名称"


def _fund_income(records: Path, rng: random.Random, today: date) -> str:
    funds = Book(records, FUNDS)
    model = funds.record("资金收入", funds.rows("资金收入")[-1])
    model.update({"日期": today - timedelta(days=1), "金额": _money(rng, 1000, 20000),
                  "凭证号": f"记-{today.year}-{rng.randrange(500, 999)}", "摘要": "追加帮扶经费"})
    funds.append("资金收入", model)
    funds.save()
    return "资金收入 added"


def _station_template(records: Path, rng: random.Random, today: date) -> str:
    """The station's own templates next to its records (README: site_templates/): a receipt
    sheet's stamp line and a line on the site's home page."""
    own = records.parent / "site_templates"
    for rel, old, new in (("private/receipt.html", "发放单位：", "发放单位（盖章）："),
                          ("site/home.md.j2", None, "\n本站受理时间：工作日上午 8:30—11:30\n")):
        text = (ROOT / "site_templates" / rel).read_text(encoding="utf-8")
        (own / rel).parent.mkdir(parents=True, exist_ok=True)
        (own / rel).write_text(text.replace(old, new) if old else text + new, encoding="utf-8")
    return "site_templates/ of the station's own"


def _station_template_removed(records: Path, rng: random.Random, today: date) -> str:
    shutil.rmtree(records.parent / "site_templates")
    return "site_templates/ removed"


def _libreoffice(records: Path, rng: random.Random, today: date) -> str:
    """The payouts book opened and saved by LibreOffice once (another writer's XML, styles, strings)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    out = records.parent / "lo-out"
    profile = records.parent / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(records / AID)], check=True, capture_output=True, timeout=180)
    shutil.move(str(out / AID), str(records / AID))
    shutil.rmtree(out)
    shutil.rmtree(profile, ignore_errors=True)
    return "帮扶记录.xlsx saved by LibreOffice"


EDITS: dict[str, Callable[[Path, random.Random, date], str]] = {
    "visit note": _visit_note, "visit note (Excel)": _visit_note_as_excel, "visit inserted": _visit_inserted,
    "review income": _review_income, "review added": _review_added, "objection": _objection,
    "objection settled": _objection_settled, "closure": _closure, "new payout": _new_payout,
    "payout amount": _payout_amount, "payout deleted": _payout_deleted, "worker added": _worker_added,
    "worker removed": _worker_removed, "item standard": _item_standard, "2027 holidays": _holidays_2027,
    "dibao new year": _dibao_new_year, "station name": _station_name, "fund income": _fund_income,
    "libreoffice": _libreoffice, "mistake": _mistake, "mistake fixed": _mistake_fixed,
    "station template": _station_template, "station template removed": _station_template_removed,
}

# the days the builds run on: across a quarter's end and the year's (2027 is past the holiday package)
DAYS = [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 21), date(2026, 12, 31),
        date(2027, 1, 4), date(2027, 1, 11), date(2027, 2, 1), date(2027, 3, 31), date(2027, 4, 6)]


@dataclass
class Step:
    today: date
    edit: str | None  # None: only the day moves


def sequence(seed: int, kinds: list[str], days: list[date], idle: int = 2) -> list[Step]:
    """Every kind of edit once, in a seeded order, spread over the days; `idle` steps where only
    the day moves. An objection comes before it is settled, a worker is added before one is
    removed, and a mistake (the build fails) is followed by its correction."""
    rng = random.Random(seed)
    order = list(kinds)
    rng.shuffle(order)
    for first, then in (("objection", "objection settled"), ("worker added", "worker removed"),
                        ("mistake", "mistake fixed"), ("station template", "station template removed")):
        if first in order and then in order and order.index(then) < order.index(first):
            i, j = order.index(then), order.index(first)
            order[i], order[j] = order[j], order[i]
    if "mistake" in order and "mistake fixed" in order:  # the failed build's step, then the one after it
        order.remove("mistake fixed")
        order.insert(order.index("mistake") + 1, "mistake fixed")
    order += [None] * idle
    rng.shuffle(order[-idle - 3:])
    steps = [Step(days[min(len(days) - 1, i * len(days) // len(order))], edit) for i, edit in enumerate(order)]
    return steps


# ---------------------------------------------------------------- building and comparing

def bangfu_build(records: Path, today: date) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "generator.cli", "build", str(records), "--today",
                           today.isoformat(), "--no-pdf"], capture_output=True, text=True, env=env, timeout=600)
    return done.returncode, (done.stdout + done.stderr).replace(str(records.parent), "<root>")


_CORE_TIMES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
_PRINTED = re.compile(r"生成日期：(\d{4}年\d{1,2}月\d{1,2}日)")
_REPORT_DAY = re.compile(rb'<c r="B5"[^>]*><v>[0-9.]+</v></c>')  # 填报日期 (report._header)


def _printed(text: str) -> str:
    """A document's print date and, where the document runs up to it (the running year's
    办结表 title), that end date, as a placeholder."""
    for day in set(_PRINTED.findall(text)):
        text = text.replace(f"至{day}）", "至<printed>）")
    return _PRINTED.sub("生成日期：<printed>", text)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file by relative path; workbooks as their parts, gzip files decompressed.

    Left out, as the README allows: a workbook's created/modified times (docProps/core.xml,
    the rest of it is compared) and the print dates of the private documents a rebuild carries
    ("沿用的文件保留原来的“生成日期”"): 生成日期 on every page and 办结表, the running year's
    办结表 end date (its title says 至<print date>) and the quarterly reports' 填报日期."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name == carry.NAME:
            continue
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                parts = {name: z.read(name) for name in sorted(z.namelist())}
            strings = parts.get("xl/sharedStrings.xml", b"").decode("utf-8")
            days = set(_PRINTED.findall(strings))
            for name, part in parts.items():
                if name == "docProps/core.xml":
                    part = _CORE_TIMES.sub(b"", part)
                    for day in days:
                        part = part.replace(f"至{day}）".encode(), "至<printed>）".encode())
                elif name == "xl/sharedStrings.xml":
                    part = _printed(strings).encode("utf-8")
                elif rel.startswith("季度统计/") and name.startswith("xl/worksheets/"):
                    part = _REPORT_DAY.sub(b"<printed/>", part)
                out[f"{rel}!{name}"] = part
        elif path.suffix == ".gz":
            out[rel] = gzip.decompress(data)
        elif path.suffix == ".html" and folder.name == "private":
            out[rel] = _printed(data.decode("utf-8")).encode("utf-8")
        else:
            out[rel] = data
    return out


# lines that say how the build went, not what it found: they differ between a rebuild and a fresh build
_PROGRESS = re.compile(r"……$|^已生成 \d+ 个页面|MkDocs|没有变化|沿用|已是最新|^\s*$")


def problems_said(output: str) -> tuple[list[str], list[str]]:
    """(the problems the clerk is told, the private folder's summary and the final line with its
    time left out). A build that finds nothing changed says so in one line instead of the
    summary (README: 网站已是最新): its summary is []."""
    lines = [re.sub(r"用时 [0-9.]+ 秒", "", line) for line in output.splitlines() if not _PROGRESS.search(line)]
    end = next((i for i, line in enumerate(lines) if line.startswith(("内部材料已写入", "完成："))), len(lines))
    return lines[:end], lines[end:]


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def run_sequence(source: Path, tmp: Path, steps: list[Step], seed: int) -> list[str | None]:
    """Apply the steps to a copy of `source`; after each, the incremental build against a fresh
    one: the same exit code, the same problems and summary, the same site and private folder; a
    failed build leaves both folders as the last build wrote them. Returns the edits whose
    builds failed."""
    rng = random.Random(seed)
    inc = tmp / "inc"
    shutil.copytree(source, inc / "records")
    code, output = bangfu_build(inc / "records", steps[0].today)
    assert code == 0, output
    last = {part: tree(inc / part) for part in ("site", "private")}
    log, failed = [], []
    for number, step in enumerate(steps, 1):
        what = EDITS[step.edit](inc / "records", rng, step.today) if step.edit else "no edit"
        log.append(f"step {number} {step.today} {step.edit}: {what}")
        code, output = bangfu_build(inc / "records", step.today)
        fresh = tmp / f"fresh{number}"
        shutil.copytree(inc / "records", fresh / "records")
        if (inc / "site_templates").is_dir():  # the station's own templates, next to its records
            shutil.copytree(inc / "site_templates", fresh / "site_templates")
        fresh_code, fresh_output = bangfu_build(fresh / "records", step.today)
        context = "\n".join(log)
        assert code == fresh_code, f"{context}\n--- incremental\n{output}\n--- fresh\n{fresh_output}"
        (problems, summary), (fresh_problems, fresh_summary) = problems_said(output), problems_said(fresh_output)
        assert problems == fresh_problems, f"{context}\n{output}\n---\n{fresh_output}"
        if "网站已是最新" in output:  # nothing changed, not even the day
            assert step.edit is None and step.today == (steps[number - 2].today if number > 1 else step.today)
        else:
            assert summary == fresh_summary, f"{context}\n{output}\n---\n{fresh_output}"
        for part in ("site", "private"):
            now = tree(inc / part)
            if fresh_code == 0:
                diff = differences(now, tree(fresh / part))
                assert not diff, f"{context}\n{part} differs from a fresh build: {diff[:20]}"
                last[part] = now
            else:  # a failed build leaves the last build's folders untouched
                assert not differences(now, last[part]), f"{context}\n{part} changed by a failed build"
        if code:
            failed.append(step.edit)
        shutil.rmtree(fresh)
    return failed


def test_a_short_sequence_on_a_small_station(tmp_path):
    """Five edits of different kinds on the tiny test station over the year's end."""
    source = write_station(tmp_path / "source" / "records").parent / "records"
    kinds = ["visit note (Excel)", "payout amount", "dibao new year", "station name", "worker added"]
    steps = sequence(SEED, kinds, [date(2026, 11, 23), date(2026, 12, 31), date(2027, 1, 4)], idle=1)
    assert run_sequence(source, tmp_path, steps, SEED) == []


@pytest.mark.slow
def test_a_year_of_edits_on_the_demo_station(tmp_path):
    """Every kind of edit once on the demo station (200 workers), over a quarter's and a year's end."""
    steps = sequence(SEED, list(EDITS), DAYS)
    assert run_sequence(ROOT / "records", tmp_path, steps, SEED) == ["mistake"]  # the only build that fails


def test_a_quarter_no_longer_reported_leaves_with_the_next_quarter(tmp_path):
    """Found by the sequence (a short one, only the day moving): at 2026-12-31 the latest
    complete quarter is 2026Q3, so a build writes its report although nothing happened in it;
    at 2027-01-04 that is 2026Q4, and a fresh build writes no 2026Q3 report. The rebuild kept
    the last build's 2026Q3 workbook as if the clerk had saved it with `bangfu report`."""
    records = write_station(tmp_path / "inc" / "records")
    assert bangfu_build(records, date(2026, 12, 31))[0] == 0
    folder = tmp_path / "inc" / "private" / "季度统计"
    assert sorted(p.name for p in folder.iterdir()) == ["2024Q1季度统计表.xlsx", "2024Q2季度统计表.xlsx",
                                                       "2026Q3季度统计表.xlsx"]
    assert bangfu_build(records, date(2027, 1, 4))[0] == 0
    fresh = write_station(tmp_path / "fresh" / "records")
    assert bangfu_build(fresh, date(2027, 1, 4))[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["2024Q1季度统计表.xlsx", "2024Q2季度统计表.xlsx",
                                                       "2026Q4季度统计表.xlsx"]
    assert not differences(tree(tmp_path / "inc" / "private"), tree(tmp_path / "fresh" / "private"))
