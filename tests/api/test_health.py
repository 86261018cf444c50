"""``/healthz`` and ``/readyz``: ready when Chroma, the database and the model answer; 503 naming
the component that does not, and why."""

from __future__ import annotations

import pytest

from assistant.llm.local import LocalLLM
from assistant.llm.openai_backend import OpenAILLM
from retrieval import Searcher
from shopchat.database import DatabaseUnavailable
from shopchat.errors import StoreError
from shopchat.net import free_port
from shopchat.settings import Settings
from tests.api.conftest import KEY, ApiClient, bearer


def test_ready_when_every_component_answers(api: ApiClient) -> None:
    client = api(LocalLLM())  # the packaged SmolLM2: its file is there (not loaded here)
    assert client.get("/healthz").json() == {"status": "ok"}
    reply = client.get("/readyz")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["status"] == "ready" and body["failing"] == []
    assert set(body["components"]) == {"chroma", "database", "llm"}
    assert "194 products" in body["components"]["chroma"]["detail"]
    assert "events answered" in body["components"]["database"]["detail"]
    assert "SmolLM2" in body["components"]["llm"]["detail"]


def test_not_ready_when_the_database_is_down(api: ApiClient,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    client = api()
    bot = client.app.state.shop.assistant()  # type: ignore[attr-defined]

    def down() -> None:
        raise DatabaseUnavailable("connection refused by 127.0.0.1:5432")

    assert bot.personaliser is not None
    monkeypatch.setattr(bot.personaliser.events, "ping", down)
    reply = client.get("/readyz")
    assert reply.status_code == 503
    body = reply.json()
    assert body["failing"] == ["database"] and body["status"] == "unavailable"
    assert "connection refused by 127.0.0.1:5432" in body["components"]["database"]["detail"]
    assert body["components"]["chroma"]["ok"] and body["components"]["llm"]["ok"]
    assert client.get("/healthz").status_code == 200  # the process itself is fine


def test_not_ready_when_chroma_or_the_model_is_unreachable(
        api: ApiClient, dummy_index: tuple[Settings, Searcher],
        monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    client = api(OpenAILLM(nowhere))
    reply = client.get("/readyz")
    assert reply.status_code == 503 and reply.json()["failing"] == ["llm"]
    assert f"{nowhere}/models" in reply.json()["components"]["llm"]["detail"]
    # the model being down never fails an answer: the assistant degrades
    answer = client.post("/api/v1/ask", json={"user_id": "u", "message": "red lipstick"})
    assert answer.status_code == 200 and answer.json()["degraded"] and answer.json()["items"]

    def unreachable() -> int:
        raise StoreError("cannot reach the ChromaDB server at http://10.0.0.9:8000")

    monkeypatch.setattr(dummy_index[1].collection, "count", unreachable)
    body = client.get("/readyz").json()
    assert body["failing"] == ["chroma", "llm"]
    assert "10.0.0.9:8000" in body["components"]["chroma"]["detail"]


def test_a_store_error_during_a_request_is_a_503(api: ApiClient,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    client = api()
    bot = client.app.state.shop.assistant()  # type: ignore[attr-defined]

    def record(*args: object, **kwargs: object) -> None:
        raise DatabaseUnavailable("the events database is not answering: timeout after 5s")

    monkeypatch.setattr(bot, "record", record)
    reply = client.post("/api/v1/events", json={"user_id": "u", "item_id": "4", "event": "like"})
    assert reply.status_code == 503
    assert reply.json() == {"error": "the events database is not answering: timeout after 5s"}


def test_without_a_key_readiness_tells_only_ok_or_failed(api: ApiClient,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    client = api(api_keys=KEY)
    bot = client.app.state.shop.assistant()  # type: ignore[attr-defined]

    def down() -> None:
        raise DatabaseUnavailable("postgresql://shopchat:s3cret-pw@db.internal:5432/shopchat "
                                  "refused the connection")

    assert bot.personaliser is not None
    monkeypatch.setattr(bot.personaliser.events, "ping", down)
    for headers in ({}, bearer("a-wrong-key-of-some-length")):  # probes: never a 401
        reply = client.get("/readyz", headers=headers)
        assert reply.status_code == 503
        body = reply.json()
        assert body["failing"] == ["database"]
        assert body["components"]["database"] == {"ok": False, "detail": "failed",
                                                  "reason": "DatabaseUnavailable"}
        assert body["components"]["chroma"] == {"ok": True, "detail": "ok"}
        assert "db.internal" not in reply.text and "products" not in reply.text
    full = client.get("/readyz", headers=bearer(KEY)).json()["components"]
    assert "194 products" in full["chroma"]["detail"]
    detail = full["database"]["detail"]
    assert "db.internal:5432" in detail and "shopchat:***@" in detail
    assert "s3cret-pw" not in detail
