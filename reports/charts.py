"""Charts drawn on the server as SVG: no JavaScript, and nothing the browser must fetch.

Every label goes through `format_html`, so a team called `<script>` is drawn as text. Colours are
SVG presentation attributes, not `style`, which the content security policy forbids. Each chart
is an image with a title and a description; the page puts the same figures in a table beside it.
"""

import math

from django.utils.html import format_html
from django.utils.safestring import mark_safe

BLUE = "#1d70b8"
DARK_GREY = "#505a5f"
LIGHT_GREY = "#b1b4b6"
TEXT = "#0b0c0c"
RED = "#d4351c"
FONT = "arial, sans-serif"


def _nice_ceiling(value):
    """The smallest of 1, 2, 5 x 10^n at or above `value`, so the axis reads in round numbers."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(number):
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _open(chart_id, width, height, title, description):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" id="{id}" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'font-family="{font}" font-size="12" fill="{text}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        id=chart_id,
        w=width,
        h=height,
        font=FONT,
        text=TEXT,
        title=title,
        desc=description,
    )


def _truncate(label, length):
    label = str(label)
    return label if len(label) <= length else label[: length - 1] + "…"


def stacked_columns(*, chart_id, title, description, categories, series, y_label=""):
    """Vertical columns, one per category, each stacked from `series`: [(label, colour, values)]."""
    # Drawn at the size of half the page's width, so text is read at its real size.
    width, height = 480, 300
    left, right, top, bottom = 48, 8, 40, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, _, values in series) for i in range(len(categories))]
    ceiling = _nice_ceiling(max(totals, default=0))
    parts = [_open(chart_id, width, height, title, description)]

    ticks = 5
    for tick in range(ticks + 1):
        value = ceiling * tick / ticks
        y = top + plot_h - plot_h * tick / ticks
        parts.append(
            format_html(
                '<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                left + plot_w,
                LIGHT_GREY,
                left - 6,
                _fmt(y + 4),
                _fmt(value),
                y=_fmt(y),
            )
        )
    if y_label:
        parts.append(
            format_html(
                '<text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">{}</text>',
                top + plot_h / 2,
                top + plot_h / 2,
                y_label,
            )
        )

    slot = plot_w / max(len(categories), 1)
    bar_w = slot * 0.7
    label_every = max(1, math.ceil(len(categories) / 8))
    for index, category in enumerate(categories):
        x = left + slot * index + (slot - bar_w) / 2
        base = top + plot_h
        for label, colour, values in series:
            value = values[index]
            if value <= 0:
                continue
            bar_h = plot_h * value / ceiling
            base -= bar_h
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {}</title></rect>',
                    _fmt(x),
                    _fmt(base),
                    _fmt(bar_w),
                    _fmt(bar_h),
                    colour,
                    category,
                    value,
                    label.lower(),
                )
            )
        if totals[index]:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                    _fmt(x + bar_w / 2),
                    _fmt(base - 4),
                    totals[index],
                )
            )
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                    _fmt(x + bar_w / 2),
                    top + plot_h + 18,
                    category,
                )
            )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            left,
            top + plot_h,
            left + plot_w,
            top + plot_h,
            TEXT,
        )
    )
    parts.append(_legend([(label, colour) for label, colour, _ in series], x=left, y=16))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def _legend(entries, *, x, y):
    parts = []
    for label, colour in entries:
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}"/><text x="{}" y="{}">{}</text>',
                x,
                y - 11,
                colour,
                x + 20,
                y,
                label,
            )
        )
        x += 28 + 8 * len(str(label))
    return mark_safe("".join(parts))


def percent_bars(*, chart_id, title, description, rows, reference=None, empty_label="No figures"):
    """Horizontal bars on a 0-100% scale, one per (label, percent or None).

    `reference` is an optional (label, percent) drawn as a dashed line, such as the national figure.
    """
    label_w, bar_w, value_w = 190, 230, 60
    row_h, top, bottom = 26, 36 if reference else 12, 30
    width = label_w + bar_w + value_w
    height = top + row_h * max(len(rows), 1) + bottom
    parts = [_open(chart_id, width, height, title, description)]
    for tick in range(0, 101, 25):
        x = label_w + bar_w * tick / 100
        parts.append(
            format_html(
                '<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{x}" y="{}" text-anchor="middle">{}%</text>',
                top,
                height - bottom,
                LIGHT_GREY,
                height - bottom + 18,
                tick,
                x=_fmt(x),
            )
        )
    for index, (label, value) in enumerate(rows):
        y = top + row_h * index
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                label_w - 8,
                _fmt(y + row_h / 2 + 4),
                _truncate(label, 28),
            )
        )
        if value is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}">{}</text>',
                    label_w + 4,
                    _fmt(y + row_h / 2 + 4),
                    DARK_GREY,
                    empty_label,
                )
            )
            continue
        length = bar_w * max(0.0, min(float(value), 100.0)) / 100
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}%</title></rect>'
                '<text x="{}" y="{}">{}%</text>',
                label_w,
                _fmt(y + 4),
                _fmt(length),
                row_h - 8,
                BLUE,
                label,
                _fmt(value),
                _fmt(label_w + length + 6),
                _fmt(y + row_h / 2 + 4),
                _fmt(value),
            )
        )
    if reference is not None:
        ref_label, ref_value = reference
        x = label_w + bar_w * ref_value / 100
        parts.append(
            format_html(
                '<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="6 4"/><text x="{x}" y="{}" text-anchor="middle" fill="{}">{}: {}%</text>',
                top - 4,
                height - bottom,
                RED,
                top - 10,
                RED,
                ref_label,
                _fmt(ref_value),
                x=_fmt(x),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))
