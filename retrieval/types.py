"""Retrieval's public record types: filters, candidates, results."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from retrieval.chinese.reading import Reading
from retrieval.specs.constraint import SpecConstraint
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
    specs: tuple[SpecConstraint, ...] = ()
    """Specifications every item must meet ("27 inch display diagonal", "with hdmi")."""

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
        if category in self.exclude_categories:
            return False
        return all(spec.holds(product) for spec in self.specs if spec.hard)


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
    spec_problems: tuple[str, ...] = ()
    """Specifications that cannot be matched ("-5 inch", "at least 8gb and at most 4gb"), in
    plain words; they are not filters and are cut from ``text``."""
    spec_words: tuple[str, ...] = ()
    """Words of ``text`` that are also specifications ("bluetooth", "IPS"): kept to rank by,
    but no product words of their own (a follow-up "with hdmi" refines the last search)."""
    reading: Reading | None = None
    """A Chinese message's English reading (``original`` is that reading; the shopper's words
    are ``reading.original``); None for English."""

    @property
    def free_text(self) -> str:
        """``text`` without the words that are also specifications ("with hdmi" -> "with"):
        what decides whether a message is a follow-up, and what a follow-up adds to a search."""
        text = self.text
        for words in self.spec_words:
            text = re.sub(rf"(?<!\w){re.escape(words)}(?!\w)", " ", text, flags=re.I)
        return " ".join(text.split())

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
class Relaxation:
    """A specification nothing matched, and the nearest one searched instead."""

    asked: SpecConstraint
    used: SpecConstraint | None
    """The closest value the catalog has ("24 inch display diagonal"); None: dropped."""

    @property
    def message(self) -> str:
        """Plain text: "nothing matches “27 inch display diagonal”; the closest: 24 inch
        display diagonal"."""
        said = f"nothing matches \u201c{self.asked.label}\u201d"
        return said if self.used is None else f"{said}; the closest: {self.used.label}"


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
    relaxed: tuple[Relaxation, ...] = ()
    """Specifications no item of the asked kind meets, and what was searched instead;
    ``query.filters`` holds the relaxed ones."""

    @property
    def ids(self) -> list[str]:
        return [c.product.id for c in self.candidates]
