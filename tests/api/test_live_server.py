"""The server as ``shopchat serve`` runs it (uvicorn on loopback): the API over real HTTP beside
the page, and the page's Gradio API endpoints refusing callers without a key."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.api.app import RunningServer, start_server
from assistant.api.tokens import sign_token
from assistant.ui.load import PageClient
from assistant.ui.render import reply_item_ids
from tests.api.conftest import KEY, SECRET, MakeShop, bearer


@pytest.fixture
def server(make_shop: MakeShop) -> Iterator[RunningServer]:
    running = start_server(make_shop(api_keys=KEY, token_secret=SECRET, ui_max_upload="2mb"))
    yield running
    running.close()


def test_api_and_page_in_one_server(server: RunningServer) -> None:
    url = server.local_url.rstrip("/")
    with httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/readyz").status_code == 200
        reply = http.post("/api/v1/ask", json={"user_id": "u1", "message": "red lipstick"},
                          headers=bearer(KEY))
        assert reply.status_code == 200 and reply.json()["items"]
        assert http.post("/api/v1/ask", json={"user_id": "u1", "message": "x"}).status_code \
            == 401
        names = []
        with http.stream("POST", "/api/v1/ask/stream", headers=bearer(KEY),
                         json={"user_id": "u1", "message": "red lipstick"}) as stream:
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    names.append(line.removeprefix("event: "))
                elif line.startswith("data: "):
                    json.loads(line.removeprefix("data: "))
        assert names == ["candidates", "reasons", "answer"]
        # the page, with its styling and limits, at /
        assert "<html" in http.get("/").text
        config = http.get("/config").json()
        assert "#shopchat-title" in config["css"] and "shopchat-chat" in config["head"]
        assert config["max_file_size"] == 2 * 1024 * 1024
        docs = http.get("/docs")  # Swagger UI from this server, not a CDN: works offline
        assert docs.status_code == 200 and "cdn." not in docs.text
        script = docs.text.split('<script src="', 1)[1].split('"', 1)[0]
        assert script.startswith("/") and http.get(script).status_code == 200


def test_the_pages_api_endpoints_need_a_key(server: RunningServer) -> None:
    url = server.local_url
    with pytest.raises(AppError, match="missing API key"):
        Client(url, verbose=False).predict("red lipstick", "liker", api_name="/chat")
    with pytest.raises(AppError, match="invalid API key"):
        Client(url, verbose=False, headers=bearer("wrong")).predict(
            "red lipstick", "liker", api_name="/chat")
    with pytest.raises(AppError, match="missing API key"):
        Client(url, verbose=False).predict("4", "like", "liker", api_name="/feedback")
    with pytest.raises(RuntimeError, match="missing API key"):
        list(PageClient(url, key="").stream("chat_stream", "red lipstick", "liker", ""))

    keyed = Client(url, verbose=False, headers=bearer(KEY))
    reply = str(keyed.predict("red lipstick", "liker", api_name="/chat"))
    assert reply_item_ids(reply)
    keyed.predict(reply_item_ids(reply)[0], "like", "liker", api_name="/feedback")
    updates = list(PageClient(url, key=KEY).stream("chat_stream", "red lipstick", "liker", ""))
    assert updates and reply_item_ids(updates[-1])

    # a shopper token acts as its own user (the default "guest" means them), nobody else
    token = sign_token("token-user", 600, SECRET)
    as_shopper = Client(url, verbose=False, headers=bearer(token))
    liked = reply_item_ids(str(as_shopper.predict("red lipstick", api_name="/chat")))[1]
    assert "token-user" in str(as_shopper.predict(liked, "like", api_name="/feedback"))
    with pytest.raises(AppError, match="acts only as 'token-user'"):
        as_shopper.predict(liked, "like", "liker", api_name="/feedback")
    shop = server.app.state.shop
    assert [e.item_id for e in shop.history(shop.default, "token-user")] == [liked]
