"""Personalised turns' parts: search through the shopper's profile, the history summary
and reasons, and the words of a "recommend for me" page.

The assistant reaches profiles only through ``retrieval.profiles.Personaliser`` and only for
the user of the current session.
"""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.answer import AnswerItem
from assistant.markdown import md_escape
from assistant.phrases import phrase
from retrieval.profiles import Personaliser, Profile
from retrieval.searcher import Searcher
from retrieval.types import ParsedQuery, SearchResult
from shopchat.language import Language
from shopchat.records import EventKind, Product

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


_DID = {EventKind.PURCHASE: "purchase", EventKind.LIKE: "like", EventKind.CART: "cart"}
"""Events a reason names (the phrase keys ``did_*`` and ``past_*``)."""


def history_reason(profile: Profile, product: Product, lang: Language = "en") -> str:
    """A reason from the shopper's own history (used when the model gave none)."""
    mine = [e for e in profile.recent if e.item_id == product.id]
    if mine:
        verb = phrase(lang, f"did_{_DID.get(mine[0].event, 'view')}")
        day = datetime.fromtimestamp(mine[0].ts, tz=UTC).strftime("%Y-%m-%d")
        return phrase(lang, "you_did_on", verb=verb, day=day)
    if profile.item_weights.get(product.id, 0.0) > 0:
        return phrase(lang, "bought_or_liked")
    return phrase(lang, "similar_history")


def past_clauses(profile: Profile | None, lang: Language = "en") -> dict[str, str]:
    """Item id -> what the shopper did with it, for composed reasons ("one you bought before");
    the latest event that says something wins."""
    if profile is None:
        return {}
    out: dict[str, str] = {}
    for event in sorted(profile.recent, key=lambda e: e.ts):
        if event.item_id and event.event in _DID:
            out[event.item_id] = phrase(lang, f"past_{_DID[event.event]}")
    for item_id, weight in profile.item_weights.items():
        if weight > 0 and item_id not in out:
            out[item_id] = phrase(lang, "past_history")
    return out


def recommend_message(items: list[AnswerItem], lang: Language = "en") -> str:
    """The words around a "recommend for me" page (Markdown, escaped)."""
    if not items:
        return phrase(lang, "recommend_none")
    return phrase(lang, "recommend", count=len(items), title=md_escape(items[0].title),
                  reason=md_escape(items[0].reason))
