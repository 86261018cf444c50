"""Multi-turn conversations over the real dummyjson index; hard constraints hold every turn."""

from __future__ import annotations

import json
from typing import Any

from assistant import Answer, AnswerEvent, CandidatesEvent, ReasonsEvent
from assistant.llm.base import LLMUnavailable, Message
from retrieval.types import Filters
from tests.fakes import ScriptedLLM


def reverse_ranker(messages: list[Message], schema: dict[str, Any] | None) -> str:
    """A deterministic 'model': ranks the window backwards, reasons cite the title."""
    lines = json.loads(messages[-1]["content"])["products"]  # "P1: title (brand, price) ..."
    pairs = [line.split(": ", 1) for line in lines]
    ranking = [{"id": alias, "reason": f"{rest.split(' (')[0]} fits"} for alias, rest in pairs]
    return json.dumps({"ranking": ranking[::-1]})


def satisfies(answer: Answer, assistant: Any, filters: Filters) -> bool:
    table = assistant.searcher.table
    return all(filters.accepts(table.get(i.id)) for i in answer.items)


def test_refinements_keep_every_constraint(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(ScriptedLLM([reverse_ranker] * 10))
    first = bot.ask("u1", "smartphone under $1000")
    sid = first.session_id
    assert first.items and first.constraints == {"price_max": 1000.0, "categories": ["smartphones"]}
    assert all(i.price is not None and i.price <= 1000 for i in first.items)

    cheaper = bot.ask("u1", "cheaper", sid)
    assert cheaper.intent == "refine"
    assert cheaper.constraints["price_max"] < 1000
    assert all(
        i.price is not None and i.price <= cheaper.constraints["price_max"] for i in cheaper.items
    )

    not_apple = bot.ask("u1", "not Apple", sid)
    assert not_apple.constraints["exclude_brands"] == ["apple"]
    assert not_apple.items and all(i.brand.lower() != "apple" for i in not_apple.items)
    assert all(
        i.price is not None and i.price <= cheaper.constraints["price_max"] for i in not_apple.items
    )

    only = bot.ask("u1", "only Realme", sid)
    assert {i.brand for i in only.items} == {"Realme"}
    assert only.constraints["brands"] == ["realme"]
    for answer in (first, cheaper, not_apple, only):
        assert not answer.degraded
        assert all(i.reason for i in answer.items)


def test_more_with_nothing_shown_asks_what_to_look_for(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(None, answer_items=5)
    fresh = bot.ask("u9", "more")  # a new (or expired) conversation: not a search for "more"
    assert fresh.intent == "empty" and fresh.items == []
    assert fresh.message.startswith("There is nothing to show more of yet")
    chinese = bot.ask("u9", "再来一些")
    assert chinese.intent == "empty" and chinese.message.startswith("还没有可以继续看的商品")


def test_more_pages_without_repeats_then_start_over(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(None, answer_items=5)
    first = bot.ask("u2", "kitchen")
    second = bot.ask("u2", "more", first.session_id)
    third = bot.ask("u2", "show me more", first.session_id)
    assert second.intent == third.intent == "more"
    pages = [{i.id for i in a.items} for a in (first, second, third)]
    assert all(len(p) == 5 for p in pages)
    assert not (pages[0] & pages[1]) and not (pages[1] & pages[2]) and not (pages[0] & pages[2])
    reset = bot.ask("u2", "start over", first.session_id)
    assert reset.intent == "reset" and reset.items == [] and reset.constraints == {}
    again = bot.ask("u2", "kitchen", first.session_id)
    assert {i.id for i in again.items} == pages[0]


def test_questions_about_shown_items_are_answered_from_item_data(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(None)
    shown = bot.ask("u3", "womens watch")
    sid = shown.session_id
    why = bot.ask("u3", "why the second one?", sid)
    assert why.intent == "why" and [i.id for i in why.items] == [shown.items[1].id]
    assert shown.items[1].title in why.message

    cmp_ = bot.ask("u3", "compare 1 and 3", sid)
    assert cmp_.intent == "compare" and [i.id for i in cmp_.items] == [
        shown.items[0].id,
        shown.items[2].id,
    ]
    assert "| price |" in cmp_.message

    cheapest = bot.ask("u3", "what is the cheapest of these?", sid)
    expected = min(shown.items, key=lambda i: i.price or 0)
    assert cheapest.intent == "cheapest" and cheapest.items[0].id == expected.id
    bad = bot.ask("u3", "why number 40?", sid)
    assert "there is no #40" in bad.message


def test_stream_gives_candidates_then_reasons_then_answer(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(ScriptedLLM([reverse_ranker]))
    events = list(bot.ask_stream("u4", "laptop"))
    assert [type(e) for e in events] == [CandidatesEvent, ReasonsEvent, AnswerEvent]
    assert all(not i.reason for i in events[0].items)  # type: ignore[union-attr]
    assert all(i.reason for i in events[1].items)  # type: ignore[union-attr]
    answer = events[2].answer  # type: ignore[union-attr]
    assert {"first_candidates", "retrieve", "rerank", "total"} <= answer.timings_ms.keys()


def test_llm_down_degrades_but_answers(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(ScriptedLLM([LLMUnavailable("connection refused")]))
    answer = bot.ask("u5", "sunglasses under $50")
    assert answer.degraded and "llm_unavailable" in (answer.degraded_reason or "")
    assert answer.items and all(i.reason for i in answer.items)
    assert "language model was not usable" in answer.message
    table = bot.searcher.table
    assert all(table.get(i.id) is not None for i in answer.items)


def test_sessions_are_per_user(make_assistant) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from assistant.session import SessionError

    bot = make_assistant(None)
    mine = bot.ask("alice", "lipstick under $20")
    with pytest.raises(SessionError):
        bot.ask("bob", "cheaper", mine.session_id)
    theirs = bot.ask("bob", "cheaper")
    assert theirs.session_id != mine.session_id and theirs.intent == "search"


def test_empty_and_oversized_messages_get_a_clear_reply(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(None, max_query_chars=50)
    assert bot.ask("u6", "   ").intent == "empty"
    long = bot.ask("u6", "x" * 51)
    assert long.intent == "too_long" and "limit is 50" in long.message


def test_forget_says_how_many_conversations_went_without_personalisation(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(None)  # no personaliser: only conversations to forget
    first = bot.ask("gone", "red lipstick")
    bot.ask("gone", "perfume")
    report = bot.forget("gone")
    assert (report.conversations, report.events, report.profile) == (2, 0, False)
    again = bot.ask("gone", "cheaper", first.session_id)
    assert again.session_status == "unknown" and "price_max" not in again.constraints
