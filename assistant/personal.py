"""Personalised turns: search through the shopper's profile, and "recommend for me".

The assistant reaches profiles only through ``retrieval.profiles.Personaliser`` and only for
the user of the current session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from assistant.answer import Answer, AnswerEvent, AnswerItem, CandidatesEvent, Event, ReasonsEvent
from assistant.markdown import md_escape
from assistant.messages import degraded_note
from assistant.rerank import rerank
from retrieval.profiles import Personaliser, Profile
from retrieval.searcher import Searcher
from retrieval.types import Filters, ParsedQuery, SearchResult
from shopchat.records import EventKind, Product
from shopchat.timing import elapsed_ms

if TYPE_CHECKING:
    from assistant.service import Assistant
    from assistant.session import Session

RECOMMEND_REQUEST = "suggest products this shopper is likely to want next, given their history"


def search_for(searcher: Searcher, personaliser: Personaliser | None, profile: Profile | None,
               query: ParsedQuery, k: int) -> SearchResult:
    """The query's results reordered by ``profile``; the plain search without one."""
    if personaliser is None or profile is None:
        return searcher.search(query, k=k)
    result = searcher.search(query, k=max(k, personaliser.config.pool))
    return personaliser.rescore(profile, result, k)


def history_for(personaliser: Personaliser | None, profile: Profile | None) -> str:
    return personaliser.summary(profile) if personaliser and profile else ""


def history_reason(profile: Profile, product: Product) -> str:
    """A reason from the shopper's own history (used when the model gave none)."""
    mine = [e for e in profile.recent if e.item_id == product.id]
    if mine:
        verb = {EventKind.PURCHASE: "bought", EventKind.LIKE: "liked",
                EventKind.CART: "put in your cart"}.get(mine[0].event, "looked at")
        day = datetime.fromtimestamp(mine[0].ts, tz=UTC).strftime("%Y-%m-%d")
        return f"You {verb} this on {day}."
    if profile.item_weights.get(product.id, 0.0) > 0:
        return "You have bought or liked this before."
    return "Similar to items in your history."


def recommend_turn(bot: Assistant, session: Session, profile: Profile,
                   started: float) -> Iterator[Event]:
    """An empty message from a shopper with a profile: picks from the profile alone."""
    assert bot.personaliser is not None
    cfg = bot.rerank_config
    result = bot.personaliser.recommend_for(profile, k=cfg.top_n)
    candidates = [c for c in result.candidates if bot.searcher.table.get(c.product.id)]
    session.start_search("", Filters())
    yield CandidatesEvent(session_id=session.id, constraints={},
                          items=[AnswerItem.from_candidate(c) for c in candidates[: cfg.explain]])
    ranked = rerank(bot.llm, RECOMMEND_REQUEST, {}, candidates, cfg,
                    timeout_s=bot.settings.llm_timeout, max_tokens=bot.settings.llm_max_tokens,
                    history=history_for(bot.personaliser, profile))
    own_reasons = bot.llm is None or ranked.degraded
    items = [AnswerItem.from_candidate(
        r.candidate, history_reason(profile, r.candidate.product) if own_reasons else r.reason,
        r.score) for r in ranked.items]
    yield ReasonsEvent(session_id=session.id, items=items, degraded=ranked.degraded,
                       degraded_reason=ranked.degraded_reason)
    session.show([i.id for i in items])
    session.reasons = {i.id: i.reason for i in items}
    message = (f"Picked for you from your history: {len(items)} items."
               if items else "I have nothing to recommend from your history yet.")
    if items:
        message += f" Top pick: {md_escape(items[0].title)} — {md_escape(items[0].reason)}"
    message += degraded_note(ranked.degraded_reason)
    answer = Answer(session_id=session.id, items=items, message=message, query="",
                    intent="recommend", constraints={}, degraded=ranked.degraded,
                    degraded_reason=ranked.degraded_reason,
                    timings_ms={"rerank": ranked.llm_ms,
                                "total": elapsed_ms(started)})
    session.remember("", message, bot.settings.turns_kept)
    yield AnswerEvent(answer=answer)
