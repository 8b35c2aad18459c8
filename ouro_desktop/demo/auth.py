"""Access tokens for the demo backend: real three-part HS256 JWTs with ``exp``.

ouro-py decodes the token payload (without verifying it) to refresh before ``exp``,
so the demo issues genuine JWTs; it verifies them itself with a per-data-dir secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(secret: bytes, user_id: str, key_name: str, ttl: float, now: float) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {
        "sub": user_id,
        "aud": "authenticated",
        "role": "authenticated",
        "key_name": key_name,
        "iat": int(now),
        "exp": int(now + ttl),
        # A unique id so two exchanges in the same second still give different tokens.
        "jti": secrets.token_hex(8),
    }
    signing_input = (
        _b64(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64(json.dumps(payload, separators=(",", ":")).encode())
    )
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def verify_token(secret: bytes, token: str, now: float) -> dict[str, Any] | None:
    """The payload of a valid, unexpired token; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    signing_input = (parts[0] + "." + parts[1]).encode("ascii", "replace")
    expected = hmac.new(secret, signing_input, hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        payload = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or float(payload.get("exp", 0)) <= now:
        return None
    return payload


def sign_blob_url(secret: bytes, path: str, expires: int) -> str:
    """An HMAC for a signed storage URL (downloads need no Ouro auth, only this)."""
    msg = f"{path}\n{expires}".encode()
    return _b64(hmac.new(secret, msg, hashlib.sha256).digest())
