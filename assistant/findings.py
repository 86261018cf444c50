"""What a search turn's reply must be honest about: brands the catalog does not carry, words no
product has, and, when the constraints leave nothing (or nothing with a word asked for), which
one emptied the page and what the search finds without it. The items shown still obey every
constraint: the relaxed search is only offered."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from assistant.messages import (
    Findings,
    Relaxed,
    constraint_words,
    price_suggestion,
    without_names,
)
from assistant.reasons import matching
from retrieval.searcher import Searcher
from retrieval.types import Filters, ParsedQuery, SearchResult
from shopchat.records import Product

Search = Callable[[str, Filters], list[Product]]
"""(search text, filters) -> the best products."""


def relaxations(filters: Filters) -> list[tuple[str, Filters]]:
    """Each constraint dropped on its own, in the order a shopper gives them up: price first."""
    empty: frozenset[str] = frozenset()
    out: list[tuple[str, Filters]] = []
    if filters.price_min is not None or filters.price_max is not None:
        out.append(("price", dataclasses.replace(filters, price_min=None, price_max=None)))
    if filters.brands:
        out.append(("brand", dataclasses.replace(filters, brands=empty)))
    if filters.categories:
        out.append(("category", dataclasses.replace(filters, categories=empty)))
    if filters.exclude_brands or filters.exclude_categories:
        out.append(("exclusions", dataclasses.replace(filters, exclude_brands=empty,
                                                      exclude_categories=empty)))
    return out


def relax(search: Search, text: str, filters: Filters, by_words: bool = True) -> Relaxed | None:
    """The first single-constraint relaxation that finds something (None: none does).

    ``by_words``: only items with a word of ``text`` count (False: the request has no catalog
    word, so anything close in meaning does)."""
    plain = without_names(text, filters.brands)
    for dropped, looser in relaxations(filters):
        words = plain if dropped == "brand" else text
        products = search(words, looser)
        if by_words:
            products = matching(words, products)
        if not products:
            continue
        if dropped == "price":
            suggestion = price_suggestion(plain, filters, products)
        elif dropped == "category":  # the category's word in the text would bring it back
            suggestion = ""
        else:
            suggestion = ", ".join([plain, *constraint_words(looser)])
        return Relaxed(dropped, products, suggestion)
    return None


def findings(searcher: Searcher, parsed: ParsedQuery, result: SearchResult,
             shown: list[Product], more: bool) -> Findings:
    """``parsed``: the shopper's message; ``result``: the search the turn ran; ``shown``: the
    products the page will show (a subset of ``result``'s)."""
    text, filters = result.query.text, result.query.filters
    relaxed = None
    hard_specs = any(spec.hard for spec in filters.specs)  # items meeting them are matches
    if not more and not filters.is_empty() and (
        not shown or (result.catalog_words and not hard_specs and not matching(text, shown))
    ):
        def search(words: str, looser: Filters) -> list[Product]:
            query = ParsedQuery(text=words, filters=looser, original=words)
            return [c.product for c in searcher.search(query, k=max(len(shown), 10)).candidates]

        relaxed = relax(search, text, filters, by_words=result.catalog_words)
    return Findings(parsed.unknown_brands, parsed.unknown_excluded, result.unknown_words,
                    result.catalog_words, relaxed, parsed.spec_problems, result.relaxed)
