"""Reasons composed from an item's own data and the page it is on: one sentence per item that
says why it fits the request and how it differs from the others shown (the cheapest, the only
one mentioning "wireless", the largest capacity, the brand asked for, one bought before). Used
when the LLM is off, degraded, or gave an item no usable reason; faithful by construction, since
every word comes from the item's fields, the page, or the shopper's request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.phrases import capitalised, joined, phrase
from shopchat.language import Language
from shopchat.records import CURRENCY_SYMBOLS, Product

MAX_REASON_CHARS = 240




def format_amount(price: float | Decimal | None, currency: str, lang: Language = "en") -> str:
    if price is None:
        return phrase(lang, "price_not_listed")
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    return f"{symbol}{price:,.2f}" if symbol else f"{price:,.2f} {currency}"


def format_price(product: Product, lang: Language = "en") -> str:
    return format_amount(product.price, product.currency, lang)


# -- composed reasons: facts about each item against the rest of its page ---------------------

MAX_REASON_WORDS = 25
MAX_REASON_HAN_CHARS = 60
"""A Chinese reason's bound in characters (Chinese has no spaces to count words by)."""
_PIECE = re.compile(
    r"(\d+(?:\.\d+)?)(?:\s?-?(tb|gb|mb|ghz|mhz|mah|mp|dpi|inch(?:es)?|in)\b|\s?(\"|''|\u201d)"
    r"|(?![^\W_]))|[^\W_]+", re.I)
"""A number with its unit ("64GB", "64 GB" and "27-inch", '27"' compare equal), or a word of
letters and digits ("mx518")."""
_FILLER = frozenset(re.findall(r"\S+", """a an the and or but for with of to in on at by from
    some any me my i im show find get want need looking look something anything please good great
    best nice cheap cheaper quality new product products item items one ones"""))
_CAPACITY = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(TB|GB|MB)(?![\w/])", re.I)
_SCREEN = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?)\s?(?:\"|''|\u201d|-?inch(?:es)?\b|-?in\b)", re.I)
_TO_GB = {"tb": 1000.0, "gb": 1.0, "mb": 0.001}


def _key(word: str) -> str:
    """A word as compared: lower-case, a plural's "s" dropped ("sticks" ~ "stick")."""
    w = word.lower()
    return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w


def _pieces(text: str) -> list[tuple[str, str]]:
    """(key, as written) for each word or sized number of ``text``."""
    out = []
    for m in _PIECE.finditer(text):
        number, unit, mark = m.group(1), (m.group(2) or "").lower(), m.group(3)
        if number is None:
            out.append((_key(m.group(0)), m.group(0)))
        elif unit == "tb":  # "1TB" ~ "1000 GB"
            out.append((f"{float(number) * 1000:g}gb", m.group(0)))
        else:
            unit = "in" if mark or unit.startswith("in") else unit
            out.append((f"{float(number):g}{unit}", m.group(0)))
    return out


def _keys(text: str) -> frozenset[str]:
    return frozenset(k for k, _ in _pieces(text))


def _is_number(word: str) -> bool:
    return word[:1].isdigit()


def _specs(product: Product) -> dict[str, tuple[float, str]]:
    """Sizes a shopper compares, as (comparable value, words as shown) from the item's title or
    its screen-size attribute: {"capacity": (64.0, "64 GB"), "screen": (27.0, "27-inch")}."""
    out: dict[str, tuple[float, str]] = {}
    sizes = [(float(n) * _TO_GB[u.lower()], f"{n} {u.upper()}")
             for n, u in _CAPACITY.findall(product.title)]
    if sizes:
        out["capacity"] = max(sizes)
    screens = [(float(n), f"{n}-inch") for n in _SCREEN.findall(product.title)
               if 5 <= float(n) <= 120]
    diagonal = product.attributes.get("display_diagonal", "")
    if not screens and re.fullmatch(r"\d{1,3}(?:\.\d{1,2})?", diagonal):
        screens = [(float(diagonal), f"{diagonal}-inch")]
    if screens:
        out["screen"] = max(screens)
    return out


def _fits(text: str, lang: Language) -> bool:
    """Short enough for a reason: words in English, characters in Chinese."""
    return len(text.split()) <= MAX_REASON_WORDS if lang == "en" else \
        len(text) <= MAX_REASON_HAN_CHARS


@dataclass(frozen=True, slots=True)
class _Item:
    product: Product
    keys: frozenset[str]
    brand_keys: frozenset[str]
    price: float | None
    specs: dict[str, tuple[float, str]]


