"""Staff accounts, login tokens and API keys as the graph shows them (no secret is ever a field, except
the tokens and the new key returned once by the mutation that creates them)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.auth.roles import ApiScope, Role
from hub.services.accounts import ApiKeyRecord, IssuedTokens, StaffUserRecord
from schema.areas.types import Area
from schema.auth.errors import StaffError
from schema.context import Info
from schema.node import to_global_id
from schema.organisations.types import Organisation

strawberry.enum(
    Role, description="ADMIN, FACILITATOR (촉진단), AREA_EDITOR (one area), ORG_STAFF (one organisation)."
)
strawberry.enum(ApiScope, description="What an API key may do: REVIEW, ITEMS, SOURCES.")


@strawberry.type(description="A staff account.")
class StaffUser:
    id: strawberry.ID = strawberry.field(description="Opaque ID.")
    email: str = strawberry.field(description="Login e-mail.")
    name: str = strawberry.field(description="Name shown to colleagues.")
    role: Role = strawberry.field(description="What the account may do.")
    record: strawberry.Private[StaffUserRecord]

    @classmethod
    def from_record(cls, record: StaffUserRecord) -> StaffUser:
        return cls(
            id=to_global_id("StaffUser", record.id),
            email=record.email,
            name=record.name,
            role=record.role,
            record=record,
        )

    @strawberry.field(description="The organisation of an ORG_STAFF account.")
    async def organisation(self, info: Info) -> Organisation | None:
        if self.record.organisation_id is None:
            return None
        record = await info.context.loaders.organisation_by_id.load(self.record.organisation_id)
        return Organisation.from_record(record) if record else None

    @strawberry.field(description="The area of an AREA_EDITOR account.")
    async def area(self, info: Info) -> Area | None:
        if self.record.area_id is None:
            return None
        record = await info.context.loaders.area_by_id.load(self.record.area_id)
        return Area.from_record(record) if record else None


@strawberry.type(description="The result of logging in or refreshing: a token pair and the account.")
class AuthPayload:
    access_token: str | None = strawberry.field(
        default=None, description="Send as `Authorization: Bearer …`; lives 15 minutes."
    )
    access_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When it stops working."
    )
    refresh_token: str | None = strawberry.field(
        default=None, description="Pass to `refreshToken` for a new pair; lives 14 days, works once."
    )
    refresh_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When the refresh token stops working."
    )
    user: StaffUser | None = strawberry.field(default=None, description="The account.")
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )

    @classmethod
    def of(cls, issued: IssuedTokens | None, errors: list[StaffError]) -> AuthPayload:
        if issued is None:
            return cls(errors=errors)
        return cls(
            access_token=issued.access_token,
            access_token_expires_at=issued.access_expires_at,
            refresh_token=issued.refresh_token,
            refresh_token_expires_at=issued.refresh_expires_at,
            user=StaffUser.from_record(issued.user),
            errors=errors,
        )


@strawberry.type(description="The result of logging out.")
class LogoutPayload:
    ok: bool = strawberry.field(description="True when the session ended.")
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )


@strawberry.type(description="An organisation's API key. The key itself is shown only once, at creation.")
class ApiKey:
    id: strawberry.ID = strawberry.field(description="Opaque ID; pass to `revokeApiKey`.")
    name: str = strawberry.field(description="What the key is for.")
    prefix: str = strawberry.field(description="The key's first characters, to recognise it.")
    scopes: list[ApiScope] = strawberry.field(description="What the key may do.")
    created_by: str = strawberry.field(description="Who created it.")
    created_at: datetime = strawberry.field(description="When it was created.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    last_used_at: datetime | None = strawberry.field(description="Last use (to within five minutes).")

    @classmethod
    def from_record(cls, record: ApiKeyRecord) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", record.id),
            name=record.name,
            prefix=record.prefix,
            scopes=list(record.scopes),
            created_by=record.created_by,
            created_at=record.created_at,
            revoked_at=record.revoked_at,
            last_used_at=record.last_used_at,
        )


@strawberry.type(description="A new API key.")
class CreateApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(default=None, description="The key's record.")
    key: str | None = strawberry.field(
        default=None, description="The key itself. Shown this once; store it now. Send as `Bearer …`."
    )
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )


@strawberry.type(description="A revoked API key.")
class RevokeApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(default=None, description="The key's record, now revoked.")
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )
