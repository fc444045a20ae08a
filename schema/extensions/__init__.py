"""Schema extensions that harden the public graph (limits, cost, rate limit, production posture)."""

from schema.extensions.limits import PublicLimits

__all__ = ["PublicLimits"]
