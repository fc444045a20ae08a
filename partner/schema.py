"""The mentor pool's federation v2.9 subgraph: `Mentor`, `Organisation.mentors`, and `FeedItem` by key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from partner.store import MentorRecord, Store

# Hive Gateway composes federation up to v2.9 (reference/federation-and-conformance.md).
FEDERATION_VERSION: Final = "2.9"


@dataclass
class PartnerContext:
    """Request-scoped: the store and DataLoaders, so a gateway's batch of entities costs one query each."""

    store: Store
    mentors_by_organisation: DataLoader[str, list[MentorRecord]] = field(init=False)
    sessions_by_mentor: DataLoader[int, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        async def mentors(slugs: Sequence[str]) -> list[list[MentorRecord]]:
            found = self.store.mentors_by_organisations(slugs)
            return [found[slug] for slug in slugs]

        async def sessions(ids: Sequence[int]) -> list[list[str]]:
            found = self.store.sessions_by_mentors(ids)
            return [found[mentor_id] for mentor_id in ids]

        self.mentors_by_organisation = DataLoader(load_fn=mentors)
        self.sessions_by_mentor = DataLoader(load_fn=sessions)


Info = strawberry.Info[PartnerContext, None]


# The hub owns FeedItem; this subgraph only names items by their key, and the gateway fetches the rest.
# No descriptions on the hub's types and keys: the owner describes them (composition hints otherwise).
@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class FeedItem:
    id: strawberry.ID


@strawberry.federation.type(keys=["id"], description="멘토 / A mentor of the education community's pool.")
class Mentor:
    id: strawberry.ID = strawberry.field(description="The pool's own ID of the mentor.")
    name: str = strawberry.field(description="Name, e.g. 김해솔.")
    headline: str = strawberry.field(description="One line about the mentor, in Korean.")
    subjects: list[str] = strawberry.field(description="What the mentor teaches, e.g. 지역사.")
    record: strawberry.Private[MentorRecord]

    @classmethod
    def from_record(cls, record: MentorRecord) -> Mentor:
        return cls(
            id=strawberry.ID(str(record.id)),
            name=record.name,
            headline=record.headline,
            subjects=list(record.subjects),
            record=record,
        )

    @strawberry.field(description="The organisation (hub entity) the mentor works with.")
    def organisation(self) -> Organisation:
        return Organisation(slug=self.record.organisation_slug)

    @strawberry.field(description="Hub feed items (sessions, classes) this mentor leads.")
    async def sessions(self, info: Info) -> list[FeedItem]:
        ids = await info.context.sessions_by_mentor.load(self.record.id)
        return [FeedItem(id=strawberry.ID(item_id)) for item_id in ids]

    @classmethod
    def resolve_reference(cls, info: Info, id: strawberry.ID) -> Mentor | None:
        if not str(id).isdigit():
            return None
        record = info.context.store.mentors_by_ids([int(id)]).get(int(id))
        return cls.from_record(record) if record else None


@strawberry.federation.type(keys=["slug"])
class Organisation:
    slug: str

    @strawberry.field(description="멘토 / Mentors of the pool who work with this organisation.")
    async def mentors(self, info: Info) -> list[Mentor]:
        return [
            Mentor.from_record(record)
            for record in await info.context.mentors_by_organisation.load(self.slug)
        ]

    @classmethod
    def resolve_reference(cls, slug: str) -> Organisation:
        return cls(slug=slug)


@strawberry.type
class Query:
    @strawberry.field(description="멘토 목록 / Mentors, optionally only those teaching a subject.")
    def mentors(
        self,
        info: Info,
        subject: Annotated[str | None, strawberry.argument(description="A subject, e.g. 지역사.")] = None,
    ) -> list[Mentor]:
        return [Mentor.from_record(record) for record in info.context.store.mentors(subject)]


def build_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(
        query=Query, types=[FeedItem, Mentor, Organisation], federation_version=FEDERATION_VERSION
    )


schema = build_schema()


def sdl() -> str:
    """The subgraph SDL, with its federation `@link`: what `_service { sdl }` serves and composition reads."""
    text: str = schema.as_str()
    return text + "\n"


__all__: Any = ["PartnerContext", "schema", "sdl"]
