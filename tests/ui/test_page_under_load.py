"""The page streams each turn's cards before the model stage, and many shoppers at once never
queue behind a slow model: 16 clients of ``/chat_stream`` over a scripted model that takes 5 s
per call (one call at a time, three waiting)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from gradio_client import Client

from assistant.ui.load import PageClient, is_degraded
from assistant.ui.render import reply_item_ids
from retrieval import Searcher
from tests.fakes import ScriptedLLM
from tests.reliability.test_model_gate import reversed_ranking
from tests.ui.conftest import LaunchPage


def streamed_turn(url: str, n: int) -> tuple[float, float, list[str], str]:
    """One shopper's turn through Gradio's HTTP API, as ``shopchat bench ui`` drives it."""
    client = PageClient(url)
    started = time.monotonic()
    first = None
    updates = []
    for update in client.stream("chat_stream", "smartphone", f"load-{n}", ""):
        if first is None and reply_item_ids(update):
            first = time.monotonic() - started
        updates.append(update)
    client.close()
    final = updates[-1]
    assert first is not None and len(updates) >= 2, updates  # the cards, then the answer
    return first, time.monotonic() - started, reply_item_ids(final), final


def test_the_gradio_client_sees_the_same_stream(launch_page: LaunchPage) -> None:
    _, url = launch_page(None)
    job = Client(url, verbose=False).submit("smartphone", "u1", api_name="/chat_stream")
    updates = [str(update) for update in job]
    assert "candidates" in updates[0] and reply_item_ids(updates[0])
    assert reply_item_ids(str(job.outputs()[-1]))


def test_cards_come_first_and_never_wait_for_the_model(launch_page: LaunchPage,
                                                       ui_searcher: Searcher) -> None:
    model = ScriptedLLM([reversed_ranking] * 16, delay_s=5.0)
    _, url = launch_page(model, llm_timeout=8.0, llm_concurrency=1, llm_queue=3)
    with ThreadPoolExecutor(max_workers=16) as pool:
        turns = list(pool.map(lambda n: streamed_turn(url, n), range(16)))
    firsts = sorted(first for first, _, _, _ in turns)
    assert firsts[-1] < 3.0, firsts  # before any model call could end (5 s)
    assert max(final for _, final, _, _ in turns) < 8.0 + 3.0
    for _, _, ids, reply in turns:
        assert ids and all(ui_searcher.table.get(i) is not None for i in ids), reply
    degraded = [reply for _, _, _, reply in turns if is_degraded(reply)]
    assert 16 - 4 <= len(degraded) < 16  # the queue's bound turned the rest away, flagged
