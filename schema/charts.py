"""Small bar charts as inline SVG (pure, no I/O, no JavaScript, nothing loaded from elsewhere).

The landing page draws events per year and per province with these; each bar links to the
list of those events. Labels are escaped.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    """One bar.

    :param label: what the bar stands for (a year, a province)
    :param value: its length
    :param href: where a click on it leads
    """

    label: str
    value: float
    href: str


def _number(value: float) -> str:
    return f"{value:,.0f}"


def column_chart(bars: list[Bar], title: str, width: int = 420, height: int = 220) -> Markup:
    """Vertical bars side by side (for years), the value above each bar.

    :param bars: in display order
    :param title: accessible name of the chart
    :param width: SVG width in px
    :param height: SVG height in px
    """
    top, bottom = 18, 22
    plot = height - top - bottom
    peak = max((bar.value for bar in bars), default=0) or 1
    step = width / max(len(bars), 1)
    parts = [f'<svg class="chart chart-columns" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, bar in enumerate(bars):
        bar_height = plot * bar.value / peak
        x = index * step + step * 0.15
        y = top + plot - bar_height
        parts.append(
            f'<a href="{escape(bar.href)}"><g class="bar"><title>{escape(bar.label)}: {_number(bar.value)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{bar_height:.1f}"></rect>'
            f'<text class="value" x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">{_number(bar.value)}</text>'
            f'<text class="label" x="{x + step * 0.35:.1f}" y="{height - 6}" text-anchor="middle">{escape(bar.label)}</text>'
            '</g></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(bars: list[Bar], title: str, width: int = 420, row_height: int = 18, label_width: int = 130) -> Markup:
    """Horizontal bars one under the other (for provinces), label left, value right.

    :param bars: in display order
    :param title: accessible name of the chart
    :param width: SVG width in px
    :param row_height: height of one bar's row in px
    :param label_width: room for the labels in px
    """
    value_width = 48
    plot = width - label_width - value_width
    peak = max((bar.value for bar in bars), default=0) or 1
    height = row_height * len(bars) + 4
    parts = [f'<svg class="chart chart-bars" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, bar in enumerate(bars):
        y = index * row_height + 2
        length = max(plot * bar.value / peak, 1)
        parts.append(
            f'<a href="{escape(bar.href)}"><g class="bar"><title>{escape(bar.label)}: {_number(bar.value)}</title>'
            f'<text class="label" x="{label_width - 6}" y="{y + row_height * 0.7:.1f}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}" height="{row_height - 5}"></rect>'
            f'<text class="value" x="{label_width + length + 4:.1f}" y="{y + row_height * 0.7:.1f}">{_number(bar.value)}</text>'
            '</g></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
