"""``Filters`` as a ChromaDB ``where`` clause (the lexical path uses ``ProductTable.mask``), and
explicit filters merged into parsed ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from retrieval.types import Filters
from shopchat.records import Product


def product_metadata(product: Product, content_hash: str) -> dict[str, str | float]:
    """What Chroma stores per product: the filterable fields and the content hash.

    Titles and texts stay out of Chroma (the product table has them): every stored string is
    indexed by Chroma, which would slow indexing down for nothing.
    """
    meta: dict[str, str | float] = {
        "brand": product.brand.lower(),
        "category": product.category.lower(),
        "hash": content_hash,
    }
    if product.price is not None:  # no key at all: price filters never match an unpriced item
        meta["price"] = float(product.price)
    return meta


def chroma_where(filters: Filters) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.price_min is not None:
        clauses.append({"price": {"$gte": filters.price_min}})
    if filters.price_max is not None:
        clauses.append({"price": {"$lte": filters.price_max}})
    if filters.brands:
        clauses.append({"brand": {"$in": sorted(filters.brands)}})
    if filters.exclude_brands:
        clauses.append({"brand": {"$nin": sorted(filters.exclude_brands)}})
    if filters.categories:
        clauses.append({"category": {"$in": sorted(filters.categories)}})
    if filters.exclude_categories:
        clauses.append({"category": {"$nin": sorted(filters.exclude_categories)}})
    if not clauses:
        return None
    if len(clauses) == 1:  # Chroma's $and needs two or more clauses
        return clauses[0]
    return {"$and": clauses}


def merge_filters(parsed: Filters, extra: Filters | None) -> Filters:
    """Explicit filters tighten the ones parsed from the query."""
    if extra is None:
        return parsed

    def pick(a: float | None, b: float | None, fn: Callable[[float, float], float]) -> float | None:
        return b if a is None else a if b is None else fn(a, b)

    return Filters(
        price_min=pick(parsed.price_min, extra.price_min, max),
        price_max=pick(parsed.price_max, extra.price_max, min),
        brands=(parsed.brands & extra.brands)
        if parsed.brands and extra.brands
        else parsed.brands | extra.brands,
        exclude_brands=parsed.exclude_brands | extra.exclude_brands,
        categories=(parsed.categories & extra.categories)
        if parsed.categories and extra.categories
        else parsed.categories | extra.categories,
        exclude_categories=parsed.exclude_categories | extra.exclude_categories,
        specs=tuple(dict.fromkeys(parsed.specs + extra.specs)),
    )
