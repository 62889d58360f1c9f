"""The site navigation handed to mkdocs. Only index pages, policies, funds and years are
in it: batch pages and long lists are linked from the index pages, not from the nav,
because the nav is rendered into every page (its size multiplies the build time)."""

from __future__ import annotations

from .common import title_text


def site_nav(notice_years: list[int], items: list, funds: list, fund_years: list[int],
             stat_years: list[int]) -> list:
    notices = ["notices/index.md"] + [{f"{y} 年公示": f"notices/years/{y}.md"}
                                      for y in sorted(notice_years, reverse=True)]
    policies = ["policies/index.md", {"帮扶程序": "policies/procedure.md"}] + [
        {title_text(p.name): p.path} for p in items]
    money = ["funds/index.md"] + [{title_text(f.name): f.path} for f in funds] + [
        {f"{y} 年收支": f"funds/years/{y}.md"} for y in sorted(fund_years, reverse=True)]
    stats = ["stats/index.md"] + [{f"{y} 年统计": f"stats/{y}.md"} for y in sorted(stat_years, reverse=True)]
    return [{"首页": "index.md"}, {"公示": notices}, {"帮扶政策": policies}, {"资金公开": money},
            {"统计": stats}]
