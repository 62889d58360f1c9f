"""The Chinese text `bangfu import` prints: the mapping, the counts, the problems, what next."""

from __future__ import annotations

from pathlib import Path

from .. import report_text
from .mapping import SKIP


def render(outcome, into: Path, wrote: bool, dry_run: bool = False) -> str:
    lines = ["对照关系（原表的列 → bangfu 的列）："]
    where = None
    for m in outcome.mappings:
        if (m.file, m.sheet) != where:
            where = (m.file, m.sheet)
            lines.append(f"  {m.file}「{m.sheet}」")
        target = m.target.label if m.target else SKIP
        note = f"（{m.note}）" if m.note else ""
        lines.append(f"    {m.source.letter} {m.source.name} → {target}{note}")
    if not outcome.mappings:
        lines.append("  （没有找到能导入的表）")
    lines.append("")
    verb = "已导入" if wrote and not outcome.refused else "可导入"
    counts = "，".join(f"{name} {n} 行" for name, n in outcome.counts.items()) or "0 行"
    lines.append(f"{verb}：{counts}。")
    extra = []
    if outcome.skipped:
        extra.append(f"{outcome.skipped} 行已导入过，没有重复导入")
    if outcome.ignored:
        extra.append(f"{outcome.ignored} 行合计或说明已略过")
    if extra:
        lines.append("；".join(extra) + "。")
    if outcome.problems:
        lines.append("")
        text = report_text.render(outcome.problems, into)
        lines.append(text.rsplit("\n", 1)[0])  # without check's verdict about building the site
        errors = sum(1 for p in outcome.problems if p.is_error)
        lines.append(f"共 {errors} 个错误，{len(outcome.problems) - errors} 个提醒（位置指原有的表）。")
    lines.append("")
    if dry_run:
        lines.append("这是试运行（--dry-run），没有写入任何文件。")
    elif outcome.refused:
        lines.append("因为上面的错误，没有写入任何工作簿。请改正后重新运行。")
    elif wrote:
        written = "、".join(p.name for p in outcome.written) or "无"
        lines.append(f"已写入 {into}：{written}。原有的表没有被修改。")
        lines.append(f"下一步：运行 bangfu check {into}，把提示的问题（如必填项为空）在新工作簿中补齐。")
    else:
        lines.append(f"还没有写入工作簿。请打开 {outcome.mapping_path} 核对“导入到”一列"
                     f"（可从下拉列表改选，或选“不导入”），保存后再运行同一命令写入。")
    return "\n".join(lines)
