"""Authentication and authorization failures, each with its own code and a message that names no
other organisation.

HubError
├── AuthError            no usable identity: `UNAUTHENTICATED`
│   ├── InvalidCredentials  wrong e-mail or password (the same answer for both)
│   ├── TokenInvalid        not a token the hub issued
│   ├── TokenExpired        an access or refresh token past its lifetime
│   ├── TokenRevoked        logged out, or the password changed
│   └── ApiKeyRevoked       a revoked API key
└── Forbidden            known identity, operation not allowed
"""

from __future__ import annotations

from hub.errors import HubError


class AuthError(HubError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    default_message = "로그인이 필요합니다 / Authentication required"


class InvalidCredentials(AuthError):
    code = "INVALID_CREDENTIALS"
    default_message = "이메일 또는 비밀번호가 맞지 않습니다 / Wrong e-mail or password"


class TokenInvalid(AuthError):
    code = "TOKEN_INVALID"
    default_message = "알 수 없는 토큰입니다. 다시 로그인하세요 / Unknown token; log in again"


class TokenExpired(AuthError):
    code = "TOKEN_EXPIRED"
    default_message = (
        "로그인 시간이 지났습니다. 토큰을 갱신하거나 다시 로그인하세요 / "
        "The token has expired; refresh it or log in again"
    )


class TokenRevoked(AuthError):
    code = "TOKEN_REVOKED"
    default_message = "로그아웃된 토큰입니다. 다시 로그인하세요 / The token was revoked; log in again"


class ApiKeyRevoked(AuthError):
    code = "API_KEY_REVOKED"
    default_message = "폐기된 API 키입니다. 새 키를 발급받으세요 / This API key was revoked; create a new one"


class Forbidden(HubError):
    code = "FORBIDDEN"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "이 작업을 할 권한이 없습니다 / You are not allowed to do this")
