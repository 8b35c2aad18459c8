"""The run ledger's errors; ``str(error)`` is always a plain-language message for the user.

:mod:`ouro_desktop.core.ledger` re-exports them; import them from there. This module is
part of ``ouro_desktop.core`` and imports no Qt.
"""

from __future__ import annotations

__all__ = [
    "LedgerDamagedError",
    "LedgerError",
    "LedgerReadOnlyError",
    "LedgerUnavailableError",
    "LedgerWriteError",
]


class LedgerError(Exception):
    """Base class; ``str(error)`` is a plain-language message for the user."""


class LedgerUnavailableError(LedgerError):
    """The ledger file could not be opened for a reason other than damage."""


class LedgerReadOnlyError(LedgerError):
    """The ledger was written by a newer app version and is open read-only."""


class LedgerWriteError(LedgerError):
    """A write failed; for ``record_submission`` this means: do not send the request."""


class LedgerDamagedError(LedgerError):
    """The file is not a usable ledger; :meth:`RunLedger.open` moves it aside."""
