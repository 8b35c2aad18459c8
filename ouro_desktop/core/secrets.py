"""Where Ouro Desktop keeps API keys: the operating system's keyring, or nowhere at all.

Role in the core layer: one small async interface (:class:`SecretStore`) over three
sources of secrets, so the UI never touches ``keyring`` directly:

* :class:`KeyringStore` - the OS keyring, but only backends we know encrypt at rest
  (Windows Credential Locker, macOS Keychain, Secret Service, KWallet). Opening it
  proves it works with a throw-away write/read/delete before anyone relies on it.
* :class:`MemoryStore` - kept in this process only; what we fall back to when no
  trusted keyring works. Nothing is ever written to a plaintext file instead.
* :class:`EnvironmentStore` - ``OURO_API_KEY`` from the environment, read-only.

:func:`open_secret_store` picks the keyring when it can and otherwise returns the
memory store plus a plain-language reason the caller can show the user.

Secret values never appear in log records, exception messages or reprs.
This module must not import Qt: it runs under any asyncio loop (qasync in the app,
plain ``asyncio.run`` in tests).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from ..lazy import LazyModule

if TYPE_CHECKING:
    import keyring
    import keyring.errors
    from keyring.backend import KeyringBackend
else:
    # keyring loads its backends (D-Bus, crypto) on import: the demo never needs them.
    keyring = LazyModule("keyring")
    keyring.errors = LazyModule("keyring.errors")

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENV_VAR",
    "SERVICE_NAME",
    "EnvironmentStore",
    "KeyringStore",
    "MemoryStore",
    "SecretStore",
    "SecretStoreError",
    "SecretStoreReadOnly",
    "SecretStoreUnavailable",
    "open_secret_store",
]

log = logging.getLogger(__name__)

SERVICE_NAME = "ouro-desktop"
ENV_VAR = "OURO_API_KEY"
# A keyring that is locked may sit behind an unlock prompt forever; three seconds is
# long enough for a healthy keyring (a few D-Bus round trips) and short enough that
# the app does not look frozen.
DEFAULT_TIMEOUT = 3.0
_PROBE_PREFIX = "__ouro_desktop_probe_"

_T = TypeVar("_T")

# Matched by (module, qualified class name) rather than isinstance() so that
# importing e.g. the Windows backend on Linux is never needed, and so that a
# subclass (which could override storage) is not trusted by inheritance.
_TRUSTED_BACKENDS: Mapping[tuple[str, str], str] = {
    ("keyring.backends.Windows", "WinVaultKeyring"): "Windows Credential Locker",
    ("keyring.backends.macOS", "Keyring"): "macOS Keychain",
    ("keyring.backends.SecretService", "Keyring"): "Secret Service (GNOME Keyring or compatible)",
    ("keyring.backends.kwallet", "DBusKeyring"): "KWallet",
}
_CHAINER = ("keyring.backends.chainer", "ChainerBackend")
_FAIL = ("keyring.backends.fail", "Keyring")
_NULL = ("keyring.backends.null", "Keyring")


class SecretStoreError(Exception):
    """A secret store operation failed; the message is meant for the user."""


class SecretStoreUnavailable(SecretStoreError):
    """No trustworthy keyring can be used (missing, refused, locked or not answering)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SecretStoreReadOnly(SecretStoreError):
    """The store cannot be changed from inside the app (e.g. an environment variable)."""


@runtime_checkable
class SecretStore(Protocol):
    """Async key/value store for secrets, keyed by account name."""

    @property
    def backend_name(self) -> str:
        """Human-readable name of where secrets live, for the settings screen."""
        ...

    @property
    def persistent(self) -> bool:
        """True if secrets survive restarting the app."""
        ...

    async def get(self, account: str) -> str | None: ...

    async def set(self, account: str, secret: str) -> None: ...

    async def delete(self, account: str) -> None: ...


# --------------------------------------------------------------------------- helpers


def _backend_key(backend: object) -> tuple[str, str]:
    cls = type(backend)
    return (cls.__module__, cls.__qualname__)


def _backend_id(backend: object) -> str:
    module, name = _backend_key(backend)
    return f"{module}.{name}"


def _install_hint() -> str:
    if sys.platform == "win32":
        return "make sure Windows Credential Manager is available for your account"
    if sys.platform == "darwin":
        return "make sure your login Keychain is available and unlocked"
    return "install and unlock GNOME Keyring or KWallet (any Secret Service provider works)"


def _sentence(text: str) -> str:
    """``text`` starting a sentence: its first letter capitalised."""
    return text[:1].upper() + text[1:]


def _redact(text: str, secret: str | None) -> str:
    if secret:
        return text.replace(secret, "***")
    return text


def _describe(exc: BaseException, secret: str | None = None) -> str:
    # Backend exceptions are shown to the user for diagnosis; scrub the secret in case
    # some backend echoes its input back.
    detail = _redact(str(exc), secret).strip()
    name = type(exc).__name__
    return f"{name}: {detail}" if detail else name


