"""HTTP endpoints besides /graphql (webhooks, OAuth callbacks, feeds), one module each.

Each module exposes `routes(db, settings) -> list[BaseRoute]`; `ROUTE_FACTORIES` lists them and
`hub/app.py` mounts them all.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import BaseRoute

from hub.db import Database
from hub.settings import Settings

RouteFactory = Callable[[Database, Settings], list[BaseRoute]]

ROUTE_FACTORIES: list[RouteFactory] = []


def web_routes(db: Database, settings: Settings) -> list[BaseRoute]:
    return [route for factory in ROUTE_FACTORIES for route in factory(db, settings)]


from hub.web import kakao_skill as _kakao_skill  # noqa: E402

ROUTE_FACTORIES.append(_kakao_skill.routes)

from hub.web import feed_exports as _feed_exports  # noqa: E402

ROUTE_FACTORIES.append(_feed_exports.routes)

from hub.web import band_oauth as _band_oauth  # noqa: E402

ROUTE_FACTORIES.append(_band_oauth.routes)
