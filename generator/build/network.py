"""Build and publish the county site (`bangfu merge`): render the network's pages
(network/site.py), run a real `mkdocs build`, prove the site leaks nothing and gives no
hidden figure back, then swap it in atomically, exactly as `bangfu build` does for a
station (the same lock, marker, staging folder, leak scan and disclosure attacker).

    code = build_network_site(network, site_dir, today, echo=print)

Exit codes as `bangfu build`: 0 published, 1 a finding (a leak, a figure the site gives
back, a template or mkdocs error, or errors in the county centre's own records), 2 an
unusable output folder or a fault of the computer. A failed build leaves the previous
county site untouched. The leak scan searches the site for every station's personal data
(counted or not: a station's notice titles are gathered even when its figures are not).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import jinja2

from .. import disclosure_audit, privacy
from ..network.model import Network
from ..network.site import render_network_site
from ..render import PACKAGE_TEMPLATES, cache_compiled_templates, zh_date
from ..site.mkdocs_run import MkdocsFailed, jieba_dictionary, run_mkdocs
from . import publish
from .folders import SITE_MARKER, Refused, check_folders, publish_target, template_dirs, work_dir
from .lock import BuildLock, LockBusy
from .steps import _template_error, environment_fault, summary_line

LOCK_WAIT = 10.0


def build_network_site(network: Network, site_dir: Path, today: date, echo=print,
                       timings: dict | None = None, lock_wait: float = LOCK_WAIT) -> int:
    started = time.monotonic()
    timings = {} if timings is None else timings
    site_dir = publish_target(Path(site_dir), echo)
    try:
        for run in [network.county, *network.stations]:
            check_folders(run.folder, site_dir, None)
    except Refused as err:
        echo(str(err))
        return 2
    work = work_dir(site_dir)
    staging = work / f"new-{site_dir.name}"
    try:
        with BuildLock(work, wait=lock_wait, echo=echo):
            return _build(network, site_dir, work, staging, today, echo, timings, started)
    except LockBusy as err:
        echo(str(err))
        return 2
    except OSError as err:
        try:
            publish.remove(staging)
        except OSError:
            echo(f"请手动删除临时文件夹 {staging}。")
        echo(environment_fault(err))
        return 2
    finally:
        # as a station's build run once (steps.Build._hand_over): the old site and the last
        # build's Markdown, renamed aside, are deleted by a detached process after the build ends
        publish.hand_over()


def _build(network: Network, site_dir: Path, work: Path, staging: Path, today: date, echo, timings: dict,
           started: float) -> int:
    county = network.county
    if county.outcome.ok and county.examples:
        echo(f"本中心的工作簿（{county.folder}）中还有 bangfu init 生成的示例行或示例站点设置，"
             "不能作为本中心的信息公开：本次没有生成县级网站，原网站保持不变。请删除示例行、把站点设置改成本中心的信息后再汇总。")
        return 1
    if not county.counted:
        echo(f"本中心自己的记录（{county.folder}）有错误或无法读取，本次没有生成县级网站，原网站保持不变。"
             f"请先用 bangfu check {county.folder} 检查并改正。")
        return county.outcome.exit_code or 1
    old = work / f"old-{site_dir.name}"
    if publish.recover(site_dir, old):
        echo(f"已恢复上次中断时的 {site_dir}。")
    publish.remove(staging)
    publish.remove(old)
    publish.clear_trash(work, how="process")  # what a killed build or remover left: deleted detached
    cache_compiled_templates(work / "templates")
    tdirs = template_dirs(county.folder)

    def step(key: str, text: str):
        echo(f"{text}……")
        return _Timer(timings, key)

    with step("render", "生成汇总网站页面"):
        try:
            site = render_network_site(network, today, template_dirs=tdirs)
            docs, info, records = site.docs, site.info, site.records
        except jinja2.TemplateError as err:
            echo(f"网页模板有错误，本次没有生成网站：{_template_error(err)}")
            return 1
    docs_dir = work / f"docs-{site_dir.name}"
    if docs_dir.is_dir() and not docs_dir.is_symlink():
        publish.set_aside(docs_dir)  # the last build's Markdown: deleted after the build (hand_over)
    else:
        publish.remove(docs_dir)
    docs.write(docs_dir)
    with step("mkdocs", f"MkDocs 生成网站（{docs.page_count} 个页面）"):
        try:
            warnings = run_mkdocs(
                docs_dir, staging, site_name=info.station.name, nav=info.nav, site_url=info.station.site_url,
                station=info.station.name, date_text=zh_date(today),
                jieba_dict=jieba_dictionary(work, info.search_words), pages=docs.page_count)
        except MkdocsFailed as err:
            echo(f"{err}。本次没有生成网站，原网站保持不变。")
            publish.remove(staging)
            return 1
    for w in warnings:
        echo(f"MkDocs 提示：{w}")
    (staging / SITE_MARKER).write_text("bangfu\n", encoding="utf-8")
    with step("scan", "隐私检查（全部站点的个人信息）"):
        scan = scan_network_site(staging, network, [*tdirs, PACKAGE_TEMPLATES])
    if not scan.ok:
        echo(privacy.report(scan))
        publish.remove(staging)
        return 1
    with step("audit", "统计推算检查"):
        derived = disclosure_audit.audit(staging, records, today)
    shown = shown_but_hidden(staging, site.plan)
    if derived or site.given_back or site.registered_given_back or shown:
        echo(disclosure_audit.report(derived) if derived else given_back_report(site.given_back)
             if site.given_back else REGISTERED_GIVEN_BACK if site.registered_given_back else shown_report(shown))
        publish.remove(staging)
        return 1
    publish.swap_all([(staging, site_dir, old)], discard=publish.set_aside)
    echo(summary_line(info, docs.page_count, scan, time.monotonic() - started, site_dir))
    if privacy.excused_note(scan):
        echo(privacy.excused_note(scan))
    return 0


def site_stage(outcome, *, site_dir: Path, private_dir: Path, today: date, echo) -> int:
    """`bangfu merge`'s output stage (network/merge.py OUTPUT_STAGES) for the county site;
    registered by the CLI, since only the CLI may import the build."""
    return build_network_site(outcome.network, site_dir, today, echo)


def given_back_report(found: dict) -> str:
    years = "、".join(f"{y} 年" for y in sorted(found))
    return (f"统计推算检查未通过：县级网站 {years}的统计中，有数字减去各站点网站公布的数字后，"
            "可以算出某个站点隐藏的数字，本次没有发布网站，原网站保持不变。请把本中心站点设置中的“统计最小显示人数”调高后重新汇总，或把本提示发给维护人员。")


def shown_but_hidden(site: Path, plan) -> list[str]:
    """The statistics cells (category × period, period and year totals) that the network's
    plan hides but the built pages show all the same, read from the pages as the attacker
    reads them (disclosure_audit.Attack): a template that prints a figure without asking
    whether it is hidden. The county's plan hides cells a station's own site would give back,
    so unlike a station's it may hide a year's total."""
    out = []
    for year, st in disclosure_audit.Attack(site).years.items():
        yp = plan.years.get(year) if plan is not None else None
        if yp is None:
            continue
        labels = [sp.label for sp in yp.spans] if len(yp.spans) > 1 else []
        for (row, span), cell in st["cells"].items():
            if cell is None or (span != "全年" and span not in labels):
                continue
            s = None if span == "全年" else labels.index(span)
            key = (("all",) if s is None else ("q", s)) if row == "*" else ("g", row, s)
            if key in yp.grid.cells and yp.grid.cells[key].hidden:
                out.append(f"{year} 年统计：{'全部项目' if row == '*' else row}（{span}）")
    return out


def shown_report(shown: list[str]) -> str:
    return "\n".join(["统计推算检查未通过：县级网站的统计页公布了应隐藏的数字，本次没有发布网站，原网站保持不变。"
                      "请把本提示发给维护人员。", *(f"  {x}" for x in shown)])


REGISTERED_GIVEN_BACK = ("统计推算检查未通过：县级网站“在档困难职工”表中，有人数减去各站点网站公布的人数后，"
                         "可以算出某个站点隐藏的人数，本次没有发布网站，原网站保持不变。"
                         "请把本中心站点设置中的“统计最小显示人数”调高后重新汇总，或把本提示发给维护人员。")


def scan_network_site(folder: Path, network: Network, template_dirs=()) -> privacy.Scan:
    """The leak scan of `bangfu build`, for every station's personal data at once; each
    finding names the station whose workbook holds the value."""
    needles = []
    corpus = []
    for run in [network.county, *network.stations]:
        records = run.outcome.records
        station = f"{run.info.name or run.key}（{run.key}）"
        needles += [privacy.Needle(n.text, n.kind, station + n.where, n.sensitive, n.is_name, n.key)
                    for n in privacy.collect(records)]
        county = run is network.county
        corpus.append(privacy.public_corpus(records, template_dirs if county else (), theme=county))
    return privacy.scan_folder(folder, needles, "\n".join(corpus))


class _Timer:
    def __init__(self, timings: dict, key: str):
        self.timings, self.key = timings, key

    def __enter__(self):
        self.t = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.timings[self.key] = time.monotonic() - self.t
        return False
