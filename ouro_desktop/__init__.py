"""Ouro Desktop: run Ouro routes from a window, without programming."""

from __future__ import annotations

__version__ = "0.1.0"
