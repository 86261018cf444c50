"""``shopchat bench api``: the leak-checked conversations of ``bench load`` through the HTTP API
(``POST /api/v1/ask``) of one or several replicas, beside the same conversations through
``Assistant.ask`` in this process (the baseline, same run).

With several replicas a conversation's turns go round them (turn 1 to replica 1, turn 2 to
replica 2, ...): every answer is checked as in ``bench load``, so state that did not carry from
one replica to the next (constraints, shown items for "more") shows up as an invalid answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from assistant.answer import Answer, AnswerEvent, Event
from assistant.load import leak_script, run_conversation, script_words
from assistant.ui.load import LoadRun, run_concurrent
from retrieval.product_table import ProductTable

ASK_PATH = "/api/v1/ask"


class ApiClient:
    """Calls to the replicas' HTTP API; one keep-alive connection pool per replica."""

    def __init__(self, urls: Sequence[str], key: str | None = None,
                 timeout_s: float = 300.0) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
        self.clients = [httpx.Client(base_url=url, headers=headers, timeout=timeout_s,
                                     limits=limits) for url in urls]

    def ask(self, replica: int, user_id: str, query: str, session_id: str | None = None
            ) -> Answer:
        body: dict[str, Any] = {"user_id": user_id, "query": query}
        if session_id is not None:
            body["session_id"] = session_id
        reply = self.clients[replica % len(self.clients)].post(ASK_PATH, json=body)
        if reply.status_code != 200:
            raise RuntimeError(f"{ASK_PATH} answered {reply.status_code}: {reply.text[:300]}")
        return Answer.model_validate(reply.json())

    def stream(self, user: str, message: str, session: str | None, turn: int
               ) -> Iterable[Event]:
        """``assistant.load.TurnStream`` over HTTP: turn ``k`` goes to replica ``k``."""
        return [AnswerEvent(answer=self.ask(turn, user, message, session))]

    def close(self) -> None:
        for client in self.clients:
            client.close()


def run_api_load(urls: Sequence[str], catalog: str, table: ProductTable, conversations: int,
                 turns: int, key: str | None = None, concurrent: bool = True,
                 progress: bool = True) -> LoadRun:
    word, brand = script_words(catalog)
    client = ApiClient(urls, key)
    what = f"HTTP API, {len(urls)} replica{'s' if len(urls) > 1 else ''}"
    try:
        return run_concurrent(
            what, conversations, turns,
            lambda n: run_conversation(client.stream, table, n,
                                       leak_script(n, word, brand)[:turns]),
            concurrent, progress)
    finally:
        client.close()
