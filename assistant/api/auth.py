"""Who is calling: an API key holder (a storefront's server: acts for any shopper), a shopper
token's holder (acts only as that shopper), or anyone when no keys are configured.

Framework-free: the HTTP API (``assistant.api.routes``) and the page's Gradio API endpoints
(``assistant.ui.app``) both pass the ``Authorization`` header here.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from assistant.api.tokens import TokenError, looks_like_token, verify_token
from shopchat.errors import ShopchatError
from shopchat.ids import check_user_id
from shopchat.settings import Settings

log = logging.getLogger(__name__)

BEARER = "bearer "


class AuthError(ShopchatError):
    """No credentials, or credentials that are not valid (HTTP 401)."""


class ForbiddenError(ShopchatError):
    """Valid credentials that do not allow this (HTTP 403): a token acting as someone else."""


@dataclass(frozen=True)
class Caller:
    key: bool = False
    """Holds an API key: may act for any shopper."""
    user_id: str | None = None
    """A shopper token's user: may act only as them."""

    def act_as(self, user_id: str) -> str:
        """``user_id`` (checked, stripped) when this caller may act as them; raises
        ``ForbiddenError`` otherwise (``InputError`` for an invalid id)."""
        user_id = check_user_id(user_id)
        if self.user_id is not None and user_id != self.user_id:
            raise ForbiddenError(f"this shopper token acts only as {self.user_id!r}, "
                                 f"not as {user_id!r}")
        return user_id


OPEN = Caller()
"""Anyone, when no API keys are configured."""


def _is_key(credential: str, keys: list[str]) -> bool:
    given = credential.encode()
    # every key compared, in constant time each: no early exit that times which one matched
    return any([hmac.compare_digest(given, key.encode()) for key in keys])


def authenticate(authorization: str | None, settings: Settings) -> Caller:
    """The caller behind an ``Authorization`` header; raises ``AuthError`` (401)."""
    keys = settings.api_key_list
    header = (authorization or "").strip()
    if not header:
        if keys:
            raise AuthError("missing API key: send 'Authorization: Bearer <key>' "
                            "(or a shopper token)")
        return OPEN
    if not header.lower().startswith(BEARER):
        if keys:
            raise AuthError("the Authorization header must be 'Bearer <key>'")
        return OPEN
    credential = header[len(BEARER):].strip()
    if keys and _is_key(credential, keys):
        return Caller(key=True)
    if settings.token_secret and looks_like_token(credential):
        try:
            token = verify_token(credential, settings.token_secret,
                                 max_ttl_s=settings.token_max_ttl)
            return Caller(user_id=token.user_id)
        except TokenError as exc:
            raise AuthError(str(exc)) from exc
    if keys:
        raise AuthError("invalid API key")
    return OPEN


def warn_if_open(settings: Settings) -> None:
    """Log once at startup when the API, or the page in demo mode, acts for anyone who asks."""
    if not settings.api_key_list:
        log.warning("SHOPCHAT_API_KEYS is not set: the HTTP API and the page's API endpoints "
                    "accept calls from anyone, acting as any shopper (set keys before exposing "
                    "this server)")
    elif settings.demo:
        log.warning("SHOPCHAT_DEMO is on while SHOPCHAT_API_KEYS is set: the keys guard the API, "
                    "but the page's own events (ask, like) act for any shopper picked in its "
                    "selector, without a key (turn demo mode off before exposing this server)")
