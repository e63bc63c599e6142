"""Inline SVG charts for the KPI report: aging bars, DSO trend, funnel, cash forecast.

Each function takes plain numbers and labels (already read from ``KpiReport.to_dict()``) and
returns one ``<svg>`` element as text: fixed ``viewBox``, ``width="100%"`` so it scales with
the page, system fonts, no script and no external reference, so the page prints and works
offline. Text is XML-escaped here; the template inserts the result as is.

Examples:
    >>> svg = aging_bars([("current", 900.0), ("1-30", 100.0)])
    >>> svg.startswith("<svg") and "current" in svg
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final
from xml.sax.saxutils import escape

__all__ = [
    "AGING_COLOURS",
    "aging_bars",
    "compact",
    "dso_trend",
    "forecast_weeks",
    "funnel",
    "nice_ticks",
]

INK: Final = "#1f2937"
MUTED: Final = "#6b7280"
GRID: Final = "#e5e7eb"
ACCENT: Final = "#1d4ed8"
ACCENT_SOFT: Final = "#bfdbfe"
GOOD: Final = "#15803d"
BAD: Final = "#b91c1c"
AGING_COLOURS: Final = ("#15803d", "#84cc16", "#eab308", "#f97316", "#dc2626", "#7f1d1d")
"""Bucket colours, youngest (green) to oldest (dark red)."""

_FONT: Final = (
    "font-family=\"-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif\""
)


def _esc(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def compact(value: float) -> str:
    """A short axis label: ``1.2M``, ``350k``, ``950``, ``-40k``.

    Examples:
        >>> compact(1_234_567), compact(350_000), compact(950), compact(-40_000), compact(0)
        ('1.2M', '350k', '950', '-40k', '0')
    """
    size = abs(value)
    sign = "-" if value < 0 else ""
    if size >= 1_000_000:
        text = f"{size / 1_000_000:.1f}".rstrip("0").rstrip(".")
        return f"{sign}{text}M"
    if size >= 1_000:
        text = f"{size / 1_000:.1f}".rstrip("0").rstrip(".")
        return f"{sign}{text}k"
    return f"{sign}{size:.0f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks covering [low, high] (steps of 1, 2, 2.5 or 5 x 10^n).

    Examples:
        >>> nice_ticks(0, 93)
        [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        >>> nice_ticks(0, 0)[-1], nice_ticks(-40, 150, 4)
        (1.0, [-50.0, 0.0, 50.0, 100.0, 150.0])
    """
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        if value >= high:
            break
        value += step
    return [float(t) for t in ticks]


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{_esc(label)}" {_FONT}>'
        f"<title>{_esc(label)}</title>" + "".join(body) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 11,
    anchor: str = "start",
    fill: str = MUTED,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{_esc(text)}</text>'
    )


def aging_bars(buckets: Sequence[tuple[str, float]], *, width: int = 500) -> str:
    """Vertical bars of the open amount per aging bucket, with amounts and shares above.

    Negative buckets (unused credit notes) are drawn below the axis.
    """
    height = 250
    left, right, top, bottom = 48, 12, 28, 40
    values = [v for _, v in buckets]
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values), 4)
    low, high = ticks[0], ticks[-1]
    plot_h = height - top - bottom
    plot_w = width - left - right

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * plot_h

    body: list[str] = []
    for tick in ticks:
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y(tick) + 4, compact(tick), size=10, anchor="end"))
    total = sum(values)
    slot = plot_w / max(len(buckets), 1)
    bar = slot * 0.62
    for index, (label, value) in enumerate(buckets):
        colour = AGING_COLOURS[min(index, len(AGING_COLOURS) - 1)]
        x = left + slot * index + (slot - bar) / 2
        y0, y1 = sorted((y(0), y(value)))
        body.append(
            f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{max(y1 - y0, 0.5):.1f}" '
            f'rx="2" fill="{colour}"/>'
        )
        share = f"{value / total * 100:.0f}%" if total else ""
        body.append(
            _text(
                x + bar / 2,
                y0 - 14,
                compact(value),
                size=11,
                anchor="middle",
                fill=INK,
                weight="600",
            )
        )
        body.append(_text(x + bar / 2, y0 - 3, share, size=9, anchor="middle"))
        body.append(
            _text(x + bar / 2, height - bottom + 16, label, size=11, anchor="middle", fill=INK)
        )
    body.append(
        _text(x=left + plot_w / 2, y=height - 6, text="days past due", size=10, anchor="middle")
    )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{INK}" '
        f'stroke-width="1"/>'
    )
    return _svg(width, height, body, "Receivables aging by days past due")


