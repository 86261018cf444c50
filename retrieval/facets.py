"""Facet counts over an answer's candidates: brand, price bands and the few specifications
that best split them, each value with the follow-up message that applies it ("only Logitech",
"under $50", "27 inch", "with bluetooth", "IPS").

Which specifications are shown is decided per candidate set from the catalog's
``SpecVocabulary``: an attribute scores its coverage among the candidates times the entropy of
its values there, so one every item shares, or one few items have, never shows.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise

from retrieval.specs.bounds import attribute_words
from retrieval.specs.parser import RESOLUTIONS
from retrieval.specs.units import UNITS, item_base, unit_label
from retrieval.specs.vocabulary import SpecVocabulary
from shopchat.records import CURRENCY_SYMBOLS, Product

log = logging.getLogger(__name__)

MIN_COVERAGE = 0.3
"""Share of the candidates a specification's shown values must cover to be a facet."""
MAX_VALUES_PER_ITEM = 1.5
"""A text attribute whose items list more values than this on average (operating systems,
apps, standards) describes them, it does not split them."""
SINGLETONS_BELOW = 10
"""From this many candidates on, a specification value only one candidate has is not shown."""
MIN_PRICE_BANDS, MAX_PRICE_BANDS = 3, 5
"""The symbols the query parser reads as a currency; other currencies get a bare number."""
_INTERNAL = frozenset({"model", "ean", "sku", "mpn", "upc", "gtin", "id", "url", "barcode",
                       "serial", "isbn", "asin", "code", "reference", "part", "date"})
"""Words whose presence in an attribute's name marks it as bookkeeping, not a spec."""
_COUNTS = frozenset({"quantity", "ports", "slots", "number", "version", "pin", "cores",
                     "threads"})
"""Words naming a count: a unit learned for such an attribute is a coincidence of titles."""
_NAME_OF_RESOLUTION = {value: name for name, value in reversed(RESOLUTIONS.items())}
"""Stored resolution -> the name shoppers type ("3840 x 2160" -> "4k")."""


@dataclass(frozen=True, slots=True)
class FacetValue:
    label: str
    """What the chip says: "Logitech", "under $50", "27 inch", "yes", "IPS"."""
    count: int
    """Candidates that have this value."""
    query: str
    """The follow-up message that applies it in the conversation ("only Logitech")."""


@dataclass(frozen=True, slots=True)
class Facet:
    name: str
    """"brand", "price", or the attribute's name ("display_diagonal")."""
    label: str
    """For people: "Brand", "Price", "Display diagonal"."""
    values: tuple[FacetValue, ...]


def facets_for(products: Sequence[Product], vocabulary: SpecVocabulary, *,
               currency_symbol: str | None = None, max_specs: int = 3,
               max_values: int = 6) -> list[Facet]:
    """Brand, price and up to ``max_specs`` specification facets over ``products`` (the
    answer's candidates), each with at most ``max_values`` values; a facet with fewer than two
    values is left out. ``currency_symbol``: how prices are written (default: from the
    candidates' currency, "$" for USD)."""
    if not products:
        return []
    symbol = currency_symbol if currency_symbol is not None else _symbol(products)
    out = [f for f in (_brands(products, max_values), _prices(products, symbol)) if f]
    out.extend(_specs(products, vocabulary, max_specs, max_values))
    return out


def _symbol(products: Sequence[Product]) -> str:
    currency = Counter(p.currency for p in products if p.price is not None).most_common(1)
    return CURRENCY_SYMBOLS.get(currency[0][0] if currency else "USD", "")


# -- brand ------------------------------------------------------------------------------------


def _brands(products: Sequence[Product], max_values: int) -> Facet | None:
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    for p in products:
        name = p.brand.strip()
        if name:
            spelled[name.lower()][name] += 1
    if len(spelled) < 2:
        return None
    counted = sorted(((sum(c.values()), c.most_common(1)[0][0]) for c in spelled.values()),
                     key=lambda x: (-x[0], x[1].lower()))
    return Facet("brand", "Brand", tuple(FacetValue(name, n, f"only {name}")
                                         for n, name in counted[:max_values]))


# -- price ------------------------------------------------------------------------------------


