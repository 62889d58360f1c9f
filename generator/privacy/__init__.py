"""The leak scan: prove that no sensitive value of the records reached the public output.

After rendering, every file of the built site is read (HTML and XML with entities
decoded, the search index with json so that \\uXXXX escapes are decoded,
gzip'd sitemaps, xlsx/zip members, SVG, PDF text through pypdf) and searched
for every value the schema marks `sensitive`. A hit fails the build, naming the
file, the kind of value and the record it came from; the value itself is only
shown masked.

What is searched (the rule, documented in the README):
- identity numbers, phone numbers and bank accounts, by their digits;
- worker names when names are masked on the site (settings.full_names = 否),
  family members' names always. Names of three or more characters are found
  anywhere; a two-character name (王五) only where it stands alone between
  non-Han characters (a table cell, an attribute), because two characters are
  also ordinary words inside sentences (金秋, 建国); one-character names are
  not searched;
- addresses, communities, schools, free-text notes (生活状况, 走访情况, 异议内容,
  备注 …) of four characters or more.
- Not searched, because they are not distinctive text: amounts (incomes,
  medical costs — every page has amounts), dates, and values chosen from a list
  (健康状况 恶性肿瘤, 残疾类别): they are kept off the pages by construction —
  the page views never carry these fields — and the tests check the pages.
- A page is also read as a reader sees it: a value split by an inline tag, a
  comment or a line break (王<span>小明</span>) is found in its block (_flow_blocks);
  table cells, list items and paragraphs are not joined.
- Both sides are normalised before matching: full-width forms, case, spaces and
  invisible characters, traditional characters (to simplified); digits with dashes,
  dots or slashes between them are joined (138-0013-8000); an address is also
  searched without its province/city/county/town prefix (人民路 12 号).
- Identity numbers, phones and bank cards are never excused. A name that is also
  part of the station's own public text (settings, policies, fund names, work
  units, the page templates) is excused only where that text demonstrably holds it
  as something else: inside a longer word, with Han characters on both sides
  (李春花 in 居住在李春花园), and only when every place the site shows it is such a
  word; each excused name is reported (masked) with the word. Other text (a family
  member's workplace or school that is also a worker's public work unit) is
  excused when it is part of the public text, as before.
"""

from __future__ import annotations

from pathlib import Path

# the package's names, as `generator.privacy` gave them before it was split by responsibility
from .files import _LINES, _STRINGS, _VIEWS, _flow_blocks, _plain_lines, _texts, file_lines
from .footprint import Footprint
from .kept import _KEPT, _needle_folder, keep_scans
from .normal import (
    _INVISIBLE_RANGES,
    _INVISIBLE_UNIDATA,
    KIND_ZH,
    MIN_LENGTH,
    MIN_TEXT,
    NOT_TEXT,
    _invisible,
    _invisible_ranges,
    _number,
    _value_key,
    address_tails,
    joined_digits,
    normalise,
    preview,
)
from .search import (
    _RUNS,
    ADDED_MAX,
    FileCache,
    Leak,
    Scan,
    _find,
    _find_texts,
    _Haystack,
    _holding,
    _holding_texts,
    _runs_known,
    scan_folder,
)
from .values import (
    _LAST_VALUES,
    _TEMPLATE_TEXTS,
    CORPUS,
    CORPUS_TABLES,
    NUMBERS,
    Needle,
    NeedleCache,
    Shapes,
    Values,
    ValueTable,
    _min_length,
    _needle_columns,
    _own_column_digests,
    _table_needles,
    collect,
    corpus_key,
    public_corpus,
)

__all__ = [
    "ADDED_MAX", "CORPUS", "CORPUS_TABLES", "KIND_ZH", "MIN_LENGTH", "MIN_TEXT", "NOT_TEXT", "NUMBERS",
    "FileCache", "Footprint", "Leak", "Needle", "NeedleCache", "Scan", "Shapes", "ValueTable", "Values",
    "_INVISIBLE_RANGES", "_INVISIBLE_UNIDATA", "_LINES", "_RUNS", "_STRINGS", "_VIEWS", "_Haystack",
    "_find", "_find_texts", "_flow_blocks", "_holding", "_holding_texts", "_invisible", "_invisible_ranges",
    "_min_length", "_needle_columns", "_needle_folder", "_number", "_own_column_digests", "_plain_lines",
    "_runs_known", "_table_needles", "_texts", "_value_key", "address_tails", "collect", "corpus_key",
    "excused_note", "file_lines", "forget", "joined_digits", "keep_scans", "normalise", "preview", "public_corpus",
    "report", "scan_folder", "scan_site",
]


def scan_site(folder: Path, records, template_dirs=(), cache: FileCache | None = None,
              needles: NeedleCache | None = None, tables: dict | None = None) -> Scan:
    """`tables`, when given, receives each table's values (collect)."""
    return scan_folder(folder, collect(records, needles, tables), public_corpus(records, template_dirs, kept=needles),
                       cache)


def forget() -> None:
    """Let go of what the scans of this process kept for the next (a build run once, done scanning)."""
    _TEMPLATE_TEXTS[0] = {}
    _LAST_VALUES[0] = {}
    _KEPT["objects"] = {}
    for kept in (_LINES, _VIEWS, _STRINGS):
        kept[:] = [{}, {}]
    _RUNS.update(texts=None, runs={})


def excused_note(scan: Scan, limit: int = 5) -> str:
    """One line saying which values were not counted as leaks, and why."""
    if not scan or not scan.excused:
        return ""
    shown_ = "、".join(f"“{word}”中的“{masked}”" for masked, word in scan.excused[:limit])
    more = f"等 {len(scan.excused)} 项" if len(scan.excused) > limit else ""
    return (f"以下个人信息与本站公开文字中的词语相同，且网站上只作为这些词语出现，未算作泄露：{shown_}{more}。"
            "如果其中有真实的个人信息，请修改相应的公开文字。")


def report(scan: Scan, limit: int = 20) -> str:
    """The Chinese message for a failed scan."""
    lines = ["隐私检查未通过：生成的网站中出现了不应公开的个人信息，本次没有发布，原网站保持不变。"]
    for leak in scan.leaks[:limit]:
        lines.append(f"  - 页面 {leak.file}：{leak.kind}（来自 {leak.where}，{leak.preview}）")
    if len(scan.leaks) > limit:
        lines.append(f"  …… 另有 {len(scan.leaks) - limit} 处")
    for rel in scan.unscanned[:limit]:
        lines.append(f"  - 文件 {rel} 无法检查（PDF 文件无法读取，或没有安装 pypdf：pip install pypdf），"
                     "为安全起见不发布。")
    if scan.leaks:
        lines.append("身份证号、电话和银行卡号无论出现在哪里（包括资金说明、政策文字、站点设置）都不能公开；"
                     "姓名只有在本站公开文字中明确是别的词语的一部分时才不算泄露。")
        lines.append("请检查是否修改过网页模板（site_templates），或在公示标题、处理说明等会公开的栏目中写入了"
                     "姓名、身份证号、电话、住址等个人信息；改正后重新生成。")
    return "\n".join(lines)
