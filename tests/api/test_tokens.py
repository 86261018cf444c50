"""Shopper tokens: signed, verified, expiring, unforgeable; API keys; ``shopchat token``."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.api.auth import OPEN, AuthError, Caller, ForbiddenError, authenticate
from assistant.api.tokens import DEFAULT_MAX_TTL_S, TokenError, sign_token, verify_token
from shopchat.cli.main import app
from shopchat.errors import InputError
from shopchat.settings import Settings, get_settings
from tests.api.conftest import KEY, SECRET

NOW = 1_800_000_000.0


def test_a_token_names_its_user_until_it_expires() -> None:
    token = sign_token("17850", 3600, SECRET, now=NOW)
    found = verify_token(token, SECRET, now=NOW + 3599)
    assert found.user_id == "17850" and found.expires == int(NOW + 3600)
    with pytest.raises(TokenError, match="expired") as exc:
        verify_token(token, SECRET, now=NOW + 3600)
    assert exc.value.cause == "expired"


def test_forged_tokens_are_refused() -> None:
    token = sign_token("17850", 3600, SECRET, now=NOW)
    payload, signature = token.split(".")
    with pytest.raises(TokenError, match="forged"):
        verify_token(token, "another secret", now=NOW)
    # a payload rewritten to another user, keeping the original signature
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    other = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenError, match="forged"):
        verify_token(f"{other}.{signature}", SECRET, now=NOW)
    # a later expiry, keeping the signature
    claims = {"sub": "17850", "exp": int(NOW) + 10**9}
    later = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenError, match="forged"):
        verify_token(f"{later}.{signature}", SECRET, now=NOW)
    with pytest.raises(TokenError, match="malformed"):
        verify_token("not-a-token", SECRET, now=NOW)


def test_non_ascii_tokens_are_malformed_not_a_crash() -> None:
    token = sign_token("17850", 3600, SECRET, now=NOW)
    payload, _ = token.split(".")
    for text in ("a.é", f"{payload}.é", f"{payload}.sïgnature", "é.b"):
        with pytest.raises(TokenError, match="malformed") as exc:
            verify_token(text, SECRET, now=NOW)
        assert exc.value.cause == "malformed"


def test_a_token_living_too_long_is_refused() -> None:
    month = DEFAULT_MAX_TTL_S
    assert verify_token(sign_token("u", month, SECRET, now=NOW), SECRET, now=NOW).user_id == "u"
    # a storefront signing "forever" tokens (its own code, not sign_token's check)
    forever = sign_token("u", 10 * month, SECRET, now=NOW, max_ttl_s=10 * month)
    with pytest.raises(TokenError, match="more than") as exc:
        verify_token(forever, SECRET, now=NOW)
    assert exc.value.cause == "too-long-lived"
    assert verify_token(forever, SECRET, now=NOW, max_ttl_s=10 * month).user_id == "u"
    with pytest.raises(InputError, match="at most"):
        sign_token("u", month + 1, SECRET, now=NOW)


def test_signing_checks_its_input() -> None:
    with pytest.raises(InputError, match="user_id"):
        sign_token("a/b", 60, SECRET)
    with pytest.raises(InputError, match="positive"):
        sign_token("u", 0, SECRET)
    with pytest.raises(InputError, match="SHOPCHAT_TOKEN_SECRET"):
        sign_token("u", 60, "")


def test_keys_and_tokens_name_the_caller() -> None:
    keyed = Settings(api_keys=f"another-key-0123456, {KEY}", token_secret=SECRET)
    assert authenticate(f"Bearer {KEY}", keyed) == Caller(key=True)
    assert authenticate(f"bearer  {KEY} ", keyed).key
    token = sign_token("17850", 60, SECRET)
    shopper = authenticate(f"Bearer {token}", keyed)
    assert shopper.user_id == "17850" and shopper.act_as("17850") == "17850"
    with pytest.raises(ForbiddenError, match="only as '17850'"):
        shopper.act_as("12345")
    stale = sign_token("u", 60, SECRET, now=time.time() - 120)
    for header, message in ((None, "missing API key"), ("", "missing API key"),
                            (f"Basic {KEY}", "must be 'Bearer <key>'"),
                            ("Bearer wrong", "invalid API key"),
                            (f"Bearer {sign_token('u', 60, 'bad')}", "forged"),
                            (f"Bearer {stale}", "expired")):
        with pytest.raises(AuthError, match=message):
            authenticate(header, keyed)
    # no keys: open to anyone, but a token still acts only as its user, and must be valid
    open_settings = Settings(token_secret=SECRET)
    assert authenticate(None, open_settings) == OPEN and OPEN.act_as("anyone") == "anyone"
    assert authenticate(f"Bearer {token}", open_settings).user_id == "17850"
    with pytest.raises(AuthError, match="forged"):
        authenticate(f"Bearer {sign_token('u', 60, 'bad')}", open_settings)


def test_the_token_command(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["token", "--user", "17850", "--ttl", "60"])
    assert result.exit_code == 1 and "SHOPCHAT_TOKEN_SECRET" in result.output
    monkeypatch.setenv("SHOPCHAT_TOKEN_SECRET", SECRET)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["token", "--user", "17850", "--ttl", "60"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert verify_token(result.output.strip(), SECRET).user_id == "17850"
    monkeypatch.setenv("SHOPCHAT_TOKEN_MAX_TTL", "3600")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["token", "--user", "17850", "--ttl", "3601"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "at most 3600s" in result.output
