"""Who is asking: anonymous, a logged-in staff member, or an organisation's API key."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from hub.auth.errors import AuthError
from hub.auth.roles import ApiScope, Role


class ViewerKind(enum.StrEnum):
    ANONYMOUS = "ANONYMOUS"
    STAFF = "STAFF"
    API_KEY = "API_KEY"


ALL_SCOPES = frozenset(ApiScope)


@dataclass(frozen=True, slots=True)
class Viewer:
    kind: ViewerKind = ViewerKind.ANONYMOUS
    label: str = "anonymous"  # how the audit log names the actor
    user_id: int | None = None
    session_id: int | None = None
    api_key_id: int | None = None
    role: Role | None = None
    organisation_id: int | None = None
    area_id: int | None = None
    scopes: frozenset[ApiScope] = field(default_factory=frozenset)
    # A bearer credential was sent but cannot be used: the reason is given when something needs auth,
    # while public fields keep working.
    failure: AuthError | None = None

    @classmethod
    def anonymous(cls, failure: AuthError | None = None) -> Viewer:
        return cls(failure=failure)

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not ViewerKind.ANONYMOUS

    @property
    def is_user(self) -> bool:
        return self.kind is ViewerKind.STAFF
