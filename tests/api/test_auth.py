"""With keys set nobody acts as someone else: a key acts for any shopper, a shopper token only
for its own user; everything else is 401 (or 403) with a message saying why."""

from __future__ import annotations

import logging
import time

import pytest

from assistant.api.tokens import sign_token
from tests.api.conftest import KEY, SECRET, ApiClient, bearer

ROUTES = [
    ("post", "/api/v1/ask", {"user_id": "17850", "message": "red lipstick"}),
    ("post", "/api/v1/ask/stream", {"user_id": "17850", "message": "red lipstick"}),
    ("post", "/api/v1/events", {"user_id": "17850", "item_id": "4", "event": "click"}),
    ("delete", "/api/v1/users/17850", None),
]


def call(client: object, method: str, path: str, body: object, headers: dict[str, str]
         ) -> tuple[int, str]:
    kwargs = {"headers": headers} | ({"json": body} if body is not None else {})
    reply = getattr(client, method)(path, **kwargs)
    return reply.status_code, reply.text


def test_every_route_needs_a_key_or_a_token(api: ApiClient) -> None:
    client = api(api_keys=f"{KEY},second-key-0123456789", token_secret=SECRET)
    token = sign_token("17850", 600, SECRET)
    expired = sign_token("17850", 60, SECRET, now=time.time() - 3600)
    forged = sign_token("17850", 600, "not the secret")
    other = sign_token("12345", 600, SECRET)
    for method, path, body in ROUTES:
        status, text = call(client, method, path, body, {})
        assert status == 401 and "missing API key" in text and "Bearer" in text
        for headers, status, message in (
                ({"Authorization": KEY}, 401, "must be 'Bearer <key>'"),
                (bearer("wrong-key"), 401, "invalid API key"),
                (bearer(expired), 401, "expired shopper token"),
                (bearer(forged), 401, "forged shopper token"),
                (bearer(other), 403, "acts only as '12345', not as '17850'")):
            got, text = call(client, method, path, body, headers)
            assert (got, message in text) == (status, True), (path, headers, text)
        for headers in (bearer(KEY), bearer("second-key-0123456789"), bearer(token)):
            got, text = call(client, method, path, body, headers)
            assert got == 200, (path, text)
    reply = client.post("/api/v1/ask", json={})
    assert reply.status_code == 401 and reply.headers["www-authenticate"] == "Bearer"
    # health checks stay open (load balancers probe them)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_without_keys_the_api_is_open_and_says_so(api: ApiClient,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="assistant.api.auth"):
        client = api(token_secret=SECRET)
    assert "SHOPCHAT_API_KEYS is not set" in caplog.text
    reply = client.post("/api/v1/ask", json={"user_id": "anyone", "message": "red lipstick"})
    assert reply.status_code == 200
    # a token still acts only as its own user
    token = sign_token("17850", 600, SECRET)
    reply = client.post("/api/v1/ask", json={"user_id": "anyone", "message": "red lipstick"},
                        headers=bearer(token))
    assert reply.status_code == 403


def test_credentials_are_checked_before_the_body_is_read(api: ApiClient) -> None:
    client = api(api_keys=KEY)
    for headers, status in (({}, 401), (bearer("a-wrong-key-of-some-length"), 401),
                            (bearer(KEY), 422)):
        reply = client.post("/api/v1/ask", content=b'{"user_id": "u", "message": ',
                            headers={"Content-Type": "application/json", **headers})
        assert reply.status_code == status, reply.text
        if status == 401:
            assert reply.headers["www-authenticate"] == "Bearer"
    reply = client.post("/api/v1/ask", content=b"x" * 100_000, headers={})
    assert reply.status_code == 401  # nobody unauthenticated gets as far as the body limit


def test_non_ascii_credentials_are_refused_not_a_crash(api: ApiClient) -> None:
    client = api(api_keys=KEY, token_secret=SECRET)
    body = {"user_id": "17850", "message": "red lipstick"}
    for credential in ("a.é", "é", "payload.sïgnature"):
        header = f"Bearer {credential}".encode()  # as a client sends it: bytes, not ASCII
        reply = client.post("/api/v1/ask", json=body, headers={"Authorization": header})
        assert reply.status_code == 401, reply.text
        assert "invalid API key" in reply.json()["error"]


def test_a_tokens_user_id_is_compared_stripped(api: ApiClient) -> None:
    client = api(api_keys=KEY, token_secret=SECRET)
    token = sign_token("17850", 600, SECRET)
    reply = client.post("/api/v1/events", headers=bearer(token),
                        json={"user_id": " 17850 ", "item_id": "4", "event": "click"})
    assert reply.status_code == 200 and reply.json()["user_id"] == "17850"


def test_demo_mode_with_keys_warns_that_the_page_acts_for_anyone(
        api: ApiClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="assistant.api.auth"):
        api(api_keys=KEY, demo=True)
    assert "SHOPCHAT_DEMO is on while SHOPCHAT_API_KEYS is set" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="assistant.api.auth"):
        api(api_keys=KEY)
    assert "SHOPCHAT_DEMO" not in caplog.text
