"""What the assistant returns: an ``Answer``, and the events ``ask_stream`` yields on the way."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.intents import Intent
from retrieval.facets import Facet
from retrieval.types import Candidate, Filters
from shopchat.language import Language
from shopchat.records import Product


class AnswerItem(BaseModel):
    id: str
    title: str
    brand: str = ""
    price: float | None = None
    currency: str = "USD"
    image_url: str = ""
    reason: str = ""
    reason_source: Literal["model", "composed"] = "composed"
    """Who wrote ``reason``: the language model (checked by ``assistant.faithful``) or the
    assistant from the item's own fields."""
    score: float = 0.0
    position: int | None = None
    """The item's number on the page it was shown on ("#2"), for answers about shown items;
    None on a page of results (their order is their number)."""

    @classmethod
    def from_product(
        cls, product: Product, reason: str = "", score: float = 0.0,
        reason_source: Literal["model", "composed"] = "composed",
    ) -> AnswerItem:
        return cls(
            id=product.id,
            title=product.title,
            brand=product.brand,
            price=float(product.price) if product.price is not None else None,
            currency=product.currency,
            image_url=product.image_url,
            reason=reason,
            reason_source=reason_source,
            score=score,
        )

    @classmethod
    def from_candidate(
        cls, candidate: Candidate, reason: str = "", score: float | None = None,
        reason_source: Literal["model", "composed"] = "composed",
    ) -> AnswerItem:
        return cls.from_product(
            candidate.product, reason, candidate.score if score is None else score, reason_source
        )


def describe_filters(filters: Filters) -> dict[str, Any]:
    """Filters as plain JSON (sorted lists, no empty keys)."""
    out: dict[str, Any] = {}
    if filters.price_min is not None:
        out["price_min"] = filters.price_min
    if filters.price_max is not None:
        out["price_max"] = filters.price_max
    for key in ("brands", "exclude_brands", "categories", "exclude_categories"):
        values = getattr(filters, key)
        if values:
            out[key] = sorted(values)
    if filters.specs:
        out["specs"] = [spec.as_json() for spec in filters.specs]
    return out


class AnswerFacetValue(BaseModel):
    label: str
    """What the chip says: "Logitech", "under $50", "27 inch"."""
    count: int
    """Candidates that have the value."""
    query: str
    """The follow-up message that applies it ("only Logitech"): send it as the next turn."""


class AnswerFacet(BaseModel):
    """Counts of one facet (brand, price band, a specification) over the turn's candidates."""

    name: str
    """"brand", "price" or the attribute's name."""
    label: str
    values: list[AnswerFacetValue] = Field(default_factory=list)

    @classmethod
    def from_facet(cls, facet: Facet) -> AnswerFacet:
        return cls(name=facet.name, label=facet.label, values=[
            AnswerFacetValue(label=v.label, count=v.count, query=v.query) for v in facet.values])


def answer_facets(facets: Iterable[Facet]) -> list[AnswerFacet]:
    """``retrieval.facets.facets_for``'s facets as the answer's models."""
    return [AnswerFacet.from_facet(f) for f in facets]


class RefusedReason(BaseModel):
    """A model-written reason that was not shown: it stated something that is not its item's
    (``cause``: an ``assistant.faithful.Cause`` value); a composed reason took its place."""

    id: str
    cause: str
    detail: str
    reason: str


class Answer(BaseModel):
    session_id: str
    items: list[AnswerItem] = Field(default_factory=list)
    message: str = ""
    """Markdown; any catalog or shopper text in it is escaped (``assistant.markdown``)."""
    query: str = ""
    """The search text the turn ran (after follow-up resolution), empty for pure questions."""
    intent: Intent = Intent.SEARCH
    constraints: dict[str, Any] = Field(default_factory=dict)
    degraded: bool = False
    degraded_reason: str | None = None
    refused_reasons: list[RefusedReason] = Field(default_factory=list)
    """Model-written reasons refused this turn (the items show composed ones instead)."""
    timings_ms: dict[str, float] = Field(default_factory=dict)
    facets: list[AnswerFacet] = Field(default_factory=list)
    """Brand, price and specification counts over the candidates; each value's ``query``
    refines the conversation (empty for turns that show no products)."""
    language: Language = "en"
    """The language of ``message`` and the reasons: the shopper's ("zh" for Chinese)."""
    session_status: Literal["new", "continued", "unknown", "expired"] = "new"
    """What the turn found of its conversation: ``new`` (no session id given), ``continued``,
    ``unknown`` (an id the store does not have: never saved, ended or forgotten) or
    ``expired`` (idle past ``SHOPCHAT_SESSION_TTL``; ``session_note`` says so). All but
    ``continued`` began a new conversation under ``session_id``."""
    new_session: bool = False
    """This turn began a new conversation: ``session_status`` is not ``continued``."""
    session_note: str = ""
    """What became of the conversation, in ``language``, when the shopper should know: it
    had expired (a new one started), it is kept only for now (the store is down; also
    ``degraded_reason`` "sessions_unavailable"), or this turn was not saved (the conversation
    changed elsewhere at the same time). Already in ``message``."""


class CandidatesEvent(BaseModel):
    type: Literal["candidates"] = "candidates"
    session_id: str
    items: list[AnswerItem]
    constraints: dict[str, Any]
    facets: list[AnswerFacet] = Field(default_factory=list)


class ReasonsEvent(BaseModel):
    type: Literal["reasons"] = "reasons"
    session_id: str
    items: list[AnswerItem]
    degraded: bool = False
    degraded_reason: str | None = None


class AnswerEvent(BaseModel):
    type: Literal["answer"] = "answer"
    answer: Answer


Event = CandidatesEvent | ReasonsEvent | AnswerEvent
