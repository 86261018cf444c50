"""The page's example chips get real answers: each search example's top item is of the kind it
names, in one conversation as a shopper clicking them in order would have it. dummyjson's run
on the test index; icecat's only where its index is built (slow)."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.ui.examples import Example, examples_for
from retrieval import Searcher
from shopchat.settings import Settings, get_settings


def check_examples(bot: Assistant, examples: tuple[Example, ...], catalog: str) -> None:
    session = None
    for example in examples:
        answer = bot.ask("examples", example.text, session_id=session)
        session = answer.session_id
        assert answer.message.strip(), example
        if example.kind:
            assert answer.items, f"{catalog}: {example.text!r} found nothing"
            top = answer.items[0]
            product = bot.searcher.table.get(top.id)
            words = f"{top.title} {product.category if product else ''}".lower()
            assert example.kind in words, f"{catalog}: {example.text!r} -> {top.title!r}"
        assert "id:" not in answer.message


def test_dummyjson_examples_answer(ui_searcher: Searcher, tmp_path: object) -> None:
    settings = Settings(home=tmp_path)  # type: ignore[arg-type]
    check_examples(Assistant(ui_searcher, None, settings), examples_for("dummyjson"),
                   "dummyjson")


@pytest.mark.slow
def test_icecat_examples_answer() -> None:
    from assistant.ui.shop import indexed_catalogs

    settings = get_settings()
    if "icecat" not in indexed_catalogs(settings):
        pytest.skip("no icecat index (shopchat index --catalog icecat)")
    # retrieval-only answers, and no events written into the shopper histories there
    quiet = settings.model_copy(update={"llm_backend": "none", "personalise": False})
    check_examples(Assistant.open("icecat", quiet), examples_for("icecat"), "icecat")