def dso_trend(points: Sequence[tuple[str, float | None, float | None]], *, width: int = 560) -> str:
    """DSO (line) and best possible DSO (dashed) per month; the gap between is the ADD.

    Args:
        points: ``(month label, DSO, best possible DSO)``; None where undefined.
        width: Drawing width in SVG units.
    """
    height = 250
    left, right, top, bottom = 40, 30, 26, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, a, b in points for v in (a, b) if v is not None]
    ticks = nice_ticks(0.0, max(values, default=0.0) * 1.1 or 10.0, 4)
    high = ticks[-1]
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + (step * i if len(points) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + (high - v) / high * plot_h

    body: list[str] = []
    for tick in ticks:
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y(tick) + 4, f"{tick:g}", size=10, anchor="end"))
    pairs = [(i, a, b) for i, (_, a, b) in enumerate(points) if a is not None and b is not None]
    if len(pairs) > 1:
        upper = " ".join(f"{x(i):.1f},{y(a):.1f}" for i, a, _ in pairs)
        lower = " ".join(f"{x(i):.1f},{y(b):.1f}" for i, _, b in reversed(pairs))
        body.append(f'<polygon points="{upper} {lower}" fill="{ACCENT_SOFT}" opacity="0.55"/>')
    series = (
        ([p[2] for p in points], True, MUTED),
        ([p[1] for p in points], False, ACCENT),
    )
    for column_values, dashed, colour in series:
        run: list[str] = []
        for i, value in enumerate(column_values):
            if value is None:
                if len(run) > 1:
                    body.append(_polyline(run, colour, dashed))
                run = []
                continue
            run.append(f"{x(i):.1f},{y(value):.1f}")
        if len(run) > 1:
            body.append(_polyline(run, colour, dashed))
    for i, (label, dso, _) in enumerate(points):
        body.append(_text(x(i), height - bottom + 16, label, size=11, anchor="middle", fill=INK))
        if dso is not None:
            body.append(
                f'<circle cx="{x(i):.1f}" cy="{y(dso):.1f}" r="3.5" fill="#fff" '
                f'stroke="{ACCENT}" stroke-width="2"/>'
            )
            last = len(points) - 1
            anchor = "start" if i == 0 and last else "end" if i == last and last else "middle"
            shift = {"start": 4.0, "end": -4.0, "middle": 0.0}[anchor]
            body.append(
                _text(
                    x(i) + shift,
                    y(dso) - 9,
                    f"{dso:.1f}",
                    size=11,
                    anchor=anchor,
                    fill=ACCENT,
                    weight="600",
                )
            )
    legend_y = 12
    body.append(
        f'<line x1="{left}" x2="{left + 18}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{ACCENT}" stroke-width="2.5"/>'
    )
    body.append(_text(left + 22, legend_y + 4, "DSO", size=10))
    body.append(
        f'<line x1="{left + 58}" x2="{left + 76}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{MUTED}" stroke-width="2" stroke-dasharray="4 3"/>'
    )
    body.append(_text(left + 80, legend_y + 4, "Best possible DSO", size=10))
    body.append(
        f'<rect x="{left + 178}" y="{legend_y - 5}" width="14" height="10" fill="{ACCENT_SOFT}"/>'
    )
    body.append(_text(left + 196, legend_y + 4, "Days delinquent (ADD)", size=10))
    return _svg(width, height, body, "DSO trend by month, days")


def _polyline(points: list[str], colour: str, dashed: bool) -> str:
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    width = 2 if dashed else 2.5
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}" stroke-linejoin="round"{dash}/>'
    )


