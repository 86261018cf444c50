"""``shopchat token --user U``: a shopper token signed with ``SHOPCHAT_TOKEN_SECRET``.

A storefront signs one per signed-in shopper (this command, or the same HMAC in its own code:
``assistant.api.tokens``) and links the page as ``/?token=...`` or calls the API with it.
"""

from __future__ import annotations

import typer

from shopchat.cli.common import fail_cleanly
from shopchat.errors import ConfigError
from shopchat.settings import get_settings


def token(
    user: str = typer.Option(..., "--user", "-u", help="The shopper the token acts as."),
    ttl: float = typer.Option(3600.0, "--ttl", help="Seconds until it expires (at most "
                              "SHOPCHAT_TOKEN_MAX_TTL, 30 days by default)."),
) -> None:
    """Print a token that acts as USER until it expires."""
    from assistant.api.tokens import sign_token

    settings = get_settings()
    with fail_cleanly():
        if not settings.token_secret:
            raise ConfigError("SHOPCHAT_TOKEN_SECRET is not set: tokens need a secret the "
                              "server shares")
        typer.echo(sign_token(user, ttl, settings.token_secret,
                              max_ttl_s=settings.token_max_ttl))
