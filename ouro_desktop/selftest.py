"""``ouro-desktop --self-test``: prove this build (frozen or not) has what it needs to run.

Checks, in order, printing one line per finding:

1. **keyring** - the backends ``keyring`` found (read from its entry-point metadata, which
   a frozen build must carry) and whether a trusted, encrypting one works (a throw-away
   write/read/delete through :func:`ouro_desktop.core.secrets.open_secret_store`);
2. **Qt** - the platform plugin in use, the platform plugins shipped, and the image format
   plugins (``svg`` and ``png`` are required: the icon and the screenshots need them), and
   that the packaged app icon loads;
3. **demo route** - starts the offline demo backend in-process, signs in, uploads the
   bundled ``Cu.cif``, runs ``demo/predict-electronic-dos-at-fermi-level`` and checks the
   free-electron Fermi energy of copper (7.0 eV, within 2 %);
4. **CIF worker** - previews a 1.2 MB CIF in the worker process big CIFs are parsed in
   (``spawn``: in a frozen build this proves the entry point's ``freeze_support()``).

Exit status: 0 when every check passed, 1 otherwise. A missing secure keyring is reported
but only fails the run with ``--require-keyring`` (an end user's machine without a keyring
can still use the app: the key is then kept for the session only). CI and
``packaging/smoke.sh`` pass ``--require-keyring``.

No window is built; without a display the ``offscreen`` Qt platform is used.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from . import __version__

DOS_ROUTE = "demo/predict-electronic-dos-at-fermi-level"
EXAMPLE_CIF = "Cu.cif"
CU_FERMI_EV = 7.0
TOLERANCE = 0.02
REQUIRED_IMAGE_FORMATS = ("svg", "png")


class _Report:
    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out
        self.failures: list[str] = []
        self.warnings: list[str] = []

    def info(self, label: str, text: str) -> None:
        self.out(f"  {label:<18} {text}")

    def ok(self, label: str, text: str = "ok") -> None:
        self.out(f"  {label:<18} ok: {text}")

    def fail(self, label: str, text: str) -> None:
        self.failures.append(f"{label}: {text}")
        self.out(f"  {label:<18} FAIL: {text}")

    def warn(self, label: str, text: str) -> None:
        self.warnings.append(f"{label}: {text}")
        self.out(f"  {label:<18} WARNING: {text}")


def _check_keyring(report: _Report, require: bool) -> None:
    report.out("keyring")
    try:
        import keyring.backend

        from .core.secrets import open_secret_store

        found = keyring.backend.get_all_keyring()
    except Exception as exc:  # a broken bundle: report it rather than crash
        report.fail("backends", f"keyring could not load: {exc!r}")
        return
    names = [f"{type(b).__module__}.{type(b).__name__} (priority {_priority(b)})" for b in found]
    report.info("backends found", ", ".join(names) if names else "none")
    try:
        store, reason = asyncio.run(open_secret_store())
    except Exception as exc:
        report.fail("secure keyring", f"probe crashed: {exc!r}")
        return
    if store.persistent:
        report.ok("secure keyring", f"{store.backend_name} (write/read/delete probe passed)")
    elif require:
        report.fail("secure keyring", f"none works: {reason}")
    else:
        report.warn("secure keyring", f"none works, keys kept for the session only: {reason}")


def _priority(backend: object) -> str:
    try:
        return f"{backend.priority:g}"  # type: ignore[attr-defined]
    except Exception:
        return "?"


def _check_qt(report: _Report) -> None:
    report.out("Qt")
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        import PySide6
        from PySide6.QtCore import QDir, QLibraryInfo, qVersion
        from PySide6.QtGui import QGuiApplication, QIcon, QImageReader
    except Exception as exc:
        report.fail("PySide6", f"cannot import: {exc!r}")
        return
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0] if sys.argv else "ouro"])
    report.info("version", f"Qt {qVersion()}, PySide6 {PySide6.__version__}")
    report.ok("platform plugin", QGuiApplication.platformName())
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    shipped = sorted(
        QDir(str(plugins / "platforms")).entryList(["*.so", "*.dll", "*.dylib"], QDir.Filter.Files)
    )
    report.info("platforms shipped", ", ".join(shipped) or f"none in {plugins}")
    formats = sorted(bytes(f.data()).decode() for f in QImageReader.supportedImageFormats())
    missing = [f for f in REQUIRED_IMAGE_FORMATS if f not in formats]
    if missing:
        report.fail("image formats", f"missing {', '.join(missing)} (have {', '.join(formats)})")
    else:
        report.ok("image formats", ", ".join(formats))
    icon = _app_icon(QIcon)
    if icon is None or icon.isNull() or icon.pixmap(64, 64).isNull():
        report.fail("app icon", "the packaged icon did not load")
    else:
        report.ok("app icon", "ouro_desktop/ui/assets/icon.svg renders")
    del app


def _app_icon(qicon: type) -> object | None:
    try:
        svg = resources.files("ouro_desktop.ui").joinpath("assets", "icon.svg")
        with resources.as_file(svg) as path:
            if not path.is_file():
                return None
            icon = qicon(str(path))
            icon.pixmap(64, 64)  # render while the file surely exists
            return icon
    except Exception:
        return None


async def _run_demo(report: _Report, data_dir: Path) -> None:
    import httpx

    from .api.client import OuroClient
    from .demo.app import create_app

    app = create_app(data_dir)
    backend = app.state.backend
    transport = httpx.ASGITransport(app=app)
    async with OuroClient(
        "http://demo.localhost", api_key=backend.api_key, transport=transport
    ) as client:
        user = await client.sign_in()
        report.ok("sign in", f"as {user.username}")
        cif = resources.files("ouro_desktop.demo").joinpath("examples", EXAMPLE_CIF)
        with resources.as_file(cif) as path:
            asset = await client.upload_file(Path(path))
        report.ok("upload", f"{EXAMPLE_CIF} -> file {asset.id}")
        route = await client.get_route(DOS_ROUTE)
        started = time.monotonic()
        result = await client.execute(
            route, input_assets={"file": asset.id}, idempotency_key=uuid.uuid4().hex
        )
        action = result.action
        deadline = started + 60.0
        while not action.is_terminal:
            if time.monotonic() > deadline:
                report.fail("run", f"{DOS_ROUTE} still {action.status} after 60 s")
                return
            await asyncio.sleep(0.05)
            action = await client.get_action(action.id)
        elapsed = time.monotonic() - started
        if action.status != "success":
            report.fail("run", f"{DOS_ROUTE} ended {action.status}: {action.response!r:.300}")
            return
        report.ok("run", f"{DOS_ROUTE} {action.status} in {elapsed:.2f} s")
        response = action.response if isinstance(action.response, dict) else {}
        e_f = response.get("fermi_energy_eV")
        if not isinstance(e_f, int | float):
            report.fail("result", f"no fermi_energy_eV in {response!r:.300}")
        elif abs(e_f - CU_FERMI_EV) > TOLERANCE * CU_FERMI_EV:
            report.fail("result", f"E_F(Cu) = {e_f:.3f} eV, expected {CU_FERMI_EV} eV ± 2 %")
        else:
            report.ok("result", f"E_F(Cu) = {e_f:.3f} eV (expected {CU_FERMI_EV} ± 2 %)")


def _check_cif_worker(report: _Report) -> None:
    from .core import cif_process

    report.out("CIF worker")
    sites = [
        f"Na{i} Na {i % 37 / 37:.4f} {i % 41 / 41:.4f} {i % 43 / 43:.4f}" for i in range(30_000)
    ]
    text = "\n".join(
        [
            "data_selftest",
            *(f"_cell_length_{axis} 40" for axis in "abc"),
            *(f"_cell_angle_{angle} 90" for angle in ("alpha", "beta", "gamma")),
            "_symmetry_space_group_name_H-M 'P 1'",
            "loop_",
            "_atom_site_label",
            "_atom_site_type_symbol",
            *(f"_atom_site_fract_{axis}" for axis in "xyz"),
            *sites,
        ]
    )
    with tempfile.TemporaryDirectory(prefix="ouro-selftest-cif-") as tmp:
        path = Path(tmp) / "big.cif"
        path.write_text(text + "\n", encoding="ascii")
        try:
            preview = asyncio.run(cif_process.preview_cif_async(path))
        except Exception as exc:
            report.fail("preview", f"{type(exc).__name__}: {exc}")
            return
        finally:
            cif_process.shutdown()
    if preview.formula == "Na" and preview.n_atoms == len(sites):
        report.ok("preview", f"{preview.n_atoms} sites parsed in a worker process")
    else:
        report.fail("preview", f"got {preview.formula} with {preview.n_atoms} sites")


def _check_demo(report: _Report) -> None:
    report.out("demo route")
    with tempfile.TemporaryDirectory(prefix="ouro-selftest-") as tmp:
        try:
            asyncio.run(_run_demo(report, Path(tmp)))
        except Exception as exc:
            report.fail("demo", f"{type(exc).__name__}: {exc}")


def run(require_keyring: bool = False, out: Callable[[str], None] | None = None) -> int:
    """Run every check, print the findings, and return the exit status (0 = all passed)."""

    def say(line: str) -> None:
        print(line, flush=True)

    report = _Report(out or say)
    frozen = bool(getattr(sys, "frozen", False))
    report.out(
        f"ouro-desktop {__version__} self-test ({'frozen' if frozen else 'from source'}, "
        f"Python {sys.version.split()[0]}, {sys.platform})"
    )
    started = time.monotonic()
    _check_keyring(report, require_keyring)
    _check_qt(report)
    _check_demo(report)
    _check_cif_worker(report)
    took = time.monotonic() - started
    if report.failures:
        report.out(f"self-test FAILED in {took:.1f} s: {len(report.failures)} problem(s)")
        for line in report.failures:
            report.out(f"  - {line}")
        return 1
    extra = f" with {len(report.warnings)} warning(s)" if report.warnings else ""
    report.out(f"self-test passed in {took:.1f} s{extra}")
    return 0
