"""One running app per profile: a second start hands its files and ``--route`` over.

Two windows on one profile would share one run ledger and both follow the same runs.
Double-clicking a CIF while the app is open starts ``ouro-desktop FILE`` again, so the
second start must find the first and give it the file instead.

How: the first start takes a lock file in the profile's data folder (:class:`QLockFile`,
which also recognises the lock of a process that died) and listens on a local socket
named after that folder (:class:`QLocalServer`: a Unix socket, or a named pipe on
Windows). A start that cannot take the lock connects to the socket, sends one line of
JSON -- ``{"route": …, "files": […]}`` -- and waits for ``ok``; then it exits. The first
one emits :attr:`InstanceServer.requested`; the window raises itself and takes them.
(The idea is the one Vorta uses; holding a lock first means two starts at the same
moment cannot both become "the first", and a stale socket can be removed safely.)
"""

from __future__ import annotations

import getpass
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["HandOver", "InstanceServer", "claim_profile", "hand_over", "server_name"]

MAX_REQUEST_BYTES = 1024 * 1024
CONNECT_TRIES_S = 10.0  # the first instance may still be starting up


@dataclass(frozen=True)
class HandOver:
    """What a second start asked for: a route to open and files to use."""

    route: str | None
    files: list[str]


def server_name(data_dir: Path) -> str:
    """The local socket's name for a profile (per user, per profile folder)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    key = f"{user}\0{Path(data_dir).resolve()}".encode("utf-8", "surrogateescape")
    return f"ouro-desktop-{hashlib.sha256(key).hexdigest()[:24]}"


class InstanceServer(QObject):
    """The first instance's end: listens, and emits each :class:`HandOver` it receives."""

    requested = Signal(object)  # HandOver

    def __init__(self, name: str, lock: QLockFile, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = lock  # held for as long as this instance runs
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We hold the lock, so a socket of that name is a dead instance's: remove it.
        QLocalServer.removeServer(name)
        self.listening = self._server.listen(name)
        self._server.newConnection.connect(self._on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def _on_server_new_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_REQUEST_BYTES:
            socket.abort()
            self._forget(socket)
            return
        if b"\n" not in data:
            self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[socket] = b""
        request = _parse(line)
        socket.write(b"ok\n" if request is not None else b"bad\n")
        socket.flush()
        socket.disconnectFromServer()
        if request is not None:
            self.requested.emit(request)

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def close(self) -> None:
        self._server.close()
        self._lock.unlock()


def _parse(line: bytes) -> HandOver | None:
    try:
        raw = json.loads(line.decode("utf-8", "surrogateescape"))
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    route = raw.get("route")
    files = raw.get("files")
    if route is not None and not isinstance(route, str):
        return None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return HandOver(route or None, list(files))


def claim_profile(data_dir: Path, parent: QObject | None = None) -> InstanceServer | None:
    """Become this profile's running instance (the server), or None if one runs already."""
    lock = QLockFile(str(Path(data_dir) / "instance.lock"))
    lock.setStaleLockTime(0)  # only a dead owner makes it stale, never its age
    if not lock.tryLock(0):
        return None
    return InstanceServer(server_name(data_dir), lock, parent)


def hand_over(data_dir: Path, route: str | None, files: list[str]) -> bool:
    """Give ``route`` and ``files`` to the running instance; True once it said ok."""
    message = json.dumps({"route": route, "files": files}).encode("utf-8", "surrogateescape")
    name = server_name(data_dir)
    deadline = time.monotonic() + CONNECT_TRIES_S
    while True:
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(1000):
            socket.write(message + b"\n")
            socket.flush()
            answer = b""
            while b"\n" not in answer and socket.waitForReadyRead(5000):
                answer += bytes(socket.readAll().data())
            socket.abort()
            return answer.startswith(b"ok")
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
