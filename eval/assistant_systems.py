"""Evaluation systems that run the assistant itself (the same ``Assistant.ask`` users call).

``default``: what ``ask()`` returns a new anonymous shopper with no LLM configured: the
product's default search (query parsing, hybrid retrieval, the shipped ranker), first 100 items.
``hybrid+llm``: the product's order (LLM ranks fused with retrieval ranks).
``hybrid+llm-only``: the model's order alone, to measure what the fusion guard is worth.
Both rerank the top ``rerank_top_n`` candidates and keep the hybrid order after them.

An assistant needs the real ``retrieval.Searcher``, so it is given when the systems are
registered; each system runs the assistant over it with the ranker of the searcher evaluation
hands it (under ``--cv``, each fold's model), so nothing is changed on a live object.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence

from assistant import Assistant
from assistant.llm import get_llm
from assistant.service import default_rerank_config
from eval.search_eval import Searcher, SystemFn, register_system
from retrieval import Searcher as RetrievalSearcher
from shopchat.settings import Settings

log = logging.getLogger(__name__)


def _assistants(
    searcher: RetrievalSearcher, build: Callable[[RetrievalSearcher], Assistant]
) -> Callable[[Searcher], Assistant]:
    """One assistant per ranker it is asked for, each over ``searcher`` with that ranker."""
    bots: dict[int, Assistant] = {}

    def bot_for(ranked: Searcher) -> Assistant:
        bot = bots.get(id(ranked.ranker))  # the bot's searcher keeps the ranker (and its id)
        if bot is None:
            bot = bots[id(ranked.ranker)] = build(searcher.with_ranker(ranked.ranker))
        return bot

    return bot_for


def _system(settings: Settings, searcher: RetrievalSearcher, retrieval_weight: float) -> SystemFn:
    llm = get_llm(settings)
    wide = settings.model_copy(update={"answer_items": settings.rerank_top_n})
    config = dataclasses.replace(
        default_rerank_config(wide, llm), retrieval_weight=retrieval_weight
    )
    bot_for = _assistants(searcher, lambda s: Assistant(s, llm, wide, rerank_config=config))
    degraded: list[str] = []

    def run(ranked: Searcher, query: str, k: int) -> Sequence[str]:
        answer = bot_for(ranked).ask("eval", query)
        if answer.degraded:
            degraded.append(query)
            log.warning(
                "degraded on %r (%d so far): %s", query, len(degraded), answer.degraded_reason
            )
        head = [item.id for item in answer.items]
        tail = [i for i in ranked.search(query, k=k).ids if i not in set(head)]
        return (head + tail)[:k]

    return run


DEFAULT_DEPTH = 100  # items the ``default`` system asks the assistant for


def _default_system(settings: Settings, searcher: RetrievalSearcher) -> SystemFn:
    wide = settings.model_copy(update={
        "llm_backend": "none", "answer_items": DEFAULT_DEPTH, "rerank_top_n": DEFAULT_DEPTH,
    })
    bot_for = _assistants(searcher, lambda s: Assistant(s, None, wide))

    def run(ranked: Searcher, query: str, k: int) -> Sequence[str]:
        ids = [item.id for item in bot_for(ranked).ask("eval", query).items]
        if k > len(ids):
            ids += [i for i in ranked.search(query, k=k).ids if i not in set(ids)]
        return ids[:k]

    return run


def register_default_system(settings: Settings, searcher: RetrievalSearcher) -> None:
    """``default``: the assistant over ``searcher`` (the searcher being evaluated)."""
    register_system("default", _default_system(settings, searcher), replace=True, learned=True)


def register_assistant_systems(settings: Settings, searcher: RetrievalSearcher) -> None:
    """``hybrid+llm`` and ``hybrid+llm-only``: the assistant over ``searcher`` with an LLM."""
    register_system("hybrid+llm", _system(settings, searcher, retrieval_weight=1.0),
                    replace=True)
    register_system("hybrid+llm-only", _system(settings, searcher, retrieval_weight=0.0),
                    replace=True)
