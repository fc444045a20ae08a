"""The partner's ASGI app: /graphql (queries and `_entities` for the gateway) and /healthz."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from partner.schema import PartnerContext, schema
from partner.store import Store


class PartnerGraphQL(GraphQL[PartnerContext, None]):
    def __init__(self, store: Store) -> None:
        super().__init__(schema, graphql_ide=None)
        self.store = store

    async def get_context(self, request: Request | WebSocket, response: Any) -> PartnerContext:
        return PartnerContext(store=self.store)


def create_app(store: Store) -> Starlette:
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    graphql = PartnerGraphQL(store)
    return Starlette(routes=[Route("/graphql", graphql, methods=["GET", "POST"]), Route("/healthz", healthz)])
