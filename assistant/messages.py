"""The assistant's words around the items: deterministic, built from the turn's data.

A page's message leads with the best match and the one trade-off that matters, and is honest
about what the catalog lacks: a brand it does not carry, words no product has, or the
constraint that left nothing (with the relaxed search that would find something)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.markdown import md_escape
from assistant.reasons import Page, format_price, short_title
from retrieval.types import Filters, Relaxation
from shopchat.records import Product


def constraint_words(filters: Filters, currency_symbol: str = "$",
                     not_carried: Sequence[str] = ()) -> list[str]:
    """The filters as a shopper would say them (plain text): "under $50", "not Razer"."""
    parts: list[str] = []
    if filters.price_min is not None and filters.price_max is not None:
        parts.append(
            f"between {currency_symbol}{filters.price_min:g} and "
            f"{currency_symbol}{filters.price_max:g}"
        )
    elif filters.price_max is not None:
        parts.append(f"under {currency_symbol}{filters.price_max:g}")
    elif filters.price_min is not None:
        parts.append(f"over {currency_symbol}{filters.price_min:g}")
    if filters.brands:
        parts.append("by " + " or ".join(sorted(b.title() for b in filters.brands)))
    excluded = sorted(b.title() for b in filters.exclude_brands) + list(not_carried)
    if excluded:
        parts.append("not " + " or ".join(excluded))
    if filters.categories:
        parts.append("in " + ", ".join(sorted(filters.categories)))
    if filters.exclude_categories:
        parts.append("excluding " + ", ".join(sorted(filters.exclude_categories)))
    parts += [spec.label for spec in filters.specs]
    return parts


def describe_constraints(filters: Filters, currency_symbol: str = "$") -> str:
    """Markdown (escaped)."""
    return md_escape(", ".join(constraint_words(filters, currency_symbol)))


@dataclass(frozen=True, slots=True)
class Relaxed:
    """What one dropped constraint would find, when the active ones leave nothing."""

    dropped: str
    """"price", "brand", "category" or "exclusions"."""
    products: list[Product]
    """The relaxed search's best items (never shown as results: the constraints hold)."""
    suggestion: str = ""
    """A request the shopper can send to see them ("" when none can be said)."""


@dataclass(frozen=True, slots=True)
class Findings:
    """What a search turn learned beyond its items, which the reply must be honest about."""

    unknown_brands: tuple[str, ...] = ()
    """Brands asked for that the catalog does not carry."""
    unknown_excluded: tuple[str, ...] = ()
    """Brands excluded that the catalog does not carry anyway."""
    unknown_words: tuple[str, ...] = ()
    """Request words no product contains."""
    catalog_words: bool = True
    """False: no request word is in the catalog (the items are only close in meaning)."""
    relaxed: Relaxed | None = None
    """For an empty page: what dropping one constraint finds (None: nothing, or not tried)."""
    spec_problems: tuple[str, ...] = ()
    """Specifications that cannot be matched ("-5 inch"), in plain words."""
    spec_relaxed: tuple[Relaxation, ...] = ()
    """Specifications nothing of the asked kind meets, and the nearest searched instead."""


def without_names(text: str, names: frozenset[str]) -> str:
    """``text`` without the brand names a brand filter kept in it ("mouse Logitech")."""
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text, flags=re.I)
    return " ".join(text.split())


def _quoted(words: Sequence[str]) -> str:
    return " or ".join(f"\u201c{w}\u201d" for w in words)


def _named(product: Product) -> str:
    price = f" ({format_price(product)})" if product.price is not None else ""
    return f"{short_title(product.title)}{price}"


