"""What the run panel says and asks: a run's states in words, a result value in short,
and the questions before a run (a paid route's price, a file changed since its upload).
Each question is a non-blocking dialog (:mod:`~ouro_desktop.ui.common.dialogs`)."""

from __future__ import annotations

from collections.abc import Awaitable

from PySide6.QtWidgets import QMessageBox, QWidget

from ouro_desktop.api.models import Route
from ouro_desktop.core.route_facts import price_text
from ouro_desktop.ui.common.dialogs import ask_buttons

RESTORED = "Your entries from last time are back. “Clear form” starts afresh."
FILLED_FROM_RUN = "Inputs filled in from the earlier run. Press Run to run again."
STATE_WORDS = {
    "submitting": "Sending the run…",
    "unknown": "Checking whether Ouro received the run…",
    "queued": "Queued on Ouro…",
    "in-progress": "Running…",
    "success": "Finished.",
    "error": "Failed.",
    "timed-out": "Timed out: Ouro stopped waiting for the service; nothing was charged.",
    "not-started": "Not started — run again?",
}

Answer = bool | Awaitable[bool]
Choice = str | None | Awaitable[str | None]


async def confirm_price(parent: QWidget, route: Route) -> bool:
    answer = await ask_buttons(
        parent,
        "Run a paid route?",
        f"“{route.full_name}” is a paid route: {price_text(route)}.\n\n"
        "Your account is charged when the run succeeds. Run it now?",
        [
            ("run", "Run", QMessageBox.ButtonRole.AcceptRole),
            ("cancel", "Cancel", QMessageBox.ButtonRole.RejectRole),
        ],
        default="cancel",
    )
    return answer == "run"


async def ask_file_changed(parent: QWidget, name: str) -> str | None:
    """``"upload"`` (the new version), ``"keep"`` (the one on Ouro) or None (not now)."""
    return await ask_buttons(
        parent,
        "The file changed",
        f"“{name}” changed on this computer after it was uploaded.\n\n"
        "Upload the new version, or run with the version already on Ouro?",
        [
            ("upload", "Upload the new version", QMessageBox.ButtonRole.AcceptRole),
            ("keep", "Keep the one on Ouro", QMessageBox.ButtonRole.ActionRole),
            ("cancel", "Cancel", QMessageBox.ButtonRole.RejectRole),
        ],
        default="upload",
    )


def short_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
