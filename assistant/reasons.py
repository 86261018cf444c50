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

from shopchat.records import Product

MAX_REASON_CHARS = 240


CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}


def format_amount(price: float | Decimal | None, currency: str) -> str:
    if price is None:
        return "price not listed"
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    return f"{symbol}{price:,.2f}" if symbol else f"{price:,.2f} {currency}"


def format_price(product: Product) -> str:
    return format_amount(product.price, product.currency)


# -- composed reasons: facts about each item against the rest of its page ---------------------

MAX_REASON_WORDS = 25
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


_SPEC_MORE = {"capacity": "the largest capacity here ({})",
              "screen": "the biggest screen here ({})"}
_SPEC_LESS = {"capacity": "has less capacity ({})", "screen": "has a smaller screen ({})"}
_SPEC_BIGGER = {"capacity": "has more capacity ({})", "screen": "has a bigger screen ({})"}


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
                 past: Mapping[str, str] | None = None, met: Sequence[str] = ()) -> None:
        """``met``: specifications every item here meets (the search filtered by them: "27
        inch display diagonal"), said for an item that matches none of the request's words."""
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
        matched, missing = self.matched(i), self.missing(i)
        if not matched:
            return self.met[0] if self.met else "a match by meaning only"
        fit = f"matches \u201c{' '.join(matched[:4])}\u201d"
        return fit + (f" (not \u201c{' '.join(missing[:2])}\u201d)" if missing else "")

    # -- what sets one item apart ------------------------------------------------------------

    def _distinctions(self, i: int) -> list[str]:
        it, n = self.items[i], len(self.items)
        out: list[str] = []
        if past := self.past.get(it.product.id):
            out.append(past)
        brand = it.product.brand
        asked_brand = any(k in it.brand_keys for k, _ in self.request)
        if asked_brand and n >= 2 and self.brand_count[brand.lower()] == 1:
            out.append(f"the only {' '.join(brand.split()[:4])} here")
        only = [w for k, w in self.asked(i)
                if k in it.keys and not _is_number(w) and self.count[k] == 1]
        two = [w for k, w in self.asked(i)
               if k in it.keys and not _is_number(w) and self.count[k] == 2]
        if only and n >= 3:
            out.append(f"the only one here mentioning \u201c{only[0]}\u201d")
        elif two and n >= 6:
            out.append(f"one of two here mentioning \u201c{two[0]}\u201d")
        if it.price is not None and it.price == self.low:
            out.append("the cheapest here")
        for family, (value, shown) in it.specs.items():
            rivals = [o.specs[family][0] for j, o in enumerate(self.items)
                      if j != i and family in o.specs]
            if rivals and value > max(rivals):
                out.append(_SPEC_MORE[family].format(shown))
        if it.price is not None and it.price == self.high:
            out.append("the priciest here")
        return out

    def reason(self, i: int) -> str:
        """One sentence, at most ``MAX_REASON_WORDS`` words, from the item and its page."""
        p = self.items[i].product
        brand = " ".join(p.brand.split()[:4])
        price = format_price(p) if p.price is not None else ""
        by = " ".join(part for part in (f"by {brand}" if brand else "",
                                         f"at {price}" if price else "") if part)
        head = [part for part in (self._fit(i), by) if part]
        extra = self._distinctions(i)[:2]
        while True:
            text = ", ".join([*head, " and ".join(extra)] if extra else head)
            if len(text.split()) <= MAX_REASON_WORDS or not extra:
                break
            extra.pop()
        if not text:
            return "Listed in the catalog."
        return (text[0].upper() + text[1:])[: MAX_REASON_CHARS - 1] + "."

    # -- the page's lead and its one trade-off -----------------------------------------------

    def tradeoff(self, best: int = 0) -> str:
        """The one trade-off against the best match, as a sentence ("" when there is none):
        another item with asked-for words the best lacks, else a materially cheaper item and
        what it gives up, else a bigger one and what it costs."""
        top = self.items[best]
        others = [j for j in range(len(self.items)) if j != best]
        lacking = {k for k, _ in self.asked(best) if k not in top.keys}
        for j in others:
            alt = self.items[j]
            gained = [w for k, w in self.asked(j) if k in lacking and k in alt.keys]
            if gained:
                said = (f"The {short_title(alt.product.title)} matches "
                        f"\u201c{' '.join(gained[:3])}\u201d")
                if alt.price is None or top.price is None or alt.price == top.price:
                    return f"{said} too."
                if alt.price < top.price:
                    return f"{said} and is cheaper ({format_price(alt.product)})."
                return f"{said} but costs {format_price(alt.product)}."
        if top.price is not None:
            for j in others:
                alt = self.items[j]
                if alt.price is not None and alt.price <= 0.85 * top.price:
                    return (f"The {short_title(alt.product.title)} is cheaper "
                            f"({format_price(alt.product)}){self._gives_up(best, j)}.")
        for j in others:
            alt = self.items[j]
            for family, (value, shown) in alt.specs.items():
                if family in top.specs and value > top.specs[family][0]:
                    costs = f" but costs {format_price(alt.product)}" if alt.price else ""
                    return (f"The {short_title(alt.product.title)} "
                            f"{_SPEC_BIGGER[family].format(shown)}{costs}.")
        if top.price is not None and top.price == self.low and len(self.items) >= 3:
            return "It is also the cheapest here."
        return ""

    def _gives_up(self, best: int, j: int) -> str:
        lost = [w for w in self.matched(best) if w in self.missing(j)]
        if lost:
            return f" but does not mention \u201c{lost[0]}\u201d"
        top, alt = self.items[best], self.items[j]
        for family, (value, shown) in alt.specs.items():
            if family in top.specs and value < top.specs[family][0]:
                return " but " + _SPEC_LESS[family].format(shown)
        matched = self.matched(j)
        return f" and matches \u201c{' '.join(matched[:4])}\u201d too" if matched else ""


def compose_reasons(request: str, products: Sequence[Product],
                    past: Mapping[str, str] | None = None, met: Sequence[str] = ()) -> list[str]:
    """One reason per product, each compared with the rest of ``products`` (the page shown).

    ``past``: product id -> what the shopper did with it ("one you bought before"); ``met``:
    specifications the search filtered by (``met_specs``)."""
    page = Page(request, products, past, met)
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
