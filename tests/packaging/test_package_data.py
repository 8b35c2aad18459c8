"""Every data file the demo reads at run time is packaged: in the wheel (pyproject's
package-data) and in the frozen app (the PyInstaller spec's ``datas``), which the .deb and
the portable archive are made from. The demo reads its examples on every first start (the
sample E(V) table it seeds as a dataset), so a file left out would stop the demo starting.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "ouro_desktop" / "demo"


def _demo_data_files() -> list[str]:
    """Paths under ouro_desktop/demo that are data, not code (relative, with ``/``)."""
    out = []
    for folder in ("examples", "specs"):
        out += [p.relative_to(DEMO).as_posix() for p in (DEMO / folder).iterdir() if p.is_file()]
    return sorted(out)


def test_the_demo_examples_include_the_sample_table() -> None:
    files = _demo_data_files()
    assert "examples/Cu-energy-volume.csv" in files
    assert "examples/Cu.cif" in files


def test_the_wheel_carries_every_demo_data_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["ouro_desktop.demo"]
    missing = [f for f in _demo_data_files() if not any(fnmatch.fnmatch(f, p) for p in patterns)]
    assert missing == []


def test_the_frozen_app_carries_every_demo_data_file() -> None:
    spec = (ROOT / "packaging" / "ouro-desktop.spec").read_text(encoding="utf-8")
    # (str(PKG / "demo" / "examples" / "*.cif"), "ouro_desktop/demo/examples"),
    entries = re.findall(
        r'\(str\(PKG / "demo" / "(\w+)" / "([^"]+)"\), "ouro_desktop/demo/(\w+)"\)', spec
    )
    assert entries, "no demo data entries found in the spec"
    patterns = [f"{folder}/{glob}" for folder, glob, target in entries if folder == target]
    missing = [f for f in _demo_data_files() if not any(fnmatch.fnmatch(f, p) for p in patterns)]
    assert missing == []
