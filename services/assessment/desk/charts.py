"""Charts drawn on the server as SVG: no script, no asset from elsewhere, a text alternative each.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``; the page puts the
same numbers in a table beside it, which is what a screen reader reads and what prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

# Distinguishable in grey print and for common colour blindness (Okabe-Ito), dark enough on white.
PALETTE = ("#0b5cad", "#b34700", "#1b7a4c", "#8f2d91", "#6b5b00", "#a3123a", "#00617a", "#4d4d4d")
INK = "#1a1a1a"
GRID = "#767676"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    href: str | None = None


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 13, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" fill="{INK}" '
        f'text-anchor="{anchor}">{escape(text)}</text>'
    )


def _frame(chart_id: str, width: int, height: int, title: str, description: str, body: list[str]) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
            *body,
            "</svg>",
        ]
    )


def bar_chart(chart_id: str, title: str, bars: list[Bar], *, maximum: float = 100.0) -> str:
    """Horizontal bars, one per row, longest possible at ``maximum``."""
    label_width, bar_width, row = 190, 520, 30
    width, height = label_width + bar_width + 70, 20 + row * max(1, len(bars))
    body = []
    for n, bar in enumerate(bars):
        y = 10 + n * row
        length = 0.0 if maximum <= 0 else max(0.0, min(1.0, bar.value / maximum)) * bar_width
        body.append(_text(label_width - 8, y + 19, bar.label, anchor="end"))
        body.append(
            f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row - 10}" fill="{PALETTE[0]}"/>'
        )
        body.append(_text(label_width + length + 6, y + 19, f"{bar.value:g}"))
    description = "；".join(f"{b.label} {b.value:g}" for b in bars) or "无数据"
    return _frame(chart_id, width, height, title, description, body)


def line_chart(chart_id: str, title: str, labels: list[str], series: dict[str, list[float | None]]) -> str:
    """One line per series over ``labels`` (x), values 0-100 (y); a legend below."""
    left, top, plot_w, plot_h = 50, 15, 640, 260
    step = plot_w / max(1, len(labels) - 1)
    legend_rows = (len(series) + 3) // 4
    width, height = left + plot_w + 30, top + plot_h + 40 + 24 * legend_rows
    body = []
    for value in range(0, 101, 20):
        y = top + plot_h - plot_h * value / 100
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.5"/>'
        )
        body.append(_text(left - 6, y + 4, str(value), anchor="end", size=11))
    for n, label in enumerate(labels):
        body.append(_text(left + n * step, top + plot_h + 18, label, anchor="middle", size=11))
    for index, (name, values) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        points = [(left + n * step, top + plot_h - plot_h * v / 100) for n, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        lx, ly = left + (index % 4) * 165, top + plot_h + 40 + 24 * (index // 4)
        body.append(f'<rect x="{lx}" y="{ly - 10}" width="14" height="10" fill="{colour}"/>')
        body.append(_text(lx + 20, ly, name, size=12))
    description = "；".join(
        f"{name}：" + "，".join(f"{label} {v:g}" for label, v in zip(labels, values, strict=True) if v is not None)
        for name, values in series.items()
    )
    return _frame(chart_id, width, height, title, description or "无数据", body)
