"""What organisation staff see of their sources, the audit log, and the payloads of their mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from hub.services.audit import AuditRecord
from hub.services.kakao_import import KakaoImportReport
from hub.services.sources import SourceRecord, SourceState
from schema.auth.errors import StaffError
from schema.context import Info
from schema.enums import SourceKind
from schema.feed.types import FeedItem
from schema.node import to_global_id
from schema.organisations.types import Organisation

strawberry.enum(
    SourceState,
    name="SourceState",
    description="ok, backing_off (temporary trouble, retried), needs_reconnect (staff must act), paused.",
)


@strawberry.type(description="A source an organisation connected, as its staff see it. Secrets never appear.")
class StaffSource:
    id: strawberry.ID = strawberry.field(
        description="Opaque ID; pass to pauseSource, resumeSource, removeSource."
    )
    kind: SourceKind = strawberry.field(description="BAND, KAKAO, RSS or ICAL.")
    name: str = strawberry.field(description="A name staff recognise.")
    state: SourceState = strawberry.field(description="Machine-readable state.")
    state_text: str = strawberry.field(description="The state in plain Korean words.")
    last_error: str | None = strawberry.field(description="The last problem, in words staff understand.")
    last_error_at: datetime | None = strawberry.field(description="When the last problem happened.")
    last_success_at: datetime | None = strawberry.field(description="When it was last read successfully.")
    next_poll_at: datetime | None = strawberry.field(
        description="When it will be read next (null when pushed)."
    )
    has_secret: bool = strawberry.field(description="True when a token or secret is stored (never shown).")
    address: str | None = strawberry.field(
        description="The feed address as it can be shown (secrets redacted)."
    )
    review_non_staff: bool = strawberry.field(description="Members' posts wait in the review queue.")

    @classmethod
    def from_record(cls, record: SourceRecord) -> StaffSource:
        text = record.state.korean
        if record.state is SourceState.NEEDS_RECONNECT:
            text += " (토큰이 만료되었거나 권한이 바뀌었습니다)"
        shown = record.config.get("shown_url") or record.config.get("band_key")
        return cls(
            id=to_global_id("Source", record.id),
            kind=record.kind,
            name=record.name,
            state=record.state,
            state_text=text,
            last_error=record.last_error,
            last_error_at=record.last_error_at,
            last_success_at=record.last_success_at,
            next_poll_at=record.next_poll_at,
            has_secret=record.has_secret,
            address=str(shown) if shown else None,
            review_non_staff=record.review_non_staff,
        )


@strawberry.type(description="One staff action: who, what, on what, and the values before and after.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="Opaque ID.")
    actor: str = strawberry.field(description="Who: user:<e-mail> or api-key:<prefix>.")
    action: str = strawberry.field(description="What, e.g. item.correct, source.pause, item.merge.")
    target: str = strawberry.field(description="On what, e.g. FeedItem:12.")
    before: JSON = strawberry.field(description="Values before.")
    after: JSON = strawberry.field(description="Values after.")
    created_at: datetime = strawberry.field(description="When.")
    record: strawberry.Private[AuditRecord]

    @classmethod
    def from_record(cls, record: AuditRecord) -> AuditEntry:
        return cls(
            id=to_global_id("AuditEntry", record.id),
            actor=record.actor,
            action=record.action,
            target=record.target,
            before=JSON(dict(record.before)),
            after=JSON(dict(record.after)),
            created_at=record.created_at,
            record=record,
        )

    @strawberry.field(description="The organisation concerned, if one is.")
    async def organisation(self, info: Info) -> Organisation | None:
        if self.record.organisation_id is None:
            return None
        found = await info.context.loaders.organisation_by_id.load(self.record.organisation_id)
        return Organisation.from_record(found) if found else None


@strawberry.type(description="The item a mutation changed.")
class ItemPayload:
    item: FeedItem | None = strawberry.field(default=None, description="The item after the change.")
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )


@strawberry.type(description="The source a mutation changed.")
class SourcePayload:
    source: StaffSource | None = strawberry.field(default=None, description="The source after the change.")
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )


@strawberry.type(
    description="A connected source; for Kakao also the skill address and header secret, shown once."
)
class ConnectSourcePayload:
    source: StaffSource | None = strawberry.field(default=None, description="The new source.")
    skill_url: str | None = strawberry.field(
        default=None, description="Kakao: the skill URL to register in the Open Builder (holds a secret)."
    )
    header_secret: str | None = strawberry.field(
        default=None, description="Kakao: the value of the X-Hub-Skill-Secret header, if asked for."
    )
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )


@strawberry.type(description="What a KakaoTalk export upload did: the counts `hub import kakao` prints.")
class KakaoImport:
    room: str = strawberry.field(description="The room key the messages were filed under.")
    format: str = strawberry.field(
        description="The export variant recognised, e.g. windows_ko, android_en, pc_csv."
    )
    messages_read: int = strawberry.field(description="Messages read from the file.")
    kept: int = strawberry.field(description="Staff announcements kept.")
    skipped_non_staff: int = strawberry.field(description="Messages by others, dropped and never stored.")
    skipped_chatter: int = strawberry.field(description="Short chatter, reactions and media, dropped.")
    unreadable: int = strawberry.field(
        description="Lines that could not be read: dead letters with their line numbers."
    )
    created: int = strawberry.field(description="Items created.")
    updated: int = strawberry.field(description="Items updated.")
    unchanged: int = strawberry.field(description="Posts already imported, unchanged.")
    merged: int = strawberry.field(description="Posts that announced an event already in the feed.")
    tombstoned: int = strawberry.field(description="Posts withdrawn earlier, not brought back.")

    @classmethod
    def from_report(cls, report: KakaoImportReport) -> KakaoImport:
        return cls(
            room=report.room,
            format=report.format,
            messages_read=report.messages_read,
            kept=report.kept,
            skipped_non_staff=report.skipped_non_staff,
            skipped_chatter=report.skipped_chatter,
            unreadable=report.unreadable,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            merged=report.merged,
            tombstoned=report.tombstoned,
        )


@strawberry.type(description="The result of a KakaoTalk export upload.")
class KakaoImportPayload:
    report: KakaoImport | None = strawberry.field(default=None, description="What the import did.")
    errors: list[StaffError] = strawberry.field(
        default_factory=list, description="What went wrong, if anything."
    )
