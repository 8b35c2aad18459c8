"""A powder pattern drawn as an SVG picture (text, no Qt, no plotting library).

Each peak is a Gaussian of the given full width at half maximum whose height is the peak's
relative intensity; the curve is their sum on a fine 2θ grid. The strongest peaks carry
their Miller indices. Colours are fixed on a white card, like a figure in a paper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 880, 440
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 48, 56
GRID_POINTS = 1600
MAX_LABELS = 12
INK = "#222222"
LINE = "#1f5fa8"
GRID = "#dddddd"


def _nice_step(span: float, target: int = 8) -> float:
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _ticks(lo: float, hi: float, target: int = 8) -> list[float]:
    step = _nice_step(hi - lo, target)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _label(value: float) -> str:
    return f"{value:g}"


def profile(
    peaks: Sequence[tuple[float, float]], lo: float, hi: float, fwhm: float
) -> list[tuple[float, float]]:
    """(2θ, intensity) on a grid of :data:`GRID_POINTS` from the (position, height) peaks."""
    step = (hi - lo) / (GRID_POINTS - 1)
    values = [0.0] * GRID_POINTS
    sigma = max(fwhm, step) / (2 * math.sqrt(2 * math.log(2)))
    reach = 5 * sigma
    for centre, height in peaks:
        first = max(0, math.floor((centre - reach - lo) / step))
        last = min(GRID_POINTS - 1, math.ceil((centre + reach - lo) / step))
        for i in range(first, last + 1):
            x = lo + i * step
            values[i] += height * math.exp(-((x - centre) ** 2) / (2 * sigma * sigma))
    return [(lo + i * step, v) for i, v in enumerate(values)]


def pattern_svg(
    peaks: Sequence[tuple[float, float, str]],
    *,
    two_theta_min: float,
    two_theta_max: float,
    fwhm: float,
    title: str,
) -> str:
    """The SVG document: ``peaks`` are (2θ in degrees, relative intensity, hkl label)."""
    lo, hi = two_theta_min, two_theta_max
    curve = profile([(p, h) for p, h, _ in peaks], lo, hi, fwhm)
    top = max((v for _, v in curve), default=0.0)
    y_max = max(100.0, top) * 1.12
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - lo) / (hi - lo) * plot_w

    def sy(y: float) -> float:
        return TOP + plot_h - y / y_max * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2:.1f}" y="28" font-size="16" text-anchor="middle" '
        f'fill="{INK}">{escape(title)}</text>',
    ]
    for tick in _ticks(lo, hi):
        x = sx(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 20}" font-size="12" text-anchor="middle" '
            f'fill="{INK}">{_label(tick)}</text>'
        )
    for tick in _ticks(0, y_max, 5):
        y = sy(tick)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{_label(tick)}</text>'
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="{INK}"/>'
    )
    points = " ".join(f"{sx(x):.1f},{sy(v):.1f}" for x, v in curve)
    out.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="1.4" points="{points}"/>')
    strongest = sorted(peaks, key=lambda p: -p[1])[:MAX_LABELS]
    for position, height, hkl in strongest:
        if height < 3 or not lo <= position <= hi:
            continue
        x, y = sx(position), sy(height) - 6
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{escape(hkl)}</text>'
        )
    out.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 14}" font-size="13" '
        f'text-anchor="middle" fill="{INK}">2θ (°)</text>'
    )
    out.append(
        f'<text transform="translate(18 {TOP + plot_h / 2:.1f}) rotate(-90)" font-size="13" '
        f'text-anchor="middle" fill="{INK}">Relative intensity (%)</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"
