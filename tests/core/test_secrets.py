# mypy: disable-error-code="no-untyped-call"
# (keyring's backend constructors are unannotated.)
"""Tests for ouro_desktop.core.secrets: trusted-keyring selection, fallbacks, no leaks.

The project has no pytest-asyncio, so each test drives its coroutine with asyncio.run.
In-test keyring backends get a negative priority so keyring's own auto-detection
(which sees every KeyringBackend subclass ever defined) never picks them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from ouro_desktop.core.secrets import (
    SERVICE_NAME,
    EnvironmentStore,
    KeyringStore,
    MemoryStore,
    SecretStore,
    SecretStoreError,
    SecretStoreReadOnly,
    SecretStoreUnavailable,
    open_secret_store,
)

# ----------------------------------------------------------------- in-test backends


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt's PlaintextKeyring: stores secrets in a file."""

    priority = -1

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def get_password(self, service: str, username: str) -> str | None:
        if not self.path.exists():
            return None
        for line in self.path.read_text().splitlines():
            svc, user, pw = line.split("\t")
            if (svc, user) == (service, username):
                return pw
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        with self.path.open("a") as fh:
            fh.write(f"{service}\t{username}\t{password}\n")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("not supported")


class FakeSecretService(KeyringBackend):
    """In-memory double that *names itself* like keyring's Secret Service backend.

    The allow-list matches by module + class name, so this exercises the whole
    KeyringStore path without D-Bus. ``hang`` makes every call block (like a keyring
    stuck behind an unlock prompt) until the test releases it.
    """

    priority = -1

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}
        self.hang_get = False
        self.release = threading.Event()
        self.fail_set_with: Exception | None = None

    def _maybe_hang(self) -> None:
        if self.hang_get:
            self.release.wait(10)

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_hang()
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail_set_with is not None:
            raise self.fail_set_with
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.data[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("No such password!") from None


FakeSecretService.__module__ = "keyring.backends.SecretService"
FakeSecretService.__qualname__ = "Keyring"


class HangingKeyring(FakeSecretService):
    """get_password blocks for 10 s (released at teardown)."""

    def __init__(self) -> None:
        super().__init__()
        self.hang_get = True


HangingKeyring.__module__ = "keyring.backends.SecretService"
HangingKeyring.__qualname__ = "Keyring"


@pytest.fixture
def fake_ss() -> Iterator[FakeSecretService]:
    backend = FakeSecretService()
    yield backend
    backend.release.set()


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    yield backend
    backend.release.set()  # let the abandoned worker thread finish


def _refusal(backend: KeyringBackend | None) -> SecretStoreUnavailable:
    with pytest.raises(SecretStoreUnavailable) as info:
        asyncio.run(KeyringStore.open(backend=backend, timeout=1.0))
    return info.value


# ----------------------------------------------------------------- memory / environment


def test_memory_store_round_trip() -> None:
    async def scenario() -> None:
        store = MemoryStore()
        assert isinstance(store, SecretStore)
        assert store.persistent is False
        assert store.backend_name == "this session only (not saved)"
        assert await store.get("acct") is None
        await store.set("acct", "s3cret-value")
        assert await store.get("acct") == "s3cret-value"
        assert "s3cret-value" not in repr(store)
        await store.delete("acct")
        assert await store.get("acct") is None
        await store.delete("acct")  # deleting twice is harmless

    asyncio.run(scenario())


def test_environment_store_is_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OURO_API_KEY", "env-key-123")

    async def scenario() -> None:
        store = EnvironmentStore()
        assert isinstance(store, SecretStore)
        assert store.backend_name == "environment variable OURO_API_KEY"
        assert store.is_set
        assert await store.get("any-account") == "env-key-123"
        with pytest.raises(SecretStoreReadOnly, match="OURO_API_KEY"):
            await store.set("any-account", "other")
        with pytest.raises(SecretStoreReadOnly, match="OURO_API_KEY"):
            await store.delete("any-account")
        assert os.environ["OURO_API_KEY"] == "env-key-123"
        assert "env-key-123" not in repr(store)

    asyncio.run(scenario())


def test_environment_store_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OURO_API_KEY", raising=False)
    store = EnvironmentStore()
    assert not store.is_set
    assert asyncio.run(store.get("acct")) is None


# ----------------------------------------------------------------- refusals


def test_refuses_fail_backend() -> None:
    err = _refusal(keyring.backends.fail.Keyring())
    assert "No secure keyring found" in err.reason
    assert str(err) == err.reason


def test_refuses_null_backend() -> None:
    err = _refusal(keyring.backends.null.Keyring())
    assert "switched off" in err.reason


def test_refuses_plaintext_backend_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "keyring_pass.cfg"
    err = _refusal(PlaintextKeyring(path))
    assert "PlaintextKeyring" in err.reason
    assert "not one Ouro Desktop trusts" in err.reason
    assert not path.exists()


def test_refuses_subclass_of_trusted_backend() -> None:
    # Trust is by exact class, not inheritance: a subclass could store anywhere.
    from keyring.backends import SecretService

    class Sneaky(SecretService.Keyring):
        priority = -1

    err = _refusal(Sneaky())
    assert "Sneaky" in err.reason


def test_chainer_uses_first_trusted_child(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_ss: FakeSecretService
) -> None:
    plaintext = PlaintextKeyring(tmp_path / "plain.cfg")
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [plaintext, fake_ss])

    async def scenario() -> None:
        store = await KeyringStore.open(backend=keyring.backends.chainer.ChainerBackend())
        await store.set("acct", "chained-secret")
        assert fake_ss.data[(SERVICE_NAME, "acct")] == "chained-secret"

    asyncio.run(scenario())
    assert not plaintext.path.exists()


