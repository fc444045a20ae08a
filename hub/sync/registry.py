"""Which syncer polls which kind of source. Kinds without one (Kakao: pushed, not polled) never poll."""

from __future__ import annotations

from hub.sync import Syncer
from org_connectors import SourceKind

SYNCERS: dict[SourceKind, Syncer] = {}
