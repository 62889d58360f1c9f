"""An attacker that knows only the built public site: it tries to work out every figure
the statistics hide from everything else the site publishes. The build runs it after the
leak scan (a hidden figure that comes out right fails the build), and
tests/test_disclosure_attack.py runs it on generated stations.

    attack = Attack(site_dir)
    attack.derived                          # [(Target, "amount" | "times", value)] worked out
    found = audit(site_dir, records, today) # the derivations that come out right
    print(report(found))                    # Chinese, for the build log

Independent of the site generator (it imports nothing from generator.site): it reads
HTML, the download workbook, SVG charts and the search index like any reader would,
and uses only what they say; the records serve only to tell a right guess from a wrong one.

What it knows:
- the standards from the policy pages (项目类别, 每次 N 元, formula or no cash);
- per year, the statistics' category × period table (hidden cells "—"), the item
  table, the category/cause/低保 tables;
- the fund download (资金公开汇总.xlsx): spending per use and period for all
  accounts and for each account; the same tables on the year pages;
- every notice summary (公示 汇总: items, 人次, amounts; "共 N 人次", "金额合计"),
  each counted in the quarter its period ends (a guess: the attacker cannot see payment dates; a derivation
  counts only if the value comes out right).

How it derives: every published figure is a sum over unknown "atoms" (category row
× quarter × fund; amounts and, separately, numbers of payouts). A figure 0 makes all
its atoms 0 (nothing is negative). A hidden cell is derived when its sum is a linear
combination of published sums (exact Gaussian elimination over fractions). An
amount also gives the number of payouts back when the standards of the row's items
allow only one decomposition (fixed amounts only).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from html import unescape
from itertools import product
from pathlib import Path
from typing import Any

SPANS = {"第一季度": (1,), "第二季度": (2,), "第三季度": (3,), "第四季度": (4,),
         "上半年": (1, 2), "下半年": (3, 4), "全年": (1, 2, 3, 4)}
OTHER = "其他帮扶项目"
MONEY = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*\.\d\d(?![\d万%])")
HIDDEN = "—"


def money(text: str) -> Fraction:
    return Fraction(Decimal(text.replace(",", "")))


def tables(html: str) -> list[list[list[str]]]:
    out = []
    for t in re.findall(r"<table.*?</table>", html, re.DOTALL):
        rows = []
        for tr in re.findall(r"<tr.*?</tr>", t, re.DOTALL):
            cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.DOTALL)
            rows.append([unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in cells])
        out.append([[" ".join(c) for c in r] for r in rows])
    return out


def article_text(html: str) -> str:
    start = html.find("<article")
    body = html[start:html.find("</article>", start)] if start >= 0 else html
    return unescape(re.sub(r"<[^>]+>", " ", body))


@dataclass(frozen=True)
class Target:
    year: int
    row: str  # a row of the category × period table ('*' = every row)
    span: str  # period label


class System:
    """Linear equations sum(atoms) = value, solved exactly; 0-valued sums zero their atoms."""

    def __init__(self):
        self.facts: list[tuple[frozenset, Fraction]] = []

    def add(self, atoms, value: Fraction) -> None:
        atoms = frozenset(atoms)
        if atoms:
            self.facts.append((atoms, Fraction(value)))

    def solve(self):
        zero: set = set()
        for atoms, value in self.facts:
            if value == 0:
                zero |= atoms
        self.zero = zero
        self.basis: dict = {}  # pivot atom -> (vector dict, value)
        for atoms, value in self.facts:
            vec = {a: Fraction(1) for a in atoms if a not in zero}
            self._insert(vec, value)
        return self

    def _reduce(self, vec: dict, value: Fraction):
        vec = dict(vec)
        changed = True
        while changed:
            changed = False
            for a in list(vec):
                if a in self.basis and vec.get(a):
                    bvec, bval = self.basis[a]
                    k = vec[a]
                    for b, c in bvec.items():
                        vec[b] = vec.get(b, 0) - k * c
                        if vec[b] == 0:
                            del vec[b]
                    value -= k * bval
                    changed = True
        return vec, value

    def _insert(self, vec, value) -> None:
        vec, value = self._reduce(vec, value)
        if not vec:
            return
        pivot = min(vec, key=repr)
        k = vec[pivot]
        vec = {a: c / k for a, c in vec.items()}
        value = value / k
        for p, (bvec, bval) in list(self.basis.items()):  # keep the basis fully reduced
            if pivot in bvec:
                c = bvec[pivot]
                nb = {a: bvec.get(a, 0) - c * vec.get(a, 0) for a in set(bvec) | set(vec)}
                self.basis[p] = ({a: v for a, v in nb.items() if v}, bval - c * value)
        self.basis[pivot] = (vec, value)

    def derive(self, atoms) -> Fraction | None:
        vec = {a: Fraction(1) for a in atoms if a not in self.zero}
        if not vec:
            return Fraction(0)
        rest, value = self._reduce(vec, Fraction(0))
        return -value if not rest else None


def pages(folder: Path) -> list[tuple[str, Path]]:
    """(name, file) of every page in a site folder, whether the site was built with folder
    addresses (name/index.html) or file addresses (name.html, for opening by double-click)."""
    if not folder.is_dir():
        return []
    out = [(p.parent.name, p) for p in folder.glob("*/index.html")]
    out += [(p.stem, p) for p in folder.glob("*.html") if p.name != "index.html"]
    return sorted(out)


# the rows of the last summary workbook read, by the digest of what its spending sheet is read
# from (_sheet_key; `bangfu serve` audits again and again)
_DOWNLOADS: dict[bytes, list] = {}
_DERIVED: dict[bytes, list] = {}  # the derivations from the last figures read (Attack._derived)
SPENDING_SHEET = "支出用途"
_SHEET_ENTRY = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(r"<Relationship\b[^>]*>")
_ATTR = re.compile(r'\b(Id|Target)="([^"]*)"')


def _sheet_key(data: bytes, sheet: str) -> bytes:
    """A digest of every part of the workbook `data` that reading `sheet` depends on: every
    part but the other worksheets and the document properties (a save of the station's name
    changes the title on the 说明 sheet only, so the spending rows are not parsed again). The
    whole file's digest when its parts cannot be told apart."""
    import zipfile

    h = hashlib.blake2b(digest_size=20)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = sorted(z.namelist())
            book = z.read("xl/workbook.xml").decode("utf-8")
            rels = {}
            for tag in _REL.findall(z.read("xl/_rels/workbook.xml.rels").decode("utf-8")):
                attrs = dict(_ATTR.findall(tag))
                rels[attrs.get("Id")] = attrs.get("Target", "")
            ids = {unescape(name): rid for name, rid in _SHEET_ENTRY.findall(book)}
            target = rels.get(ids.get(sheet, ""), "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if target not in names:
                raise KeyError(target)
            for name in names:
                if name.startswith("docProps/") or (name.startswith("xl/worksheets/") and name != target
                                                    and not name.startswith("xl/worksheets/_rels/")):
                    continue
                part = z.read(name)
                h.update(len(name).to_bytes(4, "big") + name.encode() + len(part).to_bytes(8, "big") + part)
        return b"parts" + h.digest()
    except Exception:  # noqa: BLE001 - a workbook of another shape: the whole file decides
        return b"whole" + hashlib.blake2b(data, digest_size=20).digest()


class Attack:
    def __init__(self, site: Path, min_cell: int = 3):
        self.site = Path(site)
        self.min_cell = min_cell
        self.items = self._policies()  # name -> (group, standard Fraction | None | 'formula')
        self.years: dict[int, dict] = {}
        for name, page in pages(self.site / "stats"):
            if name.isdigit():
                self.years[int(name)] = self._stats(int(name), page.read_text("utf-8"))
        self.spending = self._download() + self._fund_year_pages()
        self.notices = self._notices()
        self.derived = self._derived()

    def _derived(self) -> list:
        """`_attack`'s derivations, worked out once per figures read (_DERIVED): the attack uses
        nothing but them, and a save under `bangfu serve` (a station name, a visit note)
        usually publishes the very same figures."""
        key = hashlib.blake2b(repr((self.min_cell, self.items, self.years, self.spending, self.notices)).encode(),
                              digest_size=20).digest()
        found = _DERIVED.get(key)
        if found is None:
            found = self._attack()
            _DERIVED.clear()  # the last site's only
            _DERIVED[key] = found
        return list(found)

    # --- reading the site --------------------------------------------------------
    def _policies(self) -> dict:
        items = {}
        for _, page in pages(self.site / "policies"):
            html = page.read_text("utf-8")
            h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL)
            text = article_text(html)
            found = re.search(r"项目类别\s*：\s*(\S+?)\s+帮扶标准\s*：\s*(.+?)\n", text)
            if not h1 or not found:
                continue
            name = unescape(re.sub(r"<[^>]+>", "", h1.group(1))).strip()
            standard_text = found.group(2)
            fixed = re.match(r"每次 ([\d,]+\.\d\d) 元", standard_text)
            standard: Fraction | str
            if fixed:
                standard = money(fixed.group(1))
            elif "不发放现金" in standard_text:
                standard = Fraction(0)
            else:
                standard = "formula"
            items[name] = (found.group(1), standard)
        return items

    def _stats(self, year: int, html: str) -> dict:
        out: dict[str, Any] = {"cells": {}, "rows": [], "spans": [], "times": {},
                               "small": "不公布分项统计" in html}
        for t in tables(html):
            head = t[0]
            if head[0] == "项目类别" and head[1] != "人数":
                spans = head[1:-1]
                out["spans"] = spans
                for r in t[1:]:
                    row = "*" if r[0] == "合计" else r[0]
                    if row != "*":
                        out["rows"].append(row)
                    for label, cell in zip([*spans, "全年"], r[1:]):
                        out["cells"][(row, label)] = _cell(cell)
            elif head[0] == "项目类别":  # one period: people | times | amount
                out["spans"] = []
                for r in t[1:]:
                    row = "*" if r[0] == "合计" else r[0]
                    if row != "*":
                        out["rows"].append(row)
                    out["cells"][(row, "全年")] = None if r[1] == HIDDEN else (int(r[1]), money(r[3]))
                    if r[2] != HIDDEN:
                        out["times"][row] = out["times"].get(row, 0) + int(r[2])
            elif head[0] == "帮扶项目":
                for r in t[1:-1]:
                    if r[2] != HIDDEN:
                        out["times"].setdefault(("bucket", r[0]), int(r[2]))
        if out["small"]:  # the year total itself is hidden
            out["cells"][("*", "全年")] = None
        return out

    def _download(self) -> list:
        import openpyxl

        data = (self.site / "funds/downloads/funds-summary.xlsx").read_bytes()
        key = _sheet_key(data, SPENDING_SHEET)
        if key not in _DOWNLOADS:  # `bangfu serve` audits the same workbook again and again
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            rows = list(wb[SPENDING_SHEET].iter_rows(values_only=True))[1:]
            _DOWNLOADS.clear()
            _DOWNLOADS[key] = [(a, int(y), label, period, amount) for a, y, label, period, amount in rows]
        return list(_DOWNLOADS[key])

    def _fund_year_pages(self) -> list:
        """The 支出用途 table of every year page (all accounts), as download rows."""
        out = []
        for name, page in pages(self.site / "funds/years"):
            if not name.isdigit():
                continue
            year = int(name)
            for t in tables(page.read_text("utf-8")):
                if t[0][0] != "用途":
                    continue
                periods = t[0][1:]
                for r in t[1:-1]:
                    for period, cell in zip(periods, r[1:]):
                        if MONEY.fullmatch(cell):
                            out.append(("全部账户", year, r[0], period, Decimal(cell.replace(",", ""))))
        return out

    def _notices(self) -> list:
        out = []
        for _, page in pages(self.site / "notices"):
            html = page.read_text("utf-8")
            text = article_text(html)
            period = re.search(r"公示期\s*：?\s*(\d{4})年(\d+)月(\d+)日\s*至\s*(\d{4})年(\d+)月(\d+)日", text)
            if not period:
                continue
            end = date(*map(int, period.groups()[3:]))
            rows = []
            for t in tables(html):
                if t[0][:2] == ["帮扶项目", "人次"]:
                    rows += [(r[0], int(r[1]), None if r[2] == HIDDEN else money(r[2])) for r in t[1:-1]]
            count = re.search(r"共\s*(\d+)\s*人次", text)
            total = re.search(r"金额合计\s*([\d,]+\.\d\d)\s*元", text)
            if count:  # the whole notice: every row of the statistics
                rows.append(("*", int(count.group(1)), money(total.group(1)) if total else None))
            out.append((end, rows))
        return out

    # --- the attack ------------------------------------------------------------------
    def _row_of(self, year: int, label: str) -> str | None:
        rows = self.years[year]["rows"]
        if label == "*":
            return label
        if label in rows:
            return label
        if label.endswith("（其他项目）") and label[:-6] in rows:
            return label[:-6]
        group = self.items.get(label, (None,))[0]
        if group in rows:
            return group
        return OTHER if OTHER in rows and (group or label == OTHER) else None

    def _attack(self) -> list:
        found = []
        funds = sorted({a for a, *_ in self.spending if a != "全部账户"}) or ["*"]
        for year, st in self.years.items():
            rows = st["rows"] or ["*"]

            def atoms(rs, qs, fs=funds):
                return {(r, q, f) for r in rs for q in qs for f in fs}

            amounts, times = System(), System()
            for (row, span), cell in st["cells"].items():
                if cell is None:
                    continue
                rs = rows if row == "*" else [row]
                amounts.add(atoms(rs, SPANS[span]), cell[1])
            for key, n in st["times"].items():
                if isinstance(key, tuple):
                    continue
                times.add(atoms(rows if key == "*" else [key], SPANS["全年"]), n)
            for account, y, label, period, amount in self.spending:
                if y != year or not str(label).startswith("帮扶发放") or amount in (None, HIDDEN):
                    continue
                fs = funds if account == "全部账户" else [account]
                row = label.partition("：")[2]
                rs = [row] if row in rows else rows
                amounts.add(atoms(rs, SPANS.get(period, SPANS["全年"]), fs), Fraction(Decimal(str(amount))))
            for end, summary in self.notices:
                if end.year != year:
                    continue
                q = (end.month - 1) // 3 + 1
                for label, count, amount in summary:
                    row = self._row_of(year, label)
                    if row is None:
                        continue
                    rs = rows if row == "*" else [row]
                    times.add(atoms(rs, [q]), count)
                    if amount is not None:
                        amounts.add(atoms(rs, [q]), amount)
            amounts.solve()
            times.solve()
            for (row, span), cell in st["cells"].items():
                if cell is not None:
                    continue
                target = Target(year, row, span)
                scope = atoms(rows if row == "*" else [row], SPANS[span])
                value = amounts.derive(scope)
                if value is not None:
                    found.append((target, "amount", value))
                    n = self._times_from_amount(row if row != "*" else None, value)
                    if n is not None:
                        found.append((target, "times", Fraction(n)))
                n = times.derive(scope)
                if n is not None:
                    found.append((target, "times", n))
        return found

    def _times_from_amount(self, row: str | None, amount: Fraction) -> int | None:
        """The number of payouts when the row's fixed standards allow only one decomposition."""
        standards = [s for name, (group, s) in self.items.items()
                     if row is None or group == row or (row == OTHER and group not in self._rows_named())]
        if not standards or any(s == "formula" or s == 0 for s in standards):
            return None
        values = sorted(set(standards))
        ways = set()
        limits = [int(amount // v) for v in values]
        if sum(limits) > 60 or len(values) > 4:
            return None  # too many decompositions to be unique in practice
        for counts in product(*(range(n + 1) for n in limits)):
            if sum(c * v for c, v in zip(counts, values)) == amount:
                ways.add(sum(counts))
        return ways.pop() if len(ways) == 1 else None

    def _rows_named(self) -> set:
        return {r for st in self.years.values() for r in st["rows"]}

    # --- figures in charts and the search index ------------------------------------
    def published_figures(self) -> set:
        """Every money figure on an HTML page (what a reader sees)."""
        figures = set()
        for page in self.site.rglob("*.html"):
            figures |= set(MONEY.findall(article_text(page.read_text("utf-8"))))
        return figures

    def figures_in_charts_and_search(self) -> set:
        figures = set()
        for svg in self.site.rglob("*.svg"):
            figures |= set(MONEY.findall(svg.read_text("utf-8")))
        index = json.loads((self.site / "search/search_index.json").read_text("utf-8"))
        for doc in index["docs"]:
            figures |= set(MONEY.findall(doc["title"] + " " + doc["text"]))
        return figures


def _cell(text: str):
    if text == HIDDEN:
        return None
    found = re.match(r"(\d+) 人\s*([\d,]+\.\d\d)", text)
    return (int(found.group(1)), money(found.group(2))) if found else None


def truth(records, year: int, row: str, span: str, rows: list[str], today: date):
    """The real (people, times, amount) of a statistics cell, from the records."""
    items = {i.name: i for i in records.items}
    people, count, total = set(), 0, Decimal(0)
    for p in records.payouts:
        if p.paid is None or p.paid > today or p.amount is None or p.paid.year != year:
            continue
        if (p.paid.month - 1) // 3 + 1 not in SPANS[span]:
            continue
        group = items[p.item].group if p.item in items else None
        in_row = row == "*" or group == row or (row == OTHER and group not in rows)
        if in_row:
            people.add(p.archive_no)
            count += 1
            total += p.amount
    return len(people), count, Fraction(total)


def leaks(attack: Attack, records, today: date) -> list[str]:
    """The derivations that come out exactly right (an attacker would be certain)."""
    out = []
    for target, kind, value in attack.derived:
        st = attack.years[target.year]
        people, count, amount = truth(records, target.year, target.row, target.span, st["rows"], today)
        if kind == "amount" and value == amount and amount != 0:
            out.append(f"{target}: amount {float(amount):.2f} ({people} people)")
        elif kind == "times" and value == count and count < attack.min_cell and count > 0:
            out.append(f"{target}: {count} payouts ({people} people)")
    return out


def audit(site: Path, records, today: date) -> list[tuple[Target, str]]:
    """(cell, what came out) for every hidden statistics cell the site gives back exactly."""
    attack = Attack(site, records.settings.min_cell or 3)
    out = []
    for target, kind, value in attack.derived:
        people, count, amount = truth(records, target.year, target.row, target.span,
                                      attack.years[target.year]["rows"], today)
        if kind == "amount" and value == amount and amount != 0:
            out.append((target, "金额"))
        elif kind == "times" and value == count and 0 < count < attack.min_cell:
            out.append((target, "人次"))
    return out


def report(found: list[tuple[Target, str]], limit: int = 10) -> str:
    lines = ["统计推算检查未通过：统计页隐藏的以下数字可以由网站其他页面（资金公开、公示汇总等）推算出来，"
             "本次没有发布网站，原网站保持不变。请把站点设置中的“统计最小显示人数”调高后重新生成，"
             "或把本提示发给维护人员。"]
    for target, what in found[:limit]:
        row = "全部项目" if target.row == "*" else target.row
        lines.append(f"  {target.year} 年统计：{row}（{target.span}）的{what}")
    if len(found) > limit:
        lines.append(f"  另有 {len(found) - limit} 处。")
    return "\n".join(lines)
