"""``Filters`` as a ChromaDB ``where`` clause; the lexical path uses ``ProductTable.mask``."""

from __future__ import annotations

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
