"""Hardening of the public graph: request limits, rate limits, trusted documents and response caching.

`policy` holds the numbers, `analysis` reads a GraphQL document (tokens, depth, aliases, directives,
node estimate) without executing it, `ratelimit` is the cost-based leaky bucket, `documents` and
`cache` serve the first-party queries over GET, `freshness` tells the cache when data changed, and
`middleware` holds the ASGI layers `hub/app.py` mounts in front of `/graphql`.
"""
