"""The typed request context every resolver receives, and the `Info` alias used in signatures."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from starlette.background import BackgroundTasks
from starlette.requests import HTTPConnection
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from hub.auth.viewer import Viewer
from hub.db import Database
from hub.settings import Settings
from schema.loaders import Loaders


@dataclass
class Context:
    request: HTTPConnection
    response: Response | None
    db: Database
    zone: ZoneInfo
    loaders: Loaders
    request_id: str
    background_tasks: BackgroundTasks | None = None
    # Who is asking (anonymous, a staff member, an organisation's API key), from `Authorization`.
    viewer: Viewer = field(default_factory=Viewer.anonymous)
    # For staff operations that seal secrets or build public URLs (connecting sources).
    settings: Settings | None = None


Info = StrawberryInfo[Context, None]