def funnel(stages: Sequence[tuple[str, int, str]], *, width: int = 500) -> str:
    """Centred horizontal bars per funnel stage, with counts and conversion from the previous.

    Args:
        stages: ``(stage label, count, conversion text)`` from the top of the funnel.
        width: Drawing width in SVG units.
    """
    row = 46
    height = row * len(stages) + 10
    label_w = 90
    plot_w = width - label_w - 90
    top = max((count for _, count, _ in stages), default=0) or 1
    body: list[str] = []
    shades = ("#1e3a8a", "#1d4ed8", "#3b82f6", "#93c5fd", "#bfdbfe")
    for index, (label, count, conversion) in enumerate(stages):
        y = 6 + index * row
        w = max(plot_w * count / top, 2.0)
        x = label_w + (plot_w - w) / 2
        colour = shades[min(index, len(shades) - 1)]
        text_fill = "#fff" if index < 3 else INK
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 10}" rx="3" '
            f'fill="{colour}"/>'
        )
        body.append(
            _text(label_w - 10, y + row / 2, label, size=12, anchor="end", fill=INK, weight="600")
        )
        inside = w > 40
        body.append(
            _text(
                x + w / 2 if inside else x + w + 6,
                y + row / 2,
                f"{count:,}",
                size=12,
                anchor="middle" if inside else "start",
                fill=text_fill if inside else INK,
                weight="600",
            )
        )
        if conversion:
            body.append(_text(width - 4, y + row / 2, conversion, size=11, anchor="end"))
    return _svg(width, height, body, "Lead to cash funnel")


def forecast_weeks(weeks: Sequence[tuple[str, float, float, float]], *, width: int = 1000) -> str:
    """Expected receipts per week (bars) inside the early-to-late range (light boxes).

    Args:
        weeks: ``(label, expected, early, late)`` per ISO week; the box spans the smaller to
            the larger of the early (10th percentile lateness) and late (90th) scenarios.
        width: Drawing width in SVG units.
    """
    height = 240
    left, right, top, bottom = 52, 12, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    lows = [min(e, a, b) for _, e, a, b in weeks]
    highs = [max(e, a, b) for _, e, a, b in weeks]
    ticks = nice_ticks(min(0.0, *lows) if lows else 0.0, max(0.0, *highs) if highs else 1.0, 4)
    low, high = ticks[0], ticks[-1]
    slot = plot_w / max(len(weeks), 1)
    box, bar = slot * 0.7, slot * 0.36

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * plot_h

    def cx(i: int) -> float:
        return left + slot * i + slot / 2

    body: list[str] = []
    for tick in ticks:
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y(tick) + 4, compact(tick), size=11, anchor="end"))
    every = max(1, math.ceil(len(weeks) / 16))
    for i, (label, expected, _, _) in enumerate(weeks):
        top_box, bottom_box = y(highs[i]), y(lows[i])
        body.append(
            f'<rect x="{cx(i) - box / 2:.1f}" y="{top_box:.1f}" width="{box:.1f}" '
            f'height="{max(bottom_box - top_box, 0.5):.1f}" rx="3" fill="{ACCENT_SOFT}" '
            f'opacity="0.7"/>'
        )
        y0, y1 = sorted((y(0), y(expected)))
        body.append(
            f'<rect x="{cx(i) - bar / 2:.1f}" y="{y0:.1f}" width="{bar:.1f}" '
            f'height="{max(y1 - y0, 0.5):.1f}" rx="2" fill="{ACCENT}"/>'
        )
        if expected:
            body.append(_text(cx(i), y0 - 4, compact(expected), size=10, anchor="middle", fill=INK))
        if i % every == 0:
            body.append(
                _text(cx(i), height - bottom + 16, label, size=11, anchor="middle", fill=INK)
            )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{INK}"/>'
    )
    legend_y = 12
    body.append(f'<rect x="{left}" y="{legend_y - 5}" width="14" height="10" fill="{ACCENT}"/>')
    body.append(_text(left + 18, legend_y + 4, "Expected receipts", size=11))
    body.append(
        f'<rect x="{left + 140}" y="{legend_y - 5}" width="14" height="10" fill="{ACCENT_SOFT}"/>'
    )
    body.append(_text(left + 158, legend_y + 4, "Range: early (p10) to late (p90) payers", size=11))
    return _svg(width, height, body, "Weekly cash forecast")