def _prices(products: Sequence[Product], symbol: str) -> Facet | None:
    """3-5 bands between round amounts near the prices' quantiles; every band has items and
    together they hold every priced candidate (an item priced exactly at a bound counts in
    the upper band, though "under $50" also takes it)."""
    prices = sorted(float(p.price) for p in products if p.price is not None)
    distinct = len(set(prices))
    if distinct < 2:
        return None
    bands = min(distinct, max(MIN_PRICE_BANDS, min(MAX_PRICE_BANDS, len(prices) // 5)))
    edges = [-math.inf, *_bounds(prices, bands), math.inf]
    values = []
    for low, high in pairwise(edges):
        n = sum(1 for x in prices if low <= x < high)
        lo, hi = _amount(low, symbol), _amount(high, symbol)
        if low == -math.inf:
            values.append(FacetValue(f"under {hi}", n, f"under {hi}"))
        elif high == math.inf:
            values.append(FacetValue(f"over {lo}", n, f"over {lo}"))
        else:
            values.append(FacetValue(f"{lo}\u2013{hi}", n, f"between {lo} and {hi}"))
    return Facet("price", "Price", tuple(values))


def _bounds(prices: list[float], bands: int) -> list[float]:
    """A round amount near each quantile of ``prices`` (sorted), the roundest in a window
    around it; every band between them holds at least one price."""
    n = len(prices)
    half = n / bands / 3
    # j: prices[:j] fall below any amount in (prices[j - 1], prices[j]]
    splits = [j for j in range(1, n) if prices[j - 1] < prices[j]]
    out: list[float] = []
    for k in range(1, bands):
        at = k * n / bands
        floor = out[-1] if out else -math.inf
        usable = [j for j in splits if prices[j - 1] >= floor]
        if not usable:
            break
        near = [j for j in usable if at - half <= j <= at + half]
        if near:
            low, high = prices[near[0] - 1], prices[near[-1]]
        else:
            j = min(usable, key=lambda j: (abs(j - at), j))
            low, high = prices[j - 1], prices[j]
        bound = _roundest(low, high)
        if bound > floor:
            out.append(bound)
    return out


_STEPS = sorted({m * 10.0 ** k for k in range(-2, 9) for m in (1, 2, 5)}
                | {25 * 10.0 ** k for k in range(0, 8)} | {0.25}, reverse=True)
"""Round amounts are multiples of these: 1-2-5 and 25 per power of ten, largest first."""


def _roundest(low: float, high: float) -> float:
    """The roundest amount in (low, high]: a multiple of the largest step that has one there
    ($100 before $50 before $25 before $20; cents last)."""
    for step in _STEPS:
        if step > high:
            continue
        amount = round((math.floor(low / step + 1e-9) + 1) * step, 2)
        if low < amount <= high:
            return amount
    return round(high, 2)


def _amount(x: float, symbol: str) -> str:
    text = f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"
    return f"{symbol}{text}"


# -- specifications ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    name: str
    counts: Counter[str]
    """Value key -> candidates that have it."""
    labels: dict[str, str]
    queries: dict[str, str]
    order: dict[str, float]
    """Value key -> its place among the shown values (numbers ascending)."""
    items: int = 0
    listed: int = 0
    """Candidates with a value, and the values they list together."""


def _specs(products: Sequence[Product], vocabulary: SpecVocabulary, max_specs: int,
           max_values: int) -> list[Facet]:
    tallies = _tally(products, vocabulary)
    scored: list[tuple[float, str, Facet]] = []
    least = 2 if len(products) >= SINGLETONS_BELOW else 1
    for tally in tallies.values():
        if tally.listed > MAX_VALUES_PER_ITEM * tally.items:
            continue
        top = sorted(((k, n) for k, n in tally.counts.items() if n >= least),
                     key=lambda kv: (-kv[1], tally.order[kv[0]], kv[0]))[:max_values]
        if len(top) < 2:
            continue
        covered = sum(n for _, n in top)
        coverage = min(1.0, covered / len(products))
        if coverage < MIN_COVERAGE:
            continue
        score = coverage * _entropy([n for _, n in top])
        shown = sorted(top, key=lambda kv: (tally.order[kv[0]], -kv[1], kv[0]))
        facet = Facet(tally.name, attribute_words(tally.name).capitalize(), tuple(
            FacetValue(tally.labels[k], n, tally.queries[k]) for k, n in shown))
        scored.append((score, tally.name, facet))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [facet for _, _, facet in scored[:max_specs]]


def _entropy(counts: list[int]) -> float:
    total = sum(counts)
    return -sum(n / total * math.log2(n / total) for n in counts if n)


def _tally(products: Sequence[Product], vocabulary: SpecVocabulary) -> dict[str, _Tally]:
    """Per specification attribute enough candidates have, the count of each of its values."""
    brands = {p.brand.strip().lower() for p in products if p.brand.strip()}
    having: Counter[str] = Counter()
    for p in products:
        having.update(p.attributes.keys())
    least = MIN_COVERAGE * len(products)
    readers: dict[str, Callable[[str, str], list[_Value]]] = {}  # (raw value, title)
    for name, n in having.items():
        if n < least:
            continue
        if name in vocabulary.numeric and not _internal(name, "number"):
            readers[name] = partial(_numeric, vocabulary, name)
        elif name in vocabulary.flags and not _internal(name, "flag"):
            readers[name] = partial(_flag, vocabulary, name)
        elif name in vocabulary.choices and not _internal(name, "choice"):
            readers[name] = partial(_choices, vocabulary, name, brands=brands)
    out: dict[str, _Tally] = {name: _Tally(name, Counter(), {}, {}, {}) for name in readers}
    for p in products:
        for name, read in readers.items():
            raw = p.attributes.get(name)
            if raw is None or not (got := read(raw, p.title)):
                continue
            tally = out[name]
            tally.items += 1
            tally.listed += max(len(got), raw.count(",") + 1)  # every value it lists
            for key, label, query, order in got:
                tally.counts[key] += 1
                tally.labels.setdefault(key, label)
                tally.queries.setdefault(key, query)
                tally.order.setdefault(key, order)
    return out


def _internal(name: str, kind: str) -> bool:
    words = set(name.lower().split("_"))
    return bool(words & _INTERNAL) or (kind == "number" and bool(words & _COUNTS))


_Value = tuple[str, str, str, float]
"""(key, label, query, order) of one value an item has."""


def _numeric(vocabulary: SpecVocabulary, name: str, raw: str, title: str) -> list[_Value]:
    """ "27 inch", "16 GB", "1 TB": the stored number in the unit titles state it in, in the
    scale the item's own title shows (``units.item_base``: a module stored as 1024 MB is 1 GB).
    Alone, it is a follow-up the parser reads for the conversation's product type; with a word
    added ("16 GB ram") it would start a new search."""
    attr = vocabulary.numeric[name]
    try:
        stored = float(raw)
    except ValueError:
        return []
    if stored <= 0 or not math.isfinite(stored):
        return []
    base = item_base(stored, title, attr.dimension, attr.scales[0])
    unit = _shown_unit(attr.unit, attr.dimension, base)
    value = _sensible(base / UNITS[unit][1], attr.dimension)
    text = f"{value:g}" if value < 1e6 else f"{value:.0f}"
    label = f"{text} {unit_label(unit)}"
    return [(label, label, label, base)]


def _shown_unit(unit: str, dimension: str, base: float) -> str:
    """Data sizes in the largest unit that keeps the number at least 1 (1000 GB is 1 TB)."""
    if dimension != "bytes":
        return unit
    for bigger in ("tb", "gb", "mb", "kb"):
        if base >= UNITS[bigger][1] * 0.97:
            return bigger
    return unit


def _sensible(x: float, dimension: str) -> float:
    """Three significant digits (15.6, 23.8, 512); a data size within 3% of a whole number is
    that number, as it is sold (1024 GB is "1 TB")."""
    if dimension == "bytes" and x >= 1 and abs(x - round(x)) <= 0.03 * x:
        return float(round(x))
    if x >= 100:
        return float(round(x))
    return float(f"{x:.3g}")


def _flag(vocabulary: SpecVocabulary, name: str, raw: str, title: str = "") -> list[_Value]:
    said = vocabulary.flags[name].words[0]
    low = raw.strip().lower()
    if low == "yes":
        return [("yes", "yes", f"with {said}", 0.0)]
    if low == "no":
        return [("no", "no", f"without {said}", 1.0)]
    return []


def _choices(vocabulary: SpecVocabulary, name: str, raw: str, title: str = "", *,
             brands: set[str]) -> list[_Value]:
    """The item's values the vocabulary knows, as written in the catalog ("IPS"), asked for
    as a follow-up ("IPS ones": a bare value would start a new search); a display resolution
    by its name ("4k ones")."""
    known = vocabulary.choices[name].counts
    out: list[_Value] = []
    for part in raw.split(","):
        shown = part.strip()
        key = shown.lower()
        if key not in known or len(key) < 3 or key in brands or not any(
                ch.isalpha() for ch in key):
            continue
        said = _NAME_OF_RESOLUTION.get(key, shown)
        label = f"{_resolution_name(said)} ({shown})" if key in _NAME_OF_RESOLUTION else shown
        out.append((key, label, f"{said} ones", 0.0))
    return out


def _resolution_name(name: str) -> str:
    """ "full hd" -> "Full HD", "4k" -> "4K"."""
    return " ".join(w.capitalize() if w in ("full", "ready", "ultra") else w.upper()
                    for w in name.split())