def results_message(text: str, filters: Filters, products: Sequence[Product], more: bool = False,
                    findings: Findings | None = None) -> str:
    """Markdown; everything from the shopper or the catalog is escaped here."""
    found = findings or Findings()
    where = ", ".join(constraint_words(filters, not_carried=found.unknown_excluded))
    said = without_names(text, filters.brands) or text  # "by Logitech" is said in ``where``
    scope = f"\u201c{said}\u201d" if said else "products"
    scope += f" ({where})" if where else ""
    notes = _spec_notes(found)
    if not products:
        return md_escape(" ".join([*notes, _empty(text, scope, filters, more, found)]))
    page = Page(text, products)
    sentences: list[str] = notes
    if found.relaxed is not None:  # items, but none has a word asked for
        words = [w for _, w in page.request][:3]
        sentences += [f"Nothing {where} mentions {_quoted(words)}, so these are only close in "
                      f"meaning. Closest: {_named(products[0])}.",
                      _relaxed(filters, found.relaxed)]
        return md_escape(" ".join(sentences))
    if found.unknown_brands:
        brands = " or ".join(found.unknown_brands)
        lead = f"No {brands} products here; the closest to {scope}"
    elif not found.catalog_words:
        sentences.append(f"No product here mentions {_quoted(found.unknown_words)}, so these are "
                         "only close in meaning.")
        lead = "Closest"
    else:
        if found.unknown_words:
            sentences.append(f"Nothing here mentions {_quoted(found.unknown_words)}.")
        lead = f"Best match for {scope}"
    if more:
        lead = f"More for {scope}; the best of these"
    sentences.append(f"{lead}: {_named(products[0])}.")
    if tradeoff := page.tradeoff():
        sentences.append(tradeoff)
    absent = [w for w in page.absent() if w not in found.unknown_words]
    if absent and found.catalog_words and len(products) > 1:
        sentences.append(f"None of them mentions {_quoted(absent[:3])}.")
    return md_escape(" ".join(sentences))


def _spec_notes(found: Findings) -> list[str]:
    """Plain sentences: specs that cannot be matched, and specs met only by the nearest value
    ("Nothing matches “27 inch display diagonal”; the closest: 24 inch display diagonal.")."""
    said = [*found.spec_problems, *(r.message for r in found.spec_relaxed)]
    return [f"{note[0].upper()}{note[1:]}." for note in said]


def _empty(text: str, scope: str, filters: Filters, more: bool, found: Findings) -> str:
    """Plain text: why the page is empty, and what would find something."""
    if not found.catalog_words and not found.unknown_words:
        return (f"\u201c{text}\u201d has no words I can search for. Tell me what you are "
                "looking for, e.g. \u201cwireless mouse under $30\u201d.")
    if more:
        return f"I found no more matches for {scope}."
    if filters.is_empty():
        return f"I found no matches for {scope}."
    if found.relaxed is None:
        return (f"Nothing matches {scope}, even with one constraint dropped. Try fewer "
                "constraints, or say \u201cstart over\u201d.")
    return f"Nothing matches {scope}. {_relaxed(filters, found.relaxed)}"


def _relaxed(filters: Filters, relaxed: Relaxed) -> str:
    """Plain text: what the search finds without the constraint that emptied the page."""
    if relaxed.dropped == "price":
        priced = [p for p in relaxed.products if p.price is not None]
        pick = (min if filters.price_max is not None else max)(
            priced or relaxed.products, key=lambda p: p.price or 0)
        extreme = "cheapest" if filters.price_max is not None else "priciest"
        said = f"Without the price limit, the {extreme} match is {_named(pick)}"
    else:
        said = (f"Without the {relaxed.dropped} constraint, the best match is "
                f"{_named(relaxed.products[0])}")
    ask = f": ask for \u201c{relaxed.suggestion}\u201d to see more." if relaxed.suggestion else "."
    return said + ask


def price_suggestion(text: str, filters: Filters, products: Sequence[Product]) -> str:
    """The request with a price limit that the relaxed search's items meet."""
    prices = [float(p.price) for p in products if p.price is not None]
    if not prices:
        return ""
    if filters.price_max is not None:
        bound = f"under ${math.ceil(min(prices))}"
    else:
        bound = f"over ${math.floor(max(prices))}"
    rest = constraint_words(Filters(brands=filters.brands, exclude_brands=filters.exclude_brands,
                                    categories=filters.categories,
                                    exclude_categories=filters.exclude_categories))
    return ", ".join([f"{text} {bound}".strip(), *rest])


def degraded_note(reason: str | None) -> str:
    return (
        "\n\n_Ranked by search relevance only: the language model was not usable "
        f"({md_escape(reason)})._"
        if reason
        else ""
    )
