"""Opaque tokens: 256 random bits behind a kind prefix, stored as SHA-256 (enough for random secrets)."""

from __future__ import annotations

import enum
import hashlib
import secrets


class TokenKind(enum.StrEnum):
    ACCESS = "yat_"
    REFRESH = "yrt_"
    API_KEY = "yak_"


def new_token(kind: TokenKind) -> str:
    return kind.value + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def kind_of(token: str) -> TokenKind | None:
    for kind in TokenKind:
        if token.startswith(kind.value) and len(token) > len(kind.value) + 20:
            return kind
    return None


def display_prefix(token: str) -> str:
    """The start of a key, safe to show in lists so staff recognise which key is which."""
    return token[:12]
