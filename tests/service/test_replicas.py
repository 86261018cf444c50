"""Stateless replicas: two ``shopchat serve`` processes sharing one `chroma run` server and one
PostgreSQL database behave as one (the issue's goal 2).

The replicas talk to a scripted OpenAI-compatible server (``FakeOpenAIServer`` in ``switch``
mode): it answers 500 at once (the turn degrades to retrieval's order, flagged) unless a test
switches it to ``hang``, which keeps a turn in flight while the test SIGKILLs its replica.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.api_load import ApiClient
from assistant.load import leak_script, run_conversation
from assistant.served import Replica, served_replicas
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.product_table import ProductTable
from retrieval.profiles.events import EventStore
from shopchat.database import open_database
from shopchat.records import Catalog
from tests.assistant.llm.fake_openai_server import FakeOpenAIServer
from tests.conftest import indexed, renamed
from tests.postgres import fresh_database

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.timeout(600)]

KEY = "replica-test-key"


@pytest.fixture(scope="module")
def slow_model() -> Iterator[FakeOpenAIServer]:
    """The replicas' model: HTTP 500 at once (``switch`` mode) until a test holds it."""
    with FakeOpenAIServer() as model:
        yield model


@pytest.fixture(scope="module")
def shared_stores(dummy_catalog: Catalog, embedder: SentenceTransformerEmbedder,
                  data_dir: Path, tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest, postgres_url: str
                  ) -> Iterator[dict[str, str]]:
    """A catalog indexed into the `chroma run` server, a PostgreSQL database: the replicas'
    environment."""
    catalog = renamed(dummy_catalog, "replicas")
    settings, searcher = indexed(catalog, "server", embedder, data_dir, tmp_path_factory, request)
    searcher.close()
    with fresh_database(postgres_url) as db_url:
        yield {"SHOPCHAT_HOME": str(settings.home), "SHOPCHAT_DATA_DIR": str(data_dir),
               "SHOPCHAT_CHROMA_URL": str(settings.chroma_url),
               "SHOPCHAT_DATABASE_URL": db_url, "SHOPCHAT_DEFAULT_CATALOG": catalog.name,
               "SHOPCHAT_API_KEYS": KEY, "CATALOG": catalog.name}


@pytest.fixture(scope="module")
def replicas(shared_stores: dict[str, str], slow_model: FakeOpenAIServer
             ) -> Iterator[list[Replica]]:
    env = {**shared_stores, "SHOPCHAT_LLM_BACKEND": "openai",
           "SHOPCHAT_LLM_URL": slow_model.url("switch"), "SHOPCHAT_LLM_TIMEOUT": "30"}
    with served_replicas(shared_stores["CATALOG"], 2, env) as served:
        yield served


def client(replica: Replica) -> httpx.Client:
    return httpx.Client(base_url=replica.url, headers={"Authorization": f"Bearer {KEY}"},
                        timeout=120)


def ask(replica: Replica, user: str, query: str, session: str | None = None
        ) -> dict[str, Any]:
    body = {"user_id": user, "query": query, **({"session_id": session} if session else {})}
    with client(replica) as http:
        reply = http.post("/api/v1/ask", json=body)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


def test_a_conversation_alternating_between_replicas_behaves_as_on_one(
        replicas: list[Replica], shared_stores: dict[str, str]) -> None:
    table = ProductTable.load(Path(shared_stores["SHOPCHAT_HOME"]) / "lexical"
                              / shared_stores["CATALOG"])
    api = ApiClient([r.url for r in replicas], KEY)
    try:
        # every turn checked: its own price cap and brand carried, "more" never repeats
        turns = run_conversation(api.stream, table, 3, leak_script(3, "lipstick", "essence"))
    finally:
        api.close()
    assert [t.problem for t in turns] == [""] * len(turns)
    assert all(t.items for t in turns[:3])


def test_a_dislike_through_one_replica_shows_in_the_others_next_answer(
        replicas: list[Replica]) -> None:
    one, other = replicas
    first = ask(other, "dana", "red lipstick")["items"][0]["id"]
    with client(one) as http:
        reply = http.post("/api/v1/events",
                          json={"user_id": "dana", "item_id": first, "event": "dislike"})
    assert reply.status_code == 200, reply.text
    after = [item["id"] for item in ask(other, "dana", "red lipstick")["items"]]
    assert after and first not in after
    assert ask(other, "someone-else", "red lipstick")["items"][0]["id"] == first


def test_a_replica_killed_mid_turn_the_other_continues_the_conversation(
        replicas: list[Replica], slow_model: FakeOpenAIServer) -> None:
    one, other = replicas
    started = ask(one, "kim", "lipstick under $15")
    session = started["session_id"]
    assert started["constraints"]["price_max"] == 15
    shown = {item["id"] for item in started["items"]}

    slow_model.switch = "hang"  # the next turn waits on the model until its replica dies
    calls = len(slow_model.requests)
    with ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(ask, one, "kim", "only essence", session)
        deadline = time.monotonic() + 60
        while len(slow_model.requests) == calls and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(slow_model.requests) > calls, "the turn never reached the model stage"
        one.kill()
        with pytest.raises(httpx.HTTPError):
            in_flight.result(timeout=60)
    slow_model.switch = "error500"

    more = ask(other, "kim", "more", session)  # the first turn's state, whole
    assert more["session_id"] == session
    assert more["constraints"]["price_max"] == 15
    assert more["items"] and not shown & {item["id"] for item in more["items"]}

    one.start()  # a restart of the killed replica picks the conversation up too
    one.wait_ready(300)
    cheaper = ask(one, "kim", "cheaper", session)
    assert cheaper["session_id"] == session
    assert cheaper["constraints"]["price_max"] < 15


def test_concurrent_event_writers_across_replicas_lose_nothing(
        replicas: list[Replica], shared_stores: dict[str, str]) -> None:
    with client(replicas[0]) as http:
        items = [i["id"] for i in http.post("/api/v1/ask", json={
            "user_id": "writer-probe", "query": "lipstick"}).json()["items"]][:5]
    writers, each = 32, 10

    def write(n: int) -> int:
        ok = 0
        with client(replicas[n % 2]) as http:
            for k in range(each):
                reply = http.post("/api/v1/events", json={
                    "user_id": f"writer-{n}", "item_id": items[k % len(items)],
                    "event": ("click", "like", "cart")[k % 3]})
                ok += reply.status_code == 200
        return ok

    with ThreadPoolExecutor(writers) as pool:
        accepted = sum(pool.map(write, range(writers)))
    assert accepted == writers * each
    store = EventStore(open_database(shared_stores["SHOPCHAT_DATABASE_URL"], Path("unused")),
                       shared_stores["CATALOG"])
    try:  # counted in the shared database, whichever replica wrote them
        counts = [store.count(f"writer-{n}") for n in range(writers)]
    finally:
        store.close()
    assert counts == [each] * writers
