"""The mutation error contract: every payload carries `errors: [{field, code, message}]`.

Errors a person can fix (a bad value, something not found, a taken name, a wrong password) come back in
the payload; missing or insufficient authorization is a top-level error with `extensions.code`.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from hub.auth import errors as auth_errors
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services.staff_items import FieldError

T = TypeVar("T")


@strawberry.enum(description="Why a staff mutation did not do what was asked.")
class StaffErrorCode(enum.Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105 - an error code, not a secret
    TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105 - an error code, not a secret
    TOKEN_REVOKED = "TOKEN_REVOKED"  # noqa: S105 - an error code, not a secret


@strawberry.type(description="Something the person can fix, in Korean then English.")
class StaffError:
    field: str | None = strawberry.field(description="The input field at fault (camelCase), if one is.")
    code: StaffErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Korean, then English.")


_AUTH_CODES = {
    auth_errors.InvalidCredentials: StaffErrorCode.INVALID_CREDENTIALS,
    auth_errors.TokenInvalid: StaffErrorCode.TOKEN_INVALID,
    auth_errors.TokenExpired: StaffErrorCode.TOKEN_EXPIRED,
    auth_errors.TokenRevoked: StaffErrorCode.TOKEN_REVOKED,
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def attempt(work: Awaitable[T], *, auth_in_payload: bool = False) -> tuple[T | None, list[StaffError]]:
    """Run a service call; fixable failures become payload errors, authorization failures propagate."""
    try:
        return await work, []
    except FieldError as exc:
        return None, [StaffError(field=_camel(exc.field), code=StaffErrorCode.INVALID, message=exc.message)]
    except InvalidInput as exc:
        return None, [StaffError(field=None, code=StaffErrorCode.INVALID, message=exc.message)]
    except NotFound as exc:
        return None, [StaffError(field=None, code=StaffErrorCode.NOT_FOUND, message=exc.message)]
    except Conflict as exc:
        return None, [StaffError(field=None, code=StaffErrorCode.CONFLICT, message=exc.message)]
    except auth_errors.AuthError as exc:
        code = _AUTH_CODES.get(type(exc))
        if not auth_in_payload or code is None:
            raise
        return None, [StaffError(field=None, code=code, message=exc.message)]
