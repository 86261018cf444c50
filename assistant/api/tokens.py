"""Shopper tokens a storefront signs: ``<payload>.<signature>``, both base64url.

The payload is JSON ``{"sub": user id, "exp": unix seconds}``; the signature is HMAC-SHA256 of
the payload's text under ``SHOPCHAT_TOKEN_SECRET``. A token names one shopper until it expires:
whoever holds it acts as that shopper and nobody else. A token whose expiry lies more than
``SHOPCHAT_TOKEN_MAX_TTL`` ahead is refused (a leaked one must not work for years).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from shopchat.errors import InputError
from shopchat.ids import check_user_id

DEFAULT_MAX_TTL_S = 30 * 86_400.0
"""The longest lifetime a token may have (``SHOPCHAT_TOKEN_MAX_TTL``'s default): 30 days."""


class TokenError(InputError):
    """A token that cannot be used; ``cause`` says why: ``expired``, ``forged``, ``malformed``
    or ``too-long-lived``."""

    def __init__(self, cause: str, message: str) -> None:
        super().__init__(message)
        self.cause = cause


@dataclass(frozen=True)
class ShopperToken:
    user_id: str
    expires: int
    """Unix seconds."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def sign_token(user_id: str, ttl_s: float, secret: str, now: float | None = None,
               max_ttl_s: float = DEFAULT_MAX_TTL_S) -> str:
    """A token for ``user_id`` valid for ``ttl_s`` seconds (at most ``max_ttl_s``) from ``now``."""
    if not secret:
        raise InputError("no token secret: set SHOPCHAT_TOKEN_SECRET")
    if ttl_s <= 0:
        raise InputError(f"a token's lifetime must be positive, got {ttl_s:g}s")
    if ttl_s > max_ttl_s:
        raise InputError(f"a token's lifetime must be at most {max_ttl_s:g}s "
                         f"(SHOPCHAT_TOKEN_MAX_TTL), got {ttl_s:g}s")
    expires = int((time.time() if now is None else now) + ttl_s)
    body = json.dumps({"sub": check_user_id(user_id), "exp": expires}, separators=(",", ":"))
    payload = _b64(body.encode())
    return f"{payload}.{_signature(payload, secret)}"


def looks_like_token(text: str) -> bool:
    """``<payload>.<signature>``, ASCII only (base64url): anything else is malformed."""
    return text.isascii() and text.count(".") == 1 and all(text.split("."))


def verify_token(token: str, secret: str, now: float | None = None,
                 max_ttl_s: float = DEFAULT_MAX_TTL_S) -> ShopperToken:
    """The shopper ``token`` names; raises ``TokenError`` (forged, expired, malformed, or
    expiring more than ``max_ttl_s`` seconds ahead)."""
    if not looks_like_token(token):
        raise TokenError("malformed", "malformed shopper token (expected <payload>.<signature>, "
                                      "ASCII)")
    payload, signature = token.split(".")
    if not hmac.compare_digest(_signature(payload, secret).encode(), signature.encode()):
        raise TokenError("forged", "forged shopper token: its signature does not match")
    try:
        claims = json.loads(_unb64(payload))
        user, expires = str(claims["sub"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("malformed", f"malformed shopper token payload: {exc}") from None
    now = time.time() if now is None else now
    if expires <= now:
        raise TokenError("expired", "expired shopper token: ask the storefront for a new one")
    if expires > now + max_ttl_s:
        raise TokenError("too-long-lived", f"shopper token valid for more than {max_ttl_s:g}s "
                                           "(SHOPCHAT_TOKEN_MAX_TTL): sign one that expires sooner")
    return ShopperToken(user, expires)