class Page:
    """One page of products against the request it answers: what each item matches, and what
    sets it apart from the others (prices, sizes, words only it has, the brand asked for)."""

    def __init__(self, request: str, products: Sequence[Product],
                 past: Mapping[str, str] | None = None, met: Sequence[str] = (),
                 lang: Language = "en") -> None:
        """``met``: specifications every item here meets (the search filtered by them: "27
        inch display diagonal"), said for an item that matches none of the request's words;
        ``lang``: the language of the sentences (request words are quoted as typed)."""
        self.lang = lang
        seen: dict[str, str] = {}
        for key, word in _pieces(request):
            if word.lower() not in _FILLER and (len(word) > 1 or _is_number(word)):
                seen.setdefault(key, word)
        self.request = list(seen.items())  # (key, word as typed), in request order
        self.past = past or {}
        self.met = list(met)
        self.items = [
            _Item(
                p,
                _keys(f"{p.title} {p.brand} {p.category}"),
                _keys(p.brand),
                float(p.price) if p.price is not None else None,
                _specs(p),
            )
            for p in products
        ]
        self.count = {k: sum(k in it.keys for it in self.items) for k, _ in self.request}
        self.brand_count = {
            b: sum(it.product.brand.lower() == b for it in self.items)
            for b in {it.product.brand.lower() for it in self.items}
        }
        prices = [it.price for it in self.items if it.price is not None]
        self.low = min(prices) if len(prices) >= 2 and prices.count(min(prices)) == 1 else None
        self.high = max(prices) if len(prices) >= 3 and prices.count(max(prices)) == 1 else None

    # -- what one item matches ---------------------------------------------------------------

    def asked(self, i: int) -> list[tuple[str, str]]:
        """Request words other than the item's own brand (said apart: "by Logitech")."""
        brand = self.items[i].brand_keys
        return [(k, w) for k, w in self.request if k not in brand]

    def matched(self, i: int) -> list[str]:
        return [w for k, w in self.asked(i) if k in self.items[i].keys]

    def missing(self, i: int) -> list[str]:
        """Request words the item lacks but others on the page have (numbers aside: "27" is
        the shopper's, not the item's). Words no item has are said once, by the message."""
        return [w for k, w in self.asked(i)
                if k not in self.items[i].keys and self.count[k] and not _is_number(w)]

    def absent(self) -> list[str]:
        """Request words no item on the page has (numbers aside)."""
        return [w for k, w in self.request if not self.count[k] and not _is_number(w)]

    def _fit(self, i: int) -> str:
        if not self.asked(i):  # nothing asked, or only the item's own brand
            return ""
        lang, matched, missing = self.lang, self.matched(i), self.missing(i)
        if not matched:
            return phrase(lang, "fit_met", spec=self.met[0]) if self.met else \
                phrase(lang, "fit_meaning")
        fit = phrase(lang, "fit", words=" ".join(matched[:4]))
        return fit + (phrase(lang, "fit_not", words=" ".join(missing[:2])) if missing else "")

    # -- what sets one item apart ------------------------------------------------------------

    def _distinctions(self, i: int) -> list[str]:
        it, n, lang = self.items[i], len(self.items), self.lang
        out: list[str] = []
        if past := self.past.get(it.product.id):
            out.append(past)
        brand = it.product.brand
        asked_brand = any(k in it.brand_keys for k, _ in self.request)
        if asked_brand and n >= 2 and self.brand_count[brand.lower()] == 1:
            out.append(phrase(lang, "only_brand", brand=" ".join(brand.split()[:4])))
        only = [w for k, w in self.asked(i)
                if k in it.keys and not _is_number(w) and self.count[k] == 1]
        two = [w for k, w in self.asked(i)
               if k in it.keys and not _is_number(w) and self.count[k] == 2]
        if only and n >= 3:
            out.append(phrase(lang, "only_mention", word=only[0]))
        elif two and n >= 6:
            out.append(phrase(lang, "two_mention", word=two[0]))
        if it.price is not None and it.price == self.low:
            out.append(phrase(lang, "cheapest_here"))
        for family, (value, shown) in it.specs.items():
            rivals = [o.specs[family][0] for j, o in enumerate(self.items)
                      if j != i and family in o.specs]
            if rivals and value > max(rivals):
                out.append(phrase(lang, f"most_{family}", size=shown))
        if it.price is not None and it.price == self.high:
            out.append(phrase(lang, "priciest_here"))
        return out

    def reason(self, i: int) -> str:
        """One sentence, at most ``MAX_REASON_WORDS`` words, from the item and its page."""
        p, lang = self.items[i].product, self.lang
        brand = " ".join(p.brand.split()[:4])
        price = format_price(p, lang) if p.price is not None else ""
        by = phrase(lang, "brand_price_gap").join(
            part for part in (phrase(lang, "by_brand", brand=brand) if brand else "",
                              phrase(lang, "at_price", price=price) if price else "") if part)
        head = [part for part in (self._fit(i), by) if part]
        extra = self._distinctions(i)[:2]
        while True:
            text = joined(lang, "comma", [*head, joined(lang, "and", extra)] if extra else head)
            if _fits(text, lang) or not extra:
                break
            extra.pop()
        if not text:
            return phrase(lang, "listed")
        return capitalised(lang, text)[: MAX_REASON_CHARS - 1] + phrase(lang, "end")

    # -- the page's lead and its one trade-off -----------------------------------------------

    def tradeoff(self, best: int = 0) -> str:
        """The one trade-off against the best match, as a sentence ("" when there is none):
        another item with asked-for words the best lacks, else a materially cheaper item and
        what it gives up, else a bigger one and what it costs."""
        top, lang = self.items[best], self.lang
        others = [j for j in range(len(self.items)) if j != best]
        lacking = {k for k, _ in self.asked(best) if k not in top.keys}
        for j in others:
            alt = self.items[j]
            gained = [w for k, w in self.asked(j) if k in lacking and k in alt.keys]
            if gained:
                said = {"title": short_title(alt.product.title), "words": " ".join(gained[:3]),
                        "price": format_price(alt.product, lang)}
                if alt.price is None or top.price is None or alt.price == top.price:
                    return phrase(lang, "also_matches", **said)
                if alt.price < top.price:
                    return phrase(lang, "also_matches_cheaper", **said)
                return phrase(lang, "also_matches_costs", **said)
        if top.price is not None:
            for j in others:
                alt = self.items[j]
                if alt.price is not None and alt.price <= 0.85 * top.price:
                    return phrase(lang, "cheaper", title=short_title(alt.product.title),
                                  price=format_price(alt.product, lang),
                                  gives_up=self._gives_up(best, j))
        for j in others:
            alt = self.items[j]
            for family, (value, shown) in alt.specs.items():
                if family in top.specs and value > top.specs[family][0]:
                    costs = phrase(lang, "but_costs", price=format_price(alt.product, lang)) \
                        if alt.price else ""
                    return phrase(lang, f"bigger_{family}", title=short_title(alt.product.title),
                                  size=shown, costs=costs)
        if top.price is not None and top.price == self.low and len(self.items) >= 3:
            return phrase(lang, "also_cheapest")
        return ""

    def _gives_up(self, best: int, j: int) -> str:
        lang = self.lang
        lost = [w for w in self.matched(best) if w in self.missing(j)]
        if lost:
            return phrase(lang, "gives_up_word", word=lost[0])
        top, alt = self.items[best], self.items[j]
        for family, (value, shown) in alt.specs.items():
            if family in top.specs and value < top.specs[family][0]:
                return phrase(lang, f"gives_up_{family}", size=shown)
        matched = self.matched(j)
        return phrase(lang, "matches_too", words=" ".join(matched[:4])) if matched else ""


