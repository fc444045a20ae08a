"""Understanding Korean announcements: when, where, deadline, fee, online, kind and categories.

gaz = load_gazetteer(Path("seeds/namwon/places.csv"))
u = understand(body, title=title, posted_at=posted_at, gazetteer=gaz, structured=event)
"""

from hub.ingest.understand.gazetteer import Gazetteer, GazetteerError, Place, load_gazetteer
from hub.ingest.understand.pipeline import SEOUL, PlaceRef, Understanding, understand
from hub.ingest.understand.what import CATEGORIES

__all__ = [
    "CATEGORIES",
    "SEOUL",
    "Gazetteer",
    "GazetteerError",
    "Place",
    "PlaceRef",
    "Understanding",
    "load_gazetteer",
    "understand",
]
