"""Retrieval's public record types: filters, candidates, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shopchat.records import Product


class Mode(StrEnum):
    LEXICAL = "bm25"
    DENSE = "dense"
    HYBRID = "hybrid"


@dataclass(frozen=True, slots=True)
class Filters:
    """Hard constraints every returned item must satisfy. Brands/categories compare lower-cased."""

    price_min: float | None = None
    price_max: float | None = None
    brands: frozenset[str] = frozenset()
    exclude_brands: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    exclude_categories: frozenset[str] = frozenset()

    def is_empty(self) -> bool:
        return self == Filters()

    def accepts(self, product: Product) -> bool:
        """Reference check: does ``product`` satisfy every filter?"""
        price = float(product.price) if product.price is not None else None
        if self.price_min is not None and (price is None or price < self.price_min):
            return False
        if self.price_max is not None and (price is None or price > self.price_max):
            return False
        brand, category = product.brand.lower(), product.category.lower()
        if self.brands and brand not in self.brands:
            return False
        if brand in self.exclude_brands:
            return False
        if self.categories and category not in self.categories:
            return False
        return category not in self.exclude_categories


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A shopper's words split into free text (what to search for) and hard filters."""

    text: str
    """The words left once constraint phrases are removed (may be empty: "under $50")."""
    filters: Filters
    original: str
    unknown_brands: tuple[str, ...] = ()
    """Brands asked for ("by SanDisk", "SanDisk only") that the catalog does not carry, as
    typed; they are not filters and are cut from ``text``."""
    unknown_excluded: tuple[str, ...] = ()
    """Brands excluded ("not Razer") that the catalog does not carry anyway, as typed."""

    @property
    def search_text(self) -> str:
        """What retrieval embeds and matches: the free text, else the whole query."""
        return self.text or self.original.strip()


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ranked product with the score each stage gave it (None: the stage did not see it)."""

    product: Product
    score: float
    rank: int
    lexical_score: float | None = None
    dense_score: float | None = None
    lexical_rank: int | None = None
    dense_rank: int | None = None
    personal_score: float | None = None
    """What the shopper's profile added to ``score`` (None: not personalised)."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: ParsedQuery
    mode: Mode
    candidates: list[Candidate]
    timings_ms: dict[str, float] = field(default_factory=dict)
    unknown_words: tuple[str, ...] = ()
    """Words of the search text the catalog's lexical index has never seen, as typed."""
    catalog_words: bool = True
    """False when no word of the search text is in the catalog (none at all, or all unknown):
    the candidates are then only the nearest by meaning (the dense order)."""

    @property
    def ids(self) -> list[str]:
        return [c.product.id for c in self.candidates]