def compose_reasons(request: str, products: Sequence[Product],
                    past: Mapping[str, str] | None = None, met: Sequence[str] = (),
                    lang: Language = "en") -> list[str]:
    """One reason per product, each compared with the rest of ``products`` (the page shown),
    in ``lang``.

    ``past``: product id -> what the shopper did with it ("one you bought before", in
    ``lang``: ``personal.past_clauses``); ``met``: specifications the search filtered by
    (``met_specs``)."""
    page = Page(request, products, past, met, lang)
    return [page.reason(i) for i in range(len(products))]


def met_specs(constraints: Mapping[str, Any]) -> list[str]:
    """The labels of the hard specifications in an answer's constraints: every item met them."""
    return [spec["label"] for spec in constraints.get("specs", ()) if spec.get("hard")]


def matching(request: str, products: Sequence[Product]) -> list[Product]:
    """The products whose title, brand or category has a word of ``request`` (brand aside)."""
    page = Page(request, products)
    return [p for i, p in enumerate(products) if page.matched(i)]


def short_title(title: str, words: int = 7, chars: int = 50) -> str:
    """A title short enough for a sentence: up to its first " - " or comma, a few words."""
    cut = re.split(r"\s+-\s+|,\s|\s\(", title, maxsplit=1)[0].strip() or title
    kept = cut.split()[:words]
    text = " ".join(kept)
    while len(text) > chars and len(kept) > 1:
        kept.pop()
        text = " ".join(kept)
    return text + ("\u2026" if text != " ".join(title.split()) else "")
