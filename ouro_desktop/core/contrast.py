"""Colour contrast as WCAG 2 defines it, and nudging a colour until it reads.

Colours are ``(r, g, b)`` tuples of 0-255 integers. :func:`contrast_ratio` is the WCAG
ratio (1 to 21); AA asks :data:`TEXT` (4.5) for text and :data:`NON_TEXT` (3.0) for
borders, focus rings and other parts of a control a person must see.
:func:`readable_against` keeps a colour's hue and moves its lightness away from the
background until the ratio is met, so a theme's accent stays recognisable. Qt-free:
the UI hands in its palette's colours.
"""

from __future__ import annotations

import colorsys

__all__ = ["NON_TEXT", "TEXT", "RGB", "contrast_ratio", "luminance", "mix", "readable_against"]

RGB = tuple[int, int, int]
TEXT = 4.5
NON_TEXT = 3.0


def _linear(channel: int) -> float:
    c = channel / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """Relative luminance (0 black … 1 white)."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """The WCAG contrast ratio of two colours (order does not matter)."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def mix(a: RGB, b: RGB, amount_of_a: float) -> RGB:
    """A colour between ``a`` (1.0) and ``b`` (0.0)."""
    t = max(0.0, min(1.0, amount_of_a))
    r, g, bl = (round(x * t + y * (1 - t)) for x, y in zip(a, b, strict=True))
    return (r, g, bl)


def readable_against(colour: RGB, background: RGB, minimum: float) -> RGB:
    """``colour``, made lighter or darker (same hue) until it has ``minimum`` contrast
    with ``background``; black or white when no shade of its hue gets there."""
    if contrast_ratio(colour, background) >= minimum:
        return colour
    h, lightness, s = colorsys.rgb_to_hls(*(c / 255.0 for c in colour))
    darker = luminance(background) > 0.18  # move away from the background
    steps = 40
    for i in range(1, steps + 1):
        target = lightness * (1 - i / steps) if darker else lightness + (1 - lightness) * i / steps
        r, g, b = colorsys.hls_to_rgb(h, target, s)
        candidate = (round(r * 255), round(g * 255), round(b * 255))
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return (0, 0, 0) if darker else (255, 255, 255)
