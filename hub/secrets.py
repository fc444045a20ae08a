"""Secrets at rest (BAND tokens, skill secrets, private feed URLs): AES-256-GCM, bound to their owner.

The key is derived from `HUB_SECRET_KEY` with HKDF; the associated data names the organisation and the
purpose, so a sealed token copied onto another organisation's source does not open. Plain secrets never
leave this module except to the connector that uses them.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.errors import HubError

_VERSION = b"v1"


class SecretUnreadable(HubError):
    code = "SECRET_UNREADABLE"


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"yeongyeol source secrets v1")
        key = hkdf.derive(secret_key.encode())
        self._aead = AESGCM(key)

    @staticmethod
    def _context(organisation_id: int, purpose: str) -> bytes:
        return f"organisation:{organisation_id}:{purpose}".encode()

    def seal(self, plaintext: str, *, organisation_id: int, purpose: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), self._context(organisation_id, purpose))
        return (_VERSION + b"." + base64.urlsafe_b64encode(nonce + sealed)).decode()

    def open(self, token: str, *, organisation_id: int, purpose: str) -> str:
        try:
            version, _, body = token.encode().partition(b".")
            if version != _VERSION:
                raise ValueError(version)
            raw = base64.urlsafe_b64decode(body)
            plain = self._aead.decrypt(raw[:12], raw[12:], self._context(organisation_id, purpose))
        except (InvalidTag, ValueError) as exc:
            raise SecretUnreadable(
                "저장된 비밀 값을 열 수 없습니다. 다시 연결하세요 / "
                "A stored secret cannot be opened (wrong key or another owner); reconnect the source"
            ) from exc
        return plain.decode()
