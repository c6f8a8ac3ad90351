"""A small bar chart of tips per day, drawn on the server as inline SVG.

No script and no outside host: the SVG is plain markup built from numbers and
ISO dates only (both escaped anyway).

>>> from datetime import date
>>> svg = timeline_svg({date(2024, 5, 1): 3, date(2024, 5, 3): 1})
>>> svg.count("<rect"), "2024-05-01" in svg
(3, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from markupsafe import Markup, escape


def _days(counts: Mapping[date, int], max_bars: int) -> list[tuple[date, date, int]]:
    """Group consecutive days into at most ``max_bars`` buckets: (first, last, count)."""
    first, last = min(counts), max(counts)
    span = (last - first).days + 1
    step = max(1, -(-span // max_bars))
    buckets: list[tuple[date, date, int]] = []
    sums = [0] * -(-span // step)
    for d, c in counts.items():  # one pass: bucket of each day by its offset from the first
        sums[(d - first).days // step] += c
    for i, n in enumerate(sums):
        day = first + timedelta(days=i * step)
        buckets.append((day, min(day + timedelta(days=step - 1), last), n))
    return buckets


def timeline_svg(
    counts: Mapping[date, int], *, width: int = 720, height: int = 120, max_bars: int = 90
) -> Markup:
    """Inline SVG bars of ``counts`` (day -> tips); an empty mapping gives a note."""
    if not counts:
        return Markup('<p class="muted">No tips in this selection.</p>')
    buckets = _days(counts, max_bars)
    top = max(n for _, _, n in buckets) or 1
    pad_b, pad_t = 18, 6
    bar_w = width / len(buckets)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="Tips per day">'
    ]
    for i, (start, end, n) in enumerate(buckets):
        h = (height - pad_b - pad_t) * n / top
        x = i * bar_w
        label = start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"
        parts.append(
            f'<rect x="{x + 0.5:.1f}" y="{height - pad_b - h:.1f}" '
            f'width="{max(bar_w - 1, 0.5):.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {n} tip(s)</title></rect>"
        )
    axis_y = height - 4
    parts.append(
        f'<text x="0" y="{axis_y}" class="axis">{escape(buckets[0][0].isoformat())}</text>'
        f'<text x="{width}" y="{axis_y}" text-anchor="end" class="axis">'
        f"{escape(buckets[-1][1].isoformat())}</text>"
        f'<text x="{width / 2:.0f}" y="{axis_y}" text-anchor="middle" class="axis">'
        f"max {top}/{'day' if bar_w and buckets[0][0] == buckets[0][1] else 'bar'}</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))
