"""Naver BAND Open API connector: client, OAuth, markup, mapping to `RawPost`, and a simulator.

The database sync lives in `hub`; this package only talks to BAND (or the simulator) and turns what it
reads into plain data.
"""

from org_connectors.band.client import DEFAULT_API_BASE, BandClient, RetryPolicy, clean_next_params
from org_connectors.band.errors import (
    BandError,
    BandMalformedResponse,
    BandNeedsReconnect,
    BandQuotaExceeded,
    BandRejected,
    BandRetryable,
)
from org_connectors.band.mapping import (
    band_post_to_raw_post,
    parse_posts_json,
    parse_posts_lenient,
    parse_posts_response,
    post_fingerprint,
)
from org_connectors.band.markup import Attachment, Converted, convert, looks_like_system_post
from org_connectors.band.models import Band, BandAuthor, BandComment, BandPhoto, BandPost, PostPage
from org_connectors.band.oauth import (
    DEFAULT_AUTH_BASE,
    TOKEN_PATH,
    TokenGrant,
    authorize_url,
    exchange_code,
    parse_token_response,
)

__all__ = [
    "DEFAULT_API_BASE",
    "DEFAULT_AUTH_BASE",
    "TOKEN_PATH",
    "Attachment",
    "Band",
    "BandAuthor",
    "BandClient",
    "BandComment",
    "BandError",
    "BandMalformedResponse",
    "BandNeedsReconnect",
    "BandPhoto",
    "BandPost",
    "BandQuotaExceeded",
    "BandRejected",
    "BandRetryable",
    "Converted",
    "PostPage",
    "RetryPolicy",
    "TokenGrant",
    "authorize_url",
    "band_post_to_raw_post",
    "clean_next_params",
    "convert",
    "exchange_code",
    "looks_like_system_post",
    "parse_posts_json",
    "parse_posts_lenient",
    "parse_posts_response",
    "parse_token_response",
    "post_fingerprint",
]
