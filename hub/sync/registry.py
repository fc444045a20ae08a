"""Which syncer polls which kind of source. Kinds without one (Kakao: pushed, not polled) never poll."""

from __future__ import annotations

from hub.sync import Syncer
from hub.sync.band import sync_band
from hub.sync.feeds import sync_ical, sync_rss
from org_connectors import SourceKind

SYNCERS: dict[SourceKind, Syncer] = {
    SourceKind.BAND: sync_band,
    SourceKind.RSS: sync_rss,
    SourceKind.ICAL: sync_ical,
}
