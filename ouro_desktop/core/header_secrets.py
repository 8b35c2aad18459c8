"""A route's secret header values (an access key for the service behind it), kept in the
keyring through :class:`~ouro_desktop.core.secrets.SecretStore` (no Qt).

Some routes take a credential of their own as a header parameter (nixtla's
``authorization``). The form masks it; this module keeps what was typed so the next run of
any route of the same service on the same server is filled in. The value lives only in the
secret store: never in the run ledger, the logs, a draft of the form or the code shown for
a run. With no working keyring the session's memory store is used, and nothing is written
anywhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from ouro_desktop.api.models import Route

from .secrets import SecretStore, SecretStoreError

__all__ = ["HeaderSecrets", "header_account"]

log = logging.getLogger(__name__)


def header_account(base_url: str, route: Route, name: str) -> str:
    """The secret store's account name for header ``name`` of ``route``'s service."""
    owner = route.service_id or route.id
    return f"route-header|{base_url.rstrip('/')}|{owner}|{name.lower()}"


class HeaderSecrets:
    def __init__(self, store: SecretStore) -> None:
        self.store = store

    async def load(self, base_url: str, route: Route, names: Iterable[str]) -> dict[str, str]:
        """The stored values of ``names`` (those with none are left out)."""
        found: dict[str, str] = {}
        for name in names:
            try:
                value = await self.store.get(header_account(base_url, route, name))
            except SecretStoreError as exc:
                log.warning("could not read a stored route key: %s", type(exc).__name__)
                continue
            if value:
                found[name] = value
        return found

    async def save(self, base_url: str, route: Route, values: Mapping[str, str]) -> str | None:
        """Keep each non-empty value; ``None``, or a sentence saying it could not be kept."""
        for name, value in values.items():
            if not value:
                continue
            account = header_account(base_url, route, name)
            try:
                if await self.store.get(account) != value:
                    await self.store.set(account, value)
            except SecretStoreError as exc:
                log.warning("could not keep a route key: %s", type(exc).__name__)
                return (
                    "The key you typed was used for this run but could not be kept in the "
                    "keyring; type it again next time."
                )
        return None
