"""The assistant's words around the items: deterministic, built from the turn's data.

A page's message leads with the best match and the one trade-off that matters, and is honest
about what the catalog lacks: a brand it does not carry, words no product has, or the
constraint that left nothing (with the relaxed search that would find something)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.markdown import md_escape
from assistant.phrases import capitalised, currency, joined, phrase, sentences
from assistant.reasons import Page, format_price, short_title
from retrieval.types import Filters, Relaxation
from shopchat.language import Language
from shopchat.records import Product


def constraint_words(filters: Filters, currency_symbol: str = "$",
                     not_carried: Sequence[str] = (), lang: Language = "en",
                     names: Mapping[str, str] | None = None) -> list[str]:
    """The filters as a shopper would say them (plain text): "under $50", "not Razer"
    ("50美元以下", "不要Razer" in Chinese). ``names``: a lower-cased brand -> the catalog's
    spelling ("hp" -> "HP"); brands without one are title-cased."""

    def spelt(brand: str) -> str:
        return (names or {}).get(brand) or brand.title()

    money = currency(lang, currency_symbol)
    parts: list[str] = []
    if filters.price_min is not None and filters.price_max is not None:
        parts.append(phrase(lang, "price_between", low=f"{filters.price_min:g}",
                            high=f"{filters.price_max:g}", **money))
    elif filters.price_max is not None:
        parts.append(phrase(lang, "price_under", amount=f"{filters.price_max:g}", **money))
    elif filters.price_min is not None:
        parts.append(phrase(lang, "price_over", amount=f"{filters.price_min:g}", **money))
    if filters.brands:
        brands = joined(lang, "or", sorted(spelt(b) for b in filters.brands))
        parts.append(phrase(lang, "by_brands", brands=brands))
    excluded = sorted(spelt(b) for b in filters.exclude_brands) + list(not_carried)
    if excluded:
        parts.append(phrase(lang, "not_brands", brands=joined(lang, "or", excluded)))
    if filters.categories:
        categories = joined(lang, "enumeration", sorted(filters.categories))
        parts.append(phrase(lang, "in_categories", categories=categories))
    if filters.exclude_categories:
        categories = joined(lang, "enumeration", sorted(filters.exclude_categories))
        parts.append(phrase(lang, "excluding_categories", categories=categories))
    parts += [spec.label for spec in filters.specs]
    return parts


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


def _quoted(words: Sequence[str], lang: Language = "en") -> str:
    return joined(lang, "or", (f"\u201c{w}\u201d" for w in words))


def _named(product: Product, lang: Language = "en") -> str:
    price = phrase(lang, "where", where=format_price(product, lang)) \
        if product.price is not None else ""
    return f"{short_title(product.title)}{price}"


def results_message(text: str, filters: Filters, products: Sequence[Product], more: bool = False,
                    findings: Findings | None = None, lang: Language = "en",
                    said: str = "", names: Mapping[str, str] | None = None) -> str:
    """Markdown; everything from the shopper or the catalog is escaped here.

    ``text``: the search text (the request words the items are compared with); ``names``: the
    catalog's spelling of each lower-cased brand (``constraint_words``); ``lang``: the
    language of the reply; ``said``: the shopper's own words to quote for the request, when
    they differ from ``text`` (a Chinese shopper's message, searched by its English reading)."""
    found = findings or Findings()
    where = joined(lang, "comma", constraint_words(filters, not_carried=found.unknown_excluded,
                                                   lang=lang, names=names))
    quoted = said or without_names(text, filters.brands) or text  # "by Logitech": in ``where``
    scope = f"\u201c{quoted}\u201d" if quoted else phrase(lang, "any_products")
    scope += phrase(lang, "where", where=where) if where else ""
    notes = _spec_notes(found, lang)
    if not products:
        return md_escape(sentences(lang, [*notes, _empty(said or text, scope, filters, more,
                                                         found, lang)]))
    page = Page(text, products, lang=lang)
    best = _named(products[0], lang)
    out: list[str] = notes
    if found.relaxed is not None:  # items, but none has a word asked for
        words = [w for _, w in page.request][:3]
        out += [phrase(lang, "close_only_where", where=where, words=_quoted(words, lang)),
                phrase(lang, "closest", item=best),
                _relaxed(filters, found.relaxed, lang)]
        return md_escape(sentences(lang, out))
    if found.unknown_brands:
        brands = joined(lang, "or", found.unknown_brands)
        lead = phrase(lang, "no_brand_lead", brands=brands, scope=scope, item=best)
    elif not found.catalog_words:
        out.append(phrase(lang, "close_only", words=_quoted(found.unknown_words, lang)))
        lead = phrase(lang, "closest", item=best)
    else:
        if found.unknown_words:
            out.append(phrase(lang, "unknown_words", words=_quoted(found.unknown_words, lang)))
        lead = phrase(lang, "best_match", scope=scope, item=best)
    if more:
        lead = phrase(lang, "more_lead", scope=scope, item=best)
    out.append(lead)
    if tradeoff := page.tradeoff():
        out.append(tradeoff)
    absent = [w for w in page.absent() if w not in found.unknown_words]
    if absent and found.catalog_words and len(products) > 1:
        out.append(phrase(lang, "none_mention", words=_quoted(absent[:3], lang)))
    return md_escape(sentences(lang, out))


def _spec_notes(found: Findings, lang: Language = "en") -> list[str]:
    """Plain sentences: specs that cannot be matched, and specs met only by the nearest value
    ("Nothing matches “27 inch display diagonal”; the closest: 24 inch display diagonal.")."""
    notes = [phrase(lang, "spec_problem", problem=capitalised(lang, problem))
             for problem in found.spec_problems]
    for relaxation in found.spec_relaxed:
        asked = relaxation.asked.label
        notes.append(phrase(lang, "spec_none", asked=asked) if relaxation.used is None else
                     phrase(lang, "spec_nearest", asked=asked, used=relaxation.used.label))
    return notes


def _empty(text: str, scope: str, filters: Filters, more: bool, found: Findings,
           lang: Language = "en") -> str:
    """Plain text: why the page is empty, and what would find something."""
    if not found.catalog_words and not found.unknown_words:
        return sentences(lang, [phrase(lang, "no_words", said=f"\u201c{text}\u201d"),
                                phrase(lang, "ask_what")])
    if more:
        return phrase(lang, "no_more", scope=scope)
    if filters.is_empty():
        return phrase(lang, "no_matches", scope=scope)
    if found.relaxed is None:
        return phrase(lang, "nothing_even_relaxed", scope=scope)
    return sentences(lang, [phrase(lang, "nothing_matches", scope=scope),
                            _relaxed(filters, found.relaxed, lang)])


def _relaxed(filters: Filters, relaxed: Relaxed, lang: Language = "en") -> str:
    """Plain text: what the search finds without the constraint that emptied the page."""
    if relaxed.dropped == "price":
        priced = [p for p in relaxed.products if p.price is not None]
        cheapest = filters.price_max is not None
        pick = (min if cheapest else max)(priced or relaxed.products, key=lambda p: p.price or 0)
        key = "without_price_cheapest" if cheapest else "without_price_priciest"
        said = phrase(lang, key, item=_named(pick, lang))
    else:
        said = phrase(lang, "without_constraint", item=_named(relaxed.products[0], lang),
                      dropped=phrase(lang, f"constraint_{relaxed.dropped}"))
    if relaxed.suggestion:
        return said + phrase(lang, "ask_for", suggestion=relaxed.suggestion)
    return said + phrase(lang, "end")


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


def degraded_note(reason: str | None, lang: Language = "en") -> str:
    return phrase(lang, "degraded", reason=md_escape(reason)) if reason else ""
