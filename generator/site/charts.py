"""Static SVG charts for 资金公开: they print, work offline and need no JavaScript.

Two kinds: grouped columns (income and spending per quarter) and horizontal
bars (spending by use). Every label is XML-escaped; the figures are also in the
table next to each chart, so the chart is an aid, never the only source.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from ..money import yuan

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','DengXian','SimSun',sans-serif"
INCOME_COLOUR = "#2e7d32"
SPENDING_COLOUR = "#b3261e"
TEXT_COLOUR = "#212121"
GRID_COLOUR = "#d0d0d0"


def _nice_max(value: Decimal) -> Decimal:
    """The smallest 1/2/2.5/5 × 10^n not below value (at least 1)."""
    if value <= 0:
        return Decimal(1)
    exp = len(str(int(value))) - 1
    for step in (1, 2, Decimal("2.5"), 5, 10):
        top = Decimal(step) * Decimal(10) ** exp
        if top >= value:
            return top
    return Decimal(10) ** (exp + 1)


def _short(amount: Decimal) -> str:
    """Axis label: 12000 -> '1.2万', 800 -> '800'."""
    if abs(amount) >= 10000:
        return f"{(amount / 10000).normalize():f}万"
    return f"{amount.normalize():f}"


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" font-family="{escape(FONT)}" font-size="12" '
            f'fill="{TEXT_COLOUR}"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
            + "".join(body) + "</svg>\n")


def quarter_columns(title: str, labels: list[str], income: list[Decimal],
                    spending: list[Decimal]) -> str:
    """Income and spending side by side for each period label."""
    width, height, left, top, bottom = 640, 280, 64, 36, 40
    plot_w, plot_h = width - left - 16, height - top - bottom
    top_value = _nice_max(max([*income, *spending, Decimal(0)]))
    body = []
    for i in range(5):  # grid and axis labels
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 16}" y2="{y:.1f}" '
                    f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_short(value))}</text>')
    group = plot_w / max(len(labels), 1)
    bar = min(group * 0.32, 48)
    for i, label in enumerate(labels):
        x0 = left + group * i + group / 2
        for j, (value, colour) in enumerate(((income[i], INCOME_COLOUR), (spending[i], SPENDING_COLOUR))):
            h = float(plot_h * value / top_value) if value > 0 else 0.0
            x = x0 - bar - 2 if j == 0 else x0 + 2
            body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                        f'height="{h:.1f}" fill="{colour}"><title>{escape(label)}'
                        f'{"收入" if j == 0 else "支出"} {yuan(value)} 元</title></rect>')
        body.append(f'<text x="{x0:.1f}" y="{height - bottom + 18}" text-anchor="middle">{escape(label)}</text>')
    legend_y = 18
    body.append(f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" fill="{INCOME_COLOUR}"/>'
                f'<text x="{left + 16}" y="{legend_y}">收入</text>'
                f'<rect x="{left + 64}" y="{legend_y - 10}" width="12" height="12" fill="{SPENDING_COLOUR}"/>'
                f'<text x="{left + 80}" y="{legend_y}">支出</text>'
                f'<text x="{width - 16}" y="{legend_y}" text-anchor="end">单位：元</text>')
    desc = "；".join(f"{label}收入 {yuan(a)} 元，支出 {yuan(b)} 元"
                    for label, a, b in zip(labels, income, spending))
    return _svg(width, height, title, desc, body)


def horizontal_bars(title: str, rows: list[tuple[str, Decimal]]) -> str:
    """One bar per use, largest first, with the amount written at the end of the bar."""
    rows = sorted(rows, key=lambda r: r[1], reverse=True)
    width, left, right, line = 640, 190, 110, 26
    height = 30 + line * max(len(rows), 1)
    top_value = max([r[1] for r in rows] + [Decimal(0)]) or Decimal(1)
    plot_w = width - left - right
    body = []
    for i, (label, value) in enumerate(rows):
        y = 20 + i * line
        w = float(plot_w * value / top_value) if value > 0 else 0.0
        shown = label if len(label) <= 14 else label[:13] + "…"
        body.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{escape(shown)}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="18" fill="{SPENDING_COLOUR}">'
                    f'<title>{escape(label)} {yuan(value)} 元</title></rect>')
        body.append(f'<text x="{left + w + 6:.1f}" y="{y + 13}">{yuan(value)}</text>')
    desc = "；".join(f"{label} {yuan(value)} 元" for label, value in rows)
    return _svg(width, height, title, desc, body)