def test_chainer_without_trusted_child_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plaintext = PlaintextKeyring(tmp_path / "plain.cfg")
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [plaintext])
    err = _refusal(keyring.backends.chainer.ChainerBackend())
    assert "No secure keyring found" in err.reason
    assert not plaintext.path.exists()


def test_default_backend_comes_from_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: keyring.backends.fail.Keyring())
    err = _refusal(None)
    assert "No secure keyring found" in err.reason


def test_probe_failure_is_unavailable(fake_ss: FakeSecretService) -> None:
    fake_ss.fail_set_with = keyring.errors.PasswordSetError("collection is read-only")
    err = _refusal(fake_ss)
    assert "collection is read-only" in err.reason
    assert not fake_ss.data  # probe left nothing behind


# ----------------------------------------------------------------- timeouts


def test_hanging_backend_times_out(hanging: HangingKeyring) -> None:
    start = time.monotonic()
    with pytest.raises(SecretStoreUnavailable, match="did not answer within 0.5 seconds"):
        asyncio.run(KeyringStore.open(backend=hanging, timeout=0.5))
    # asyncio.run has returned too: the stuck worker thread does not block shutdown.
    assert time.monotonic() - start < 3.0


def test_operation_timeout_after_open(fake_ss: FakeSecretService) -> None:
    async def scenario() -> None:
        store = await KeyringStore.open(backend=fake_ss, timeout=0.5)
        fake_ss.hang_get = True
        start = time.monotonic()
        with pytest.raises(SecretStoreUnavailable, match="did not answer"):
            await store.get("acct")
        assert time.monotonic() - start < 2.0

    asyncio.run(scenario())


# ----------------------------------------------------------------- keyring store behaviour


def test_keyring_store_round_trip_without_leaks(
    fake_ss: FakeSecretService, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-" + secrets.token_hex(12)
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        store = await KeyringStore.open(backend=fake_ss)
        assert store.persistent is True
        assert "Secret Service" in store.backend_name
        await store.set("acct", secret)
        assert fake_ss.data == {(SERVICE_NAME, "acct"): secret}  # probe cleaned up
        assert await store.get("acct") == secret
        assert secret not in repr(store)
        await store.delete("acct")
        await store.delete("acct")  # already gone: no error
        assert await store.get("acct") is None

    asyncio.run(scenario())
    assert caplog.records  # logging did happen, just not of the secret
    assert all(secret not in r.getMessage() for r in caplog.records)


def test_backend_error_message_hides_secret(fake_ss: FakeSecretService) -> None:
    secret = "sk-" + secrets.token_hex(12)

    async def scenario() -> None:
        store = await KeyringStore.open(backend=fake_ss)
        fake_ss.fail_set_with = keyring.errors.PasswordSetError(f"cannot store {secret}")
        with pytest.raises(SecretStoreError) as info:
            await store.set("acct", secret)
        assert secret not in str(info.value)
        assert info.value.__cause__ is None and info.value.__context__ is None

    asyncio.run(scenario())


# ----------------------------------------------------------------- open_secret_store


def test_open_secret_store_falls_back_to_memory(tmp_path: Path) -> None:
    path = tmp_path / "plain.cfg"
    for backend in (
        keyring.backends.fail.Keyring(),
        keyring.backends.null.Keyring(),
        PlaintextKeyring(path),
    ):
        store, reason = asyncio.run(open_secret_store(backend=backend, timeout=1.0))
        assert isinstance(store, MemoryStore)
        assert reason
    assert not path.exists()


def test_open_secret_store_prefers_keyring(fake_ss: FakeSecretService) -> None:
    store, reason = asyncio.run(open_secret_store(backend=fake_ss))
    assert isinstance(store, KeyringStore)
    assert reason is None


# ----------------------------------------------------------------- the real Secret Service


def _real_secret_service() -> KeyringBackend:
    """Return a live Secret Service backend, or skip (fail if it is required)."""
    from keyring.backends import SecretService

    try:
        SecretService.Keyring.priority  # noqa: B018 - raises when D-Bus/daemon is missing
    except Exception as exc:
        if os.environ.get("OURO_REQUIRE_SECRET_SERVICE"):
            pytest.fail(f"Secret Service required but unavailable: {exc}")
        pytest.skip(f"Secret Service not available here: {exc}")
    return SecretService.Keyring()


def test_real_secret_service_round_trip(caplog: pytest.LogCaptureFixture) -> None:
    backend = _real_secret_service()
    account = "__ouro_desktop_test_" + secrets.token_hex(6)
    sentinel = "sentinel-" + secrets.token_hex(16)
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        store = await KeyringStore.open(backend=backend)
        assert "Secret Service" in store.backend_name
        assert store.persistent
        try:
            await store.set(account, sentinel)
            assert await store.get(account) == sentinel
        finally:
            await store.delete(account)
        assert await store.get(account) is None
        assert backend.get_password(SERVICE_NAME, account) is None

    asyncio.run(scenario())
    assert all(sentinel not in r.getMessage() for r in caplog.records)
    assert all(sentinel not in str(r.args) for r in caplog.records)


def test_real_default_keyring_is_secret_service() -> None:
    _real_secret_service()
    store, reason = asyncio.run(open_secret_store())
    assert reason is None, reason
    assert "Secret Service" in store.backend_name


def test_a_keyring_discovery_failure_reads_as_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sentence of the reason starts with a capital letter."""

    def broken() -> KeyringBackend:
        raise RuntimeError("D-Bus went away")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    err = _refusal(None)
    assert "Could not look for a keyring" in err.reason
    sentences = [part.strip() for part in err.reason.split(". ") if part.strip()]
    assert len(sentences) >= 2
    assert all(sentence[0].isupper() for sentence in sentences), sentences
