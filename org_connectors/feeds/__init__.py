"""RSS/Atom and iCalendar sources: safe fetching (`fetch`) and parsing into `RawPost` records.

One poll, as a scheduler or `hub import` runs it::

    result = await fetch(url, etag=stored_etag, last_modified=stored_last_modified, policy=policy)
    if not result.not_modified:
        feed = parse_feed(result.body, content_type=result.content_type)
        # or, for a calendar:
        start, end = default_window(now)
        calendar = parse_calendar(result.body, window_start=start, window_end=end)
"""

from org_connectors.feeds.errors import (
    BadStatus,
    FetchError,
    FetchTimeout,
    FetchUnavailable,
    NotACalendar,
    NotAFeed,
    ResponseTooLarge,
    TooManyRedirects,
    URLRefused,
)
from org_connectors.feeds.fetch import DEFAULT_POLICY, FetchPolicy, FetchResult, fetch
from org_connectors.feeds.ical import CalendarParseResult, default_window, parse_calendar
from org_connectors.feeds.links import redact_url
from org_connectors.feeds.rss import FeedParseResult, parse_feed

__all__ = [
    "DEFAULT_POLICY",
    "BadStatus",
    "CalendarParseResult",
    "FeedParseResult",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "FetchTimeout",
    "FetchUnavailable",
    "NotACalendar",
    "NotAFeed",
    "ResponseTooLarge",
    "TooManyRedirects",
    "URLRefused",
    "default_window",
    "fetch",
    "parse_calendar",
    "parse_feed",
    "redact_url",
]
