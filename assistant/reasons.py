"""Reasons composed from an item's own data: the fallback when the LLM is down or unusable."""

from __future__ import annotations

import re
from decimal import Decimal

from shopchat.records import Product

_WORD = re.compile(r"[^\W_]+")
MAX_REASON_CHARS = 240


CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}


def format_amount(price: float | Decimal | None, currency: str) -> str:
    if price is None:
        return "price not listed"
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    return f"{symbol}{price:,.2f}" if symbol else f"{price:,.2f} {currency}"


def format_price(product: Product) -> str:
    return format_amount(product.price, product.currency)


def matched_words(query: str, product: Product) -> list[str]:
    """Query words found in the product's title, brand or category (in query order)."""
    haystack = set(_WORD.findall(f"{product.title} {product.brand} {product.category}".lower()))
    seen: list[str] = []
    for word in _WORD.findall(query.lower()):
        if len(word) > 1 and word in haystack and word not in seen:
            seen.append(word)
    return seen


def attribute_reason(query: str, product: Product) -> str:
    """One factual sentence from the product's fields; never invents anything."""
    parts: list[str] = []
    words = matched_words(query, product)
    if words:
        parts.append("matches " + ", ".join(f"'{w}'" for w in words[:4]))
    if product.brand:
        parts.append(f"by {product.brand}")
    parts.append(format_price(product))
    if product.category:
        parts.append(product.category)
    extras = [
        f"{k.replace('_', ' ')}: {v}"
        for k, v in product.attributes.items()
        if k not in {"model", "ean"} and v
    ][:2]
    parts.extend(extras)
    text = "; ".join(parts)
    return text[0].upper() + text[1:MAX_REASON_CHARS] if text else "Listed in the catalog."
