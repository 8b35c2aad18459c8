"""Sign-in state: which server, which account, where its key is kept, and the live client.

A key is verified with the server before it is stored. Keys live only in a
:class:`SecretStore` (the OS keyring, or memory for this session when no secure keyring
works); ``OURO_API_KEY`` from the environment is used read-only. The offline demo (a
:class:`DemoBackend` the composition root passes in) signs in as its demo user without
storing anything.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..api.client import OuroClient
from ..api.errors import AuthenticationError
from ..api.models import User
from .blocking import responsive_switching
from .secrets import ENV_VAR, EnvironmentStore, MemoryStore, SecretStore, SecretStoreError
from .settings import Settings, SettingsStore

log = logging.getLogger(__name__)

DEMO_BASE_URL = "http://demo.localhost"
# While the in-app demo is signed in: how often a thread holding the interpreter is asked
# to hand it over. The window's thread waits about this long each time Qt calls into
# Python (a repaint of the runs or the log makes hundreds of such calls) while the demo
# works; 0.1 ms keeps a repaint under a few ms where 0.5 ms made it tens.
DEMO_SWITCH_S = 0.0001


@dataclass(frozen=True)
class Account:
    """Who is signed in, for the account menu and the status bar."""

    user: User
    base_url: str
    key_source: str  # e.g. "Secret Service (GNOME Keyring or compatible)", "offline demo"
    persistent: bool
    demo: bool = False
    from_environment: bool = False  # the key is OURO_API_KEY's: this app keeps nothing

    @property
    def key_kept_for_session_only(self) -> bool:
        """The user's key lives only in memory until the app quits (no secure keyring)."""
        return not (self.persistent or self.demo or self.from_environment)


ClientFactory = Callable[[str, str, Any], OuroClient]


class DemoBackend(Protocol):
    """The offline demo, built by the composition root (core does not import the demo)."""

    async def connect(self) -> tuple[Any, str]:
        """An httpx transport to the demo backend (started on first use), and its demo
        user's API key."""
        ...

    async def aclose(self) -> None: ...


def _default_client(base_url: str, api_key: str, transport: Any) -> OuroClient:
    return OuroClient(base_url, api_key, transport=transport)


class Session:
    """One signed-in (or signed-out) state; the UI asks it and listens to nothing else."""

    def __init__(
        self,
        settings_store: SettingsStore,
        settings: Settings,
        secrets: SecretStore,
        *,
        secret_notice: str | None = None,
        environ: Mapping[str, str] | None = None,
        client_factory: ClientFactory = _default_client,
        demo: DemoBackend | None = None,
    ) -> None:
        self.settings_store = settings_store
        self.settings = settings
        self.secrets = secrets
        # Why keys are not kept after this session (no secure keyring), or None.
        self.secret_notice = secret_notice
        self._env = EnvironmentStore(ENV_VAR, environ if environ is not None else os.environ)
        self._client_factory = client_factory
        self.client: OuroClient | None = None
        self.account: Account | None = None
        self.demo = demo
        self._demo_switching: contextlib.AbstractContextManager[None] | None = None

    @staticmethod
    def account_key(base_url: str) -> str:
        """The keyring entry name: one key per server."""
        return f"api-key:{base_url.rstrip('/')}"

    async def _connect(
        self, base_url: str, api_key: str, transport: Any = None
    ) -> tuple[OuroClient, User]:
        client = self._client_factory(base_url, api_key, transport)
        try:
            user = await client.sign_in()
        except BaseException:
            await client.aclose()
            raise
        return client, user

    async def _replace(self, client: OuroClient, account: Account) -> None:
        old = self.client
        self.client, self.account = client, account
        if old is not None and old is not client:
            await old.aclose()

    async def restore(self) -> Account | None:
        """Sign in without asking: from ``OURO_API_KEY``, else the stored key, else None.

        A stored key the server now rejects is removed, and the caller shows sign-in.
        """
        base_url = self.settings.base_url
        env_key = await self._env.get("")
        if env_key:
            client, user = await self._connect(base_url, env_key)
            await self._replace(
                client, Account(user, base_url, "from environment", False, from_environment=True)
            )
            return self.account
        try:
            stored = await self.secrets.get(self.account_key(base_url))
        except SecretStoreError as exc:
            log.warning("could not read the stored key: %s", exc)
            return None
        if not stored:
            return None
        try:
            client, user = await self._connect(base_url, stored)
        except AuthenticationError:
            await self._forget(base_url)
            raise
        source = self.secrets.backend_name
        await self._replace(client, Account(user, base_url, source, self.secrets.persistent))
        return self.account

    async def sign_in(self, api_key: str, base_url: str | None = None) -> Account:
        """Verify ``api_key`` with the server first; only a working key is stored."""
        key = api_key.strip()
        if not key:
            raise AuthenticationError("Paste your Ouro API key first.", status=401)
        url = (base_url or self.settings.base_url).rstrip("/")
        client, user = await self._connect(url, key)
        try:
            await self.secrets.set(self.account_key(url), key)
            store: SecretStore = self.secrets
        except SecretStoreError as exc:
            # The key works but can't be kept safely: keep it for this session only.
            log.warning("keeping the key for this session only: %s", exc)
            self.secret_notice = str(exc)
            store = MemoryStore()
            await store.set(self.account_key(url), key)
        self.settings.base_url = url
        self.settings.account = user.username
        self.settings_store.save(self.settings)
        await self._replace(client, Account(user, url, store.backend_name, store.persistent))
        return self.account  # type: ignore[return-value]

    async def start_demo(self) -> Account:
        """Sign in to the offline demo backend as its demo user; nothing is stored."""
        if self.demo is None:
            raise RuntimeError("this session has no demo backend")
        transport, key = await self.demo.connect()
        if self._demo_switching is None:
            # The demo backend, and the routes it plays, run in this process: their
            # pure-Python work (encoding an answer, making one) would otherwise keep the
            # window's thread waiting up to 5 ms each time it needs the interpreter back.
            self._demo_switching = responsive_switching(DEMO_SWITCH_S)
            self._demo_switching.__enter__()
        client, user = await self._connect(DEMO_BASE_URL, key, transport)
        await self._replace(client, Account(user, DEMO_BASE_URL, "offline demo", False, True))
        return self.account  # type: ignore[return-value]

    async def _forget(self, base_url: str) -> None:
        try:
            await self.secrets.delete(self.account_key(base_url))
        except SecretStoreError as exc:
            log.warning("could not remove the stored key: %s", exc)

    async def sign_out(self) -> None:
        """Remove the key from the keyring and drop the client."""
        account = self.account
        if account is not None and not account.demo:
            await self._forget(account.base_url)
        client, self.client, self.account = self.client, None, None
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None
        if self.demo is not None:
            await self.demo.aclose()
        if self._demo_switching is not None:
            self._demo_switching.__exit__(None, None, None)
            self._demo_switching = None
