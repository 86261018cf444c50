"""The chat page end to end through ``gradio_client``: a launched app, the real assistant."""

from __future__ import annotations

import re

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.llm import get_llm
from assistant.ui.render import reply_item_ids
from retrieval import Searcher
from shopchat.net import free_port
from shopchat.settings import Settings
from tests.ui.conftest import LaunchPage


def ask(client: Client, message: str, user: str = "shopper-1") -> tuple[str, list[str]]:
    reply = str(client.predict(message, user, api_name="/chat"))
    return reply, reply_item_ids(reply)


def prices(searcher: Searcher, ids: list[str]) -> list[float]:
    return [float(p.price) for i in ids if (p := searcher.table.get(i)) and p.price is not None]


def brands(searcher: Searcher, ids: list[str]) -> set[str]:
    return {p.brand.lower() for i in ids if (p := searcher.table.get(i))}


def test_multi_turn_conversation_keeps_its_constraints(
    launch_page: LaunchPage, ui_searcher: Searcher
) -> None:
    """The embedded SmolLM2 model reranks; every turn's items satisfy every active filter."""
    _, url = launch_page(get_llm(Settings(llm_backend="local")), llm_timeout=30.0)
    client = Client(url, verbose=False)

    reply, first = ask(client, "smartphone under 500")
    assert first and all(p <= 500 for p in prices(ui_searcher, first)), reply
    assert all(ui_searcher.table.get(i) is not None for i in first)

    reply, vivo = ask(client, "only Vivo")
    assert vivo and brands(ui_searcher, vivo) == {"vivo"}, reply
    assert all(p <= 500 for p in prices(ui_searcher, vivo))

    reply, cheaper = ask(client, "cheaper")
    assert brands(ui_searcher, cheaper) <= {"vivo"}
    assert max(prices(ui_searcher, cheaper), default=0) < max(prices(ui_searcher, vivo)), reply

    reply, _ = ask(client, "start over")
    assert "Starting over" in reply
    reply, fresh = ask(client, "iphone")
    assert "Apple" in reply and max(prices(ui_searcher, fresh)) > 500  # filters were dropped


def test_followups_about_shown_items(launch_page: LaunchPage, ui_searcher: Searcher) -> None:
    _, url = launch_page(None)
    client = Client(url, verbose=False)
    _, shown = ask(client, "smartphone")
    second = ui_searcher.table.get(shown[1])
    assert second is not None
    reply, ids = ask(client, "why the second one?")
    assert second.title in reply and ids == [second.id]
    reply, ids = ask(client, "what is the cheapest of these?")
    cheapest = min(prices(ui_searcher, shown))
    assert prices(ui_searcher, ids) == [cheapest], reply


def test_a_dislike_and_a_like_change_the_next_answer(launch_page: LaunchPage) -> None:
    shop, url = launch_page(None)
    client = Client(url, verbose=False)
    _, before = ask(client, "red lipstick", "liker")
    client.predict(before[0], "dislike", "liker", api_name="/feedback")
    ask(client, "start over", "liker")
    _, after = ask(client, "red lipstick", "liker")
    assert before[0] not in after

    client.predict(before[4], "like", "liker", api_name="/feedback")
    ask(client, "start over", "liker")
    _, liked = ask(client, "red lipstick", "liker")
    assert liked.index(before[4]) < after.index(before[4])

    # the page's shopper selector and history panel see the recorded events, newest first
    assert shop.shoppers(shop.default)[:2] == ["guest", "liker"]
    history = shop.history(shop.default, "liker")
    assert [(e.item_id, e.event.value) for e in history] == [(before[4], "like"),
                                                             (before[0], "dislike")]

    other = Client(url, verbose=False)  # another shopper is not affected
    assert ask(other, "red lipstick", "someone-else")[1] == before


def test_degraded_answer_when_the_llm_is_down(launch_page: LaunchPage,
                                              ui_searcher: Searcher) -> None:
    port = free_port()  # nothing listens there
    down = Settings(llm_backend="openai", llm_url=f"http://127.0.0.1:{port}/v1", llm_timeout=3.0)
    _, url = launch_page(get_llm(down), llm_timeout=3.0)
    reply, ids = ask(Client(url, verbose=False), "wireless mouse")
    assert "language model was not usable" in reply
    assert ids and all(ui_searcher.table.get(i) is not None for i in ids)


def test_conversations_are_private_to_each_client(launch_page: LaunchPage,
                                                  ui_searcher: Searcher) -> None:
    _, url = launch_page(None)
    alice, bob = Client(url, verbose=False), Client(url, verbose=False)
    ask(alice, "smartphone under 300", "same-user")
    reply, ids = ask(bob, "cheaper", "same-user")  # no conversation to refine for bob
    assert not re.search(r"\$300(?![.,\d])", reply)  # alice's "under $300" (prices: $300.00)
    reply, ids = ask(alice, "only Apple", "same-user")
    assert brands(ui_searcher, ids) == {"apple"} and max(prices(ui_searcher, ids)) <= 300


def test_catalog_text_reaches_the_reply_escaped(launch_page: LaunchPage) -> None:
    _, url = launch_page(None)
    reply, ids = ask(Client(url, verbose=False), "evil wireless mouse")
    assert "evil-script" in ids
    assert "<script>" not in reply and r"\<script\>window" in reply
    assert "<b>" not in reply and "](javascript" not in reply


@pytest.mark.parametrize(("user", "expected"), [
    ("../etc/passwd", "path separators"),
    ("x" * 500, "at most 128"),
])
def test_bad_user_ids_get_a_clear_error(launch_page: LaunchPage, user: str,
                                        expected: str) -> None:
    _, url = launch_page(None)
    with pytest.raises(AppError, match=expected):
        ask(Client(url, verbose=False), "mouse", user)


def test_feedback_on_an_unknown_item_is_refused(launch_page: LaunchPage) -> None:
    _, url = launch_page(None)
    with pytest.raises(AppError, match="unknown item"):
        Client(url, verbose=False).predict("no-such-id", "like", "u1", api_name="/feedback")
