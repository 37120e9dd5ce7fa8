"""Server-rendered SVG charts: readable without JavaScript, scaled to any width."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

W, H = 400, 270
LEFT, RIGHT, TOP, BOTTOM = 46, 24, 22, 50
FONT = 15


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[int, float]]  # (fiscal year, rate 0..1)
    target: tuple[int, float, int] | None  # (first year, first rate, target year) → 100 %
    css: str  # class name: colour comes from the stylesheet


def history_chart(
    series: Sequence[Series],
    years: Sequence[int],
    *,
    title: str,
    desc: str,
    target_label: str,
    year_label,
) -> str:
    """A line chart of rates by fiscal year with dashed target lines, as an SVG string."""
    if not years:
        return ""
    y0, y1 = years[0], years[-1]
    span = max(y1 - y0, 1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(year: float) -> float:
        return LEFT + plot_w * (year - y0) / span

    def y(rate: float) -> float:
        return TOP + plot_h * (1 - max(0.0, min(rate, 1.0)))

    out = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-title chart-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="{FONT}">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
    ]
    for pct in (0, 25, 50, 75, 100):
        gy = y(pct / 100)
        out.append(f'<line class="grid" x1="{LEFT}" y1="{gy:.1f}" x2="{W - RIGHT}" y2="{gy:.1f}"/>')
        out.append(
            f'<text class="axis" x="{LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end">{pct}%</text>'
        )
    step = 1 if len(years) <= 6 else 2
    for year in years[::step]:
        out.append(
            f'<text class="axis" x="{x(year):.1f}" y="{H - BOTTOM + 20}" text-anchor="middle">{escape(year_label(year))}</text>'
        )
    for n, s in enumerate(series):
        if s.target:
            fy, fr, ty = s.target
            out.append(
                f'<line class="target {s.css}" x1="{x(fy):.1f}" y1="{y(fr):.1f}" '
                f'x2="{x(min(ty, y1)):.1f}" y2="{y(fr + (1 - fr) * (min(ty, y1) - fy) / max(ty - fy, 1)):.1f}"/>'
            )
        if s.points:
            path = " ".join(f"{x(py):.1f},{y(pr):.1f}" for py, pr in s.points)
            out.append(f'<polyline class="line {s.css}" points="{path}"/>')
            for py, pr in s.points:
                out.append(
                    f'<circle class="dot {s.css}" cx="{x(py):.1f}" cy="{y(pr):.1f}" r="3.5"/>'
                )
            ly, lr = s.points[-1]
            # the first series labels its last point above the line, the next ones below it
            dy = -10 if n == 0 else 20
            out.append(
                f'<text class="value {s.css}" x="{x(ly) - 4:.1f}" y="{y(lr) + dy:.1f}" text-anchor="end">{lr * 100:.1f}%</text>'
            )
    # legend under the axis labels
    lx = LEFT
    for s in series:
        out.append(
            f'<line class="line {s.css}" x1="{lx}" y1="{H - 9}" x2="{lx + 18}" y2="{H - 9}"/>'
        )
        out.append(f'<text x="{lx + 22}" y="{H - 4}">{escape(s.label)}</text>')
        lx += 30 + text_width(s.label)
    out.append(f'<line class="target" x1="{lx}" y1="{H - 9}" x2="{lx + 18}" y2="{H - 9}"/>')
    out.append(f'<text x="{lx + 22}" y="{H - 4}">{escape(target_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def text_width(text: str) -> float:
    """Approximate width of a label: wide (CJK) characters take a full em."""
    return sum(FONT if unicodedata.east_asian_width(c) in "WF" else FONT * 0.55 for c in text)


def bar(rate: float) -> str:
    """A small inline progress bar for tables (decorative: the number sits beside it)."""
    width = max(0.0, min(rate, 1.0)) * 100
    return (
        f'<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" '
        f'xmlns="http://www.w3.org/2000/svg"><rect class="bar-bg" width="100" height="8"/>'
        f'<rect class="bar-fg" width="{width:.1f}" height="8"/></svg>'
    )


def sparkline(points: Sequence[tuple[int, float]], *, title: str) -> str:
    """A small trend of rates (0..1) by fiscal year for a table cell, with its text."""
    if not points:
        return ""
    w, h, pad = 60, 16, 2
    y0, y1 = points[0][0], points[-1][0]
    span = max(y1 - y0, 1)

    def xy(year: int, rate: float) -> str:
        x = pad + (w - 2 * pad) * (year - y0) / span
        y = pad + (h - 2 * pad) * (1 - max(0.0, min(rate, 1.0)))
        return f"{x:.1f},{y:.1f}"

    path = " ".join(xy(y, r) for y, r in points)
    if len(points) == 1:
        path = f"{xy(y0, points[0][1])} {w - pad:.1f},{path.split(',')[1]}"
    return (
        f'<svg class="spark" viewBox="0 0 {w} {h}" role="img" xmlns="http://www.w3.org/2000/svg">'
        f'<title>{escape(title)}</title><polyline points="{path}"/></svg>'
    )
