"""The assistant with profiles: history in the rerank prompt, "recommend for me", record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.llm.base import Message
from retrieval.profiles import Personaliser, ProfileStore
from shopchat.settings import Settings
from tests.fakes import ScriptedLLM


def echo_ranker(messages: list[Message], schema: dict[str, Any] | None) -> str:
    """Keeps retrieval order; every reason quotes the item's own title."""
    lines = json.loads(messages[-1]["content"])["products"]  # "P1: title (brand, price) ..."
    pairs = [line.split(": ", 1) for line in lines]
    return json.dumps({"ranking": [{"id": alias, "reason": f"{rest.split(' (')[0]} suits you"}
                                   for alias, rest in pairs]})


def bot_for(personaliser: Personaliser, llm: ScriptedLLM | None, tmp_path: Path) -> Assistant:
    settings = Settings(home=tmp_path, llm_timeout=5.0)
    return Assistant(personaliser.searcher, llm, settings, personaliser=personaliser)


def user_payload(llm: ScriptedLLM, call: int = -1) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(llm.calls[call].messages[-1]["content"])
    return payload


def test_history_reaches_the_rerank_prompt(personaliser: Personaliser, tmp_path: Path) -> None:
    llm = ScriptedLLM([echo_ranker] * 4)
    bot = bot_for(personaliser, llm, tmp_path)
    bot.ask("newcomer", "perfume")
    assert "shopper_history" not in user_payload(llm)

    chanel = next(p for p in personaliser.searcher.table.products if p.title.startswith("Chanel"))
    bot.record("fan", chanel.id, "purchase")
    answer = bot.ask("fan", "perfume")
    history = user_payload(llm)["shopper_history"]
    assert history.startswith("bought: Chanel Coco Noir") and "Chanel" in history
    assert "often chooses brands: chanel" in history
    assert answer.items[0].id == chanel.id  # the repeat purchase comes first


def test_dislike_removes_the_item_for_that_user_only(
    personaliser: Personaliser, tmp_path: Path
) -> None:
    bot = bot_for(personaliser, None, tmp_path)
    first = bot.ask("dan", "red lipstick").items[0].id
    bot.record("dan", first, "dislike")
    assert first not in [i.id for i in bot.ask("dan", "red lipstick").items]
    assert bot.ask("someone-else", "red lipstick").items[0].id == first


def test_empty_message_recommends_for_known_users(
    personaliser: Personaliser, tmp_path: Path
) -> None:
    llm = ScriptedLLM([echo_ranker])
    bot = bot_for(personaliser, llm, tmp_path)
    assert bot.ask("unknown", "   ").intent == "empty"
    mascara = next(p for p in personaliser.searcher.table.products if "Mascara" in p.title)
    bot.record("mia", mascara.id, "like")
    answer = bot.ask("mia", "")
    assert answer.intent == "recommend" and answer.items and not answer.degraded
    assert answer.items[0].id == mascara.id
    assert "liked: Essence Mascara" in user_payload(llm)["shopper_history"]
    assert answer.message.startswith("Picked for you from your history")

    offline = bot_for(personaliser, None, tmp_path).ask("mia", "")
    assert offline.items[0].reason.startswith("You liked this on")
    assert all(i.reason for i in offline.items)


def test_forget_through_the_assistant(
    personaliser: Personaliser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = bot_for(personaliser, None, tmp_path)
    item = personaliser.searcher.table.products[0].id
    bot.record("zed", item, "like")
    bot.ask("zed", "lipstick")
    report = bot.forget("zed")
    assert report is not None and (report.events, report.profile) == (1, True)
    assert len(bot.sessions) == 0
    assert bot.ask("zed", "").intent == "empty"


def test_a_turn_reads_only_the_asking_users_profile(
    personaliser: Personaliser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = bot_for(personaliser, ScriptedLLM([echo_ranker] * 3), tmp_path)
    items = [p.id for p in personaliser.searcher.table.products[:2]]
    bot.record("alice", items[0], "like")
    bot.record("bob", items[1], "like")
    personaliser.flush()
    reads: list[str] = []
    original = ProfileStore.read

    def spy(self: ProfileStore, user_id: str):  # type: ignore[no-untyped-def]
        reads.append(user_id)
        return original(self, user_id)

    monkeypatch.setattr(ProfileStore, "read", spy)
    answer = bot.ask("bob", "lipstick")
    bot.ask("bob", "cheaper", answer.session_id)
    bot.ask("bob", "")
    assert reads and set(reads) == {"bob"}