async def _off_loop(func: Callable[[], _T], timeout: float) -> _T:
    """Run a blocking keyring call in a daemon thread, giving up after ``timeout`` s.

    Not ``asyncio.to_thread``: on Python 3.11 ``asyncio.run`` (and interpreter exit)
    joins executor threads, so one keyring call stuck behind an unlock prompt would
    hang the app at quit even after we stopped waiting for it. A daemon thread is
    simply abandoned. Raises ``TimeoutError`` on the deadline.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()

    def deliver_result(value: _T) -> None:
        if not future.done():  # already cancelled when the deadline passed
            future.set_result(value)

    def deliver_error(exc: Exception) -> None:
        if not future.done():
            future.set_exception(exc)

    def worker() -> None:
        try:
            value = func()
        except Exception as exc:  # handed to the awaiting coroutine
            _post(loop, deliver_error, exc)
        else:
            _post(loop, deliver_result, value)

    threading.Thread(target=worker, name="ouro-desktop-keyring", daemon=True).start()
    return await asyncio.wait_for(future, timeout)


def _post(loop: asyncio.AbstractEventLoop, callback: Callable[[_T], None], arg: _T) -> None:
    try:
        loop.call_soon_threadsafe(callback, arg)
    except RuntimeError:
        # The loop closed while the keyring was stuck: nobody is waiting any more.
        pass


def _select_backend(backend: KeyringBackend) -> tuple[KeyringBackend, str]:
    """Return a trusted backend and its display name, or raise SecretStoreUnavailable.

    Blocking: resolving a chainer asks every installed backend for its priority,
    which may talk to D-Bus.
    """
    key = _backend_key(backend)
    if key in _TRUSTED_BACKENDS:
        return backend, _TRUSTED_BACKENDS[key]
    if key == _CHAINER:
        # Use the first trusted child directly rather than the chainer, which would
        # fall through to untrusted children on reads and writes.
        children: list[KeyringBackend] = list(getattr(backend, "backends", []))
        for child in children:
            child_key = _backend_key(child)
            if child_key in _TRUSTED_BACKENDS:
                return child, _TRUSTED_BACKENDS[child_key]
        found = ", ".join(_backend_id(c) for c in children) or "none"
        raise SecretStoreUnavailable(
            f"No secure keyring found (available: {found}): {_install_hint()}."
        )
    if key == _FAIL:
        raise SecretStoreUnavailable(f"No secure keyring found: {_install_hint()}.")
    if key == _NULL:
        raise SecretStoreUnavailable(
            "Saving keys is switched off in the keyring settings (the 'null' backend is "
            f"configured). Remove that setting, or {_install_hint()}."
        )
    raise SecretStoreUnavailable(
        f"The configured keyring ({_backend_id(backend)}) is not one Ouro Desktop trusts: "
        f"it may keep keys unencrypted. Instead, {_install_hint()}."
    )


def _delete_if_present(backend: KeyringBackend, account: str) -> None:
    try:
        backend.delete_password(SERVICE_NAME, account)
    except keyring.errors.PasswordDeleteError:
        # Backends raise this both for "not there" and for real failures; only the
        # latter matters, since deleting is meant to leave no entry behind.
        if backend.get_password(SERVICE_NAME, account) is not None:
            raise


def _probe(backend: KeyringBackend) -> str | None:
    """Write, read back and delete a random throw-away entry.

    Returns None on success or a problem description. Runs as one job in one thread
    so that if it finishes after we gave up waiting it still cleans up its entry.
    """
    account = _PROBE_PREFIX + secrets.token_hex(8)
    value = secrets.token_hex(16)
    try:
        backend.set_password(SERVICE_NAME, account, value)
        try:
            if backend.get_password(SERVICE_NAME, account) != value:
                return "it did not give back a test entry it had just saved"
        finally:
            _delete_if_present(backend, account)
        if backend.get_password(SERVICE_NAME, account) is not None:
            return "it did not delete a test entry"
    except keyring.errors.KeyringLocked:
        return "it is locked; unlock it (for example by logging in again) and retry"
    except Exception as exc:  # any failure means "don't trust it"
        return f"a test save failed ({_describe(exc, value)})"
    return None


# --------------------------------------------------------------------------- stores


class KeyringStore:
    """Secrets in a trusted OS keyring, under the service name ``ouro-desktop``.

    Create with ``await KeyringStore.open()``, which refuses untrusted backends and
    proves the chosen one works.
    """

    def __init__(
        self, backend: KeyringBackend, name: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        # Private-ish: use open(), which validates and probes the backend.
        self._backend = backend
        self._name = name
        self._timeout = timeout

    @classmethod
    async def open(
        cls, backend: KeyringBackend | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> KeyringStore:
        """Pick a trusted backend (default: keyring's own choice) and prove it works.

        Raises SecretStoreUnavailable with a plain-language reason otherwise.
        """

        def choose() -> tuple[KeyringBackend, str]:
            return _select_backend(backend if backend is not None else keyring.get_keyring())

        try:
            chosen, name = await _off_loop(choose, timeout)
        except TimeoutError:
            raise SecretStoreUnavailable(
                f"Looking for a keyring took longer than {timeout:g} seconds. "
                f"Make sure your keyring service is running, or {_install_hint()}."
            ) from None
        except SecretStoreUnavailable as exc:
            log.info("Keyring refused: %s", exc.reason)
            raise
        except Exception as exc:  # keyring discovery can fail many ways
            raise SecretStoreUnavailable(
                f"Could not look for a keyring ({_describe(exc)}). {_sentence(_install_hint())}."
            ) from exc

        try:
            problem = await _off_loop(lambda: _probe(chosen), timeout)
        except TimeoutError:
            problem = (
                f"it did not answer within {timeout:g} seconds; it may be locked and "
                "waiting for its password. Unlock it and try again"
            )
        if problem is not None:
            reason = f"{name} can't be used: {problem}."
            log.info("Keyring probe failed (%s): %s", _backend_id(chosen), reason)
            raise SecretStoreUnavailable(reason)

        log.info("Using keyring backend %s (%s)", name, _backend_id(chosen))
        return cls(chosen, name, timeout=timeout)

    @property
    def backend_name(self) -> str:
        return self._name

    @property
    def persistent(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"KeyringStore(backend={self._name!r})"

    async def _call(self, what: str, func: Callable[[], _T], secret: str | None = None) -> _T:
        # Messages are built outside the except blocks (no __context__ chaining) so the
        # original backend exception - which we cannot vouch for - is not attached.
        message: str
        try:
            return await _off_loop(func, self._timeout)
        except TimeoutError:
            message = (
                f"{self._name} did not answer within {self._timeout:g} seconds while "
                f"{what}; it may be locked and waiting for its password."
            )
            unavailable = True
        except keyring.errors.KeyringLocked:
            message = f"{self._name} is locked; unlock it and try again."
            unavailable = True
        except Exception as exc:  # wrap backend errors for the user
            message = f"{self._name} failed while {what}: {_describe(exc, secret)}"
            unavailable = False
        log.warning("%s", message)
        if unavailable:
            raise SecretStoreUnavailable(message)
        raise SecretStoreError(message)

    async def get(self, account: str) -> str | None:
        log.debug("Reading secret for account %r from %s", account, self._name)
        return await self._call(
            f"reading {account!r}", lambda: self._backend.get_password(SERVICE_NAME, account)
        )

    async def set(self, account: str, secret: str) -> None:
        log.debug("Saving secret for account %r to %s", account, self._name)
        await self._call(
            f"saving {account!r}",
            lambda: self._backend.set_password(SERVICE_NAME, account, secret),
            secret,
        )

    async def delete(self, account: str) -> None:
        log.debug("Deleting secret for account %r from %s", account, self._name)
        await self._call(
            f"deleting {account!r}", lambda: _delete_if_present(self._backend, account)
        )


class MemoryStore:
    """Secrets kept in this process only; lost when the app quits."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    @property
    def backend_name(self) -> str:
        return "this session only (not saved)"

    @property
    def persistent(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MemoryStore()"

    async def get(self, account: str) -> str | None:
        return self._secrets.get(account)

    async def set(self, account: str, secret: str) -> None:
        self._secrets[account] = secret

    async def delete(self, account: str) -> None:
        self._secrets.pop(account, None)


class EnvironmentStore:
    """Read-only secret from an environment variable (``OURO_API_KEY`` by default).

    The variable holds a single key, so it is served for every account. It is read on
    each ``get`` so a changed environment (e.g. in tests) is seen.
    """

    def __init__(self, variable: str = ENV_VAR, environ: Mapping[str, str] | None = None) -> None:
        self._variable = variable
        self._environ: Mapping[str, str] = os.environ if environ is None else environ

    @property
    def backend_name(self) -> str:
        return f"environment variable {self._variable}"

    @property
    def persistent(self) -> bool:
        # Survives restarts as long as the user's environment sets it.
        return True

    @property
    def is_set(self) -> bool:
        """True if the variable holds a non-empty value."""
        return bool(self._environ.get(self._variable))

    def __repr__(self) -> str:
        return f"EnvironmentStore(variable={self._variable!r})"

    async def get(self, account: str) -> str | None:
        return self._environ.get(self._variable) or None

    async def set(self, account: str, secret: str) -> None:
        raise SecretStoreReadOnly(
            f"The API key comes from the environment variable {self._variable} and can't "
            "be changed here; change or unset the variable instead."
        )

    async def delete(self, account: str) -> None:
        raise SecretStoreReadOnly(
            f"The API key comes from the environment variable {self._variable} and can't "
            "be removed here; unset the variable instead."
        )


async def open_secret_store(
    backend: KeyringBackend | None = None, timeout: float = DEFAULT_TIMEOUT
) -> tuple[SecretStore, str | None]:
    """Return ``(store, None)`` for a working trusted keyring, else ``(MemoryStore(), reason)``.

    The reason is plain language, ready for "kept for this session only: <reason>".
    There is deliberately no plaintext-file fallback.
    """
    try:
        return await KeyringStore.open(backend=backend, timeout=timeout), None
    except SecretStoreUnavailable as exc:
        log.warning("Keeping secrets for this session only: %s", exc.reason)
        return MemoryStore(), exc.reason
