"""Staff passwords: argon2id (argon2-cffi's defaults follow RFC 9106's second recommendation)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hub.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 256
_hasher = PasswordHasher()  # argon2id by default
# Verified against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("yeongyeol-dummy-password")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"비밀번호는 {MIN_LENGTH}자 이상이어야 합니다 / "
            f"The password needs at least {MIN_LENGTH} characters"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"비밀번호가 너무 깁니다 / The password is longer than {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when it matches; an unknown account (None) costs the same as a wrong password."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
