"""Evaluation systems that run the assistant itself (the same ``Assistant.ask`` users call).

``default``: what ``ask()`` returns a new anonymous shopper with no LLM configured: the
product's default search (query parsing, hybrid retrieval, the shipped ranker), first 100 items.
``hybrid+llm``: the product's order (LLM ranks fused with retrieval ranks).
``hybrid+llm-only``: the model's order alone, to measure what the fusion guard is worth.
Both rerank the top ``rerank_top_n`` candidates and keep the hybrid order after them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from assistant import Assistant
from assistant.llm import get_llm
from eval.search_eval import Searcher, SystemFn, register_system
from retrieval import Searcher as RetrievalSearcher
from shopchat.settings import Settings

log = logging.getLogger(__name__)


def _system(settings: Settings, retrieval_weight: float) -> SystemFn:
    llm = get_llm(settings)
    bots: dict[int, Assistant] = {}
    degraded: list[str] = []

    def run(searcher: Searcher, query: str, k: int) -> Sequence[str]:
        if not isinstance(searcher, RetrievalSearcher):
            raise TypeError("LLM systems need the real retrieval.Searcher")
        bot = bots.get(id(searcher))
        if bot is None:
            wide = settings.model_copy(update={"answer_items": settings.rerank_top_n})
            bot = bots[id(searcher)] = Assistant(searcher, llm, wide)
            bot.rerank_config = dataclasses.replace(
                bot.rerank_config, retrieval_weight=retrieval_weight
            )
        answer = bot.ask("eval", query)
        if answer.degraded:
            degraded.append(query)
            log.warning(
                "degraded on %r (%d so far): %s", query, len(degraded), answer.degraded_reason
            )
        head = [item.id for item in answer.items]
        tail = [i for i in searcher.search(query, k=k).ids if i not in set(head)]
        return (head + tail)[:k]

    return run


DEFAULT_DEPTH = 100  # items the ``default`` system asks the assistant for


def _default_system(settings: Settings) -> SystemFn:
    wide = settings.model_copy(update={
        "llm_backend": "none", "answer_items": DEFAULT_DEPTH, "rerank_top_n": DEFAULT_DEPTH,
    })
    bots: dict[int, Assistant] = {}

    def run(searcher: Searcher, query: str, k: int) -> Sequence[str]:
        if not isinstance(searcher, RetrievalSearcher):
            raise TypeError("the default system needs the real retrieval.Searcher")
        bot = bots.get(id(searcher))
        if bot is None:
            bot = bots[id(searcher)] = Assistant(searcher, None, wide)
        ids = [item.id for item in bot.ask("eval", query).items]
        if k > len(ids):
            ids += [i for i in searcher.search(query, k=k).ids if i not in set(ids)]
        return ids[:k]

    return run


def register_default_system(settings: Settings) -> None:
    register_system("default", _default_system(settings), replace=True, learned=True)


def register_assistant_systems(settings: Settings) -> None:
    register_system("hybrid+llm", _system(settings, retrieval_weight=1.0), replace=True)
    register_system("hybrid+llm-only", _system(settings, retrieval_weight=0.0), replace=True)
