"""The GraphQL layer: every domain's queries composed into one federation v2 subgraph schema."""

from __future__ import annotations

from typing import Final

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.areas.schema import AreaQueries
from schema.areas.types import Area
from schema.auth.schema import AuthMutations, AuthQueries
from schema.calendar.schema import CalendarQueries
from schema.curation.schema import CurationMutations, CurationQueries
from schema.errors import shape_errors
from schema.extensions import PublicLimits
from schema.extensions.validation import DocumentValidationCache
from schema.feed.schema import FeedQueries
from schema.feed.types import Category, FeedItem
from schema.live.schema import LiveSubscriptions
from schema.nodes import NodeQueries
from schema.organisations.schema import OrganisationQueries
from schema.organisations.types import Organisation
from schema.places.types import Place
from schema.planned_execution import PlannedExecutionContext
from schema.staff.schema import StaffMutations, StaffQueries

# Hive Gateway composes federation up to v2.9 (reference/federation-and-conformance.md).
FEDERATION_VERSION: Final = "2.9"
CACHE_SIZE = 1024  # bounded: unique queries must not grow memory without limit


@strawberry.type(description="Read the hub's graph: areas, organisations and the feed.")
class Query(
    NodeQueries,
    AreaQueries,
    OrganisationQueries,
    FeedQueries,
    CalendarQueries,
    AuthQueries,
    StaffQueries,
    CurationQueries,
):
    pass


@strawberry.type(
    description="Staff changes (log in first: `Authorization: Bearer …`). Each returns what it changed "
    "and `errors: [{field, code, message}]`."
)
class Mutation(AuthMutations, StaffMutations, CurationMutations):
    pass


@strawberry.type(description="Live updates over graphql-transport-ws at /graphql.")
class Subscription(LiveSubscriptions):
    pass


class HubSchema(strawberry.federation.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        shape_errors(errors, execution_context)


def build_schema() -> HubSchema:
    return HubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Area, Organisation, Place, FeedItem, Category],
        federation_version=FEDERATION_VERSION,
        # Factories: a fresh extension per request; the LRU caches themselves live at module level.
        # PublicLimits first: it counts tokens and directives before the caches parse and validate.
        extensions=[
            PublicLimits,
            lambda: ParserCache(maxsize=CACHE_SIZE),
            lambda: DocumentValidationCache(maxsize=CACHE_SIZE),
        ],
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=PlannedExecutionContext,
    )


schema = build_schema()
