"""A finished run in one plain sentence with what to do next (no Qt), for the result card
beside the Run button.

:func:`failure_sentence` reads the run's state and, when known, the server's action: its
message, the upstream status, whether it looks temporary, and the fields a refusal names.
"""

from __future__ import annotations

from collections.abc import Mapping

from ouro_desktop.api.models import Action

__all__ = ["failure_sentence"]


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def failure_sentence(
    state: str,
    *,
    action: Action | None = None,
    detail: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> str:
    """What went wrong and what to do, e.g. "Unknown element symbol 'Xx'. Fix the marked
    field and run again." ``fields`` maps the fields the refusal names to their labels."""
    state = state.strip().lower().replace("_", "-")
    if state == "timed-out":
        return (
            "Ouro stopped waiting for the service; nothing was charged. Run it again later, "
            "or with a smaller input."
        )
    if state == "not-started":
        return "The run never reached Ouro; nothing ran. Press Run to send it again."
    if state == "unknown":
        return "Ouro has not confirmed it received this run yet; it is being checked."
    message = (action.error_message if action is not None else None) or detail or ""
    said = _sentence(message) or "The run failed."
    if fields:
        names = ", ".join(f"“{label}”" for label in fields.values())
        plural = "s" if len(fields) > 1 else ""
        return f"{said} Fix the marked field{plural} ({names}) and run again."
    status = action.error_status if action is not None else None
    if action is not None and action.retryable:
        return f"{said} This looks temporary: run it again in a moment."
    if status is not None and 400 <= status < 500:
        return f"{said} Change the inputs and run again."
    if status is not None and status >= 500:
        return f"{said} The service had a problem; try again later."
    return f"{said} Check the inputs and run again; the Errors tab of the run has details."
