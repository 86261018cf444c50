"""Answers with facets for page tests, whether or not the turn computes them yet: events whose
``facets`` are empty get ``facets_for`` over their items."""

from __future__ import annotations

from collections.abc import Iterator

from assistant import Assistant
from assistant.answer import AnswerEvent, AnswerFacet, AnswerItem, CandidatesEvent, Event
from assistant.turn import SHOWS_PRODUCTS
from retrieval.facets import facets_for


def with_facets(bot: Assistant) -> Assistant:
    """``bot`` whose ``ask_stream`` fills empty ``facets`` (the instance is patched)."""
    stream = bot.ask_stream

    def facets(items: list[AnswerItem]) -> list[AnswerFacet]:
        products = [p for i in items if (p := bot.searcher.table.get(i.id)) is not None]
        return [AnswerFacet.from_facet(f)
                for f in facets_for(products, bot.searcher.spec_vocabulary)]

    def ask_stream(user_id: str, query: str, session_id: str | None = None) -> Iterator[Event]:
        for event in stream(user_id, query, session_id):
            if isinstance(event, CandidatesEvent) and not event.facets:
                event = event.model_copy(update={"facets": facets(event.items)})
            elif (isinstance(event, AnswerEvent) and not event.answer.facets
                  and event.answer.intent in SHOWS_PRODUCTS):
                answer = event.answer.model_copy(update={"facets": facets(event.answer.items)})
                event = AnswerEvent(answer=answer)
            yield event

    bot.ask_stream = ask_stream  # type: ignore[method-assign]
    return bot
