"""The asked-for product type leads: a rule stage after the ranker.

When the query's head noun is a product type the catalog has ("a quiet gaming mouse" ->
mouse), items of that type come before the accessories of it (mouse pads, laptop bags, SSD
enclosures) in the ranked list, unless the query asks for the accessory itself ("gaming mouse
pad": the head noun is pad). Items that are neither keep their places.

Everything is read from the catalog's own titles and categories; the one fixed list is a
generic English lexicon of accessory words. The rules, on a title without its leading brand:

- a *mention* of ``t`` is the word ``t`` (stemmed), except in a spec ("512 GB SSD": after a
  number and a unit) or among the extras (all after "with" or "w/", the word after "+":
  "fan w/ holder", "card + adapter"), which the rules below do not read either;
- an item *is an accessory of* ``t`` when it mentions ``t`` after "for" ("FireWire for
  laptop") or an accessory word the query did not ask for comes after a mention ("mouse pad",
  "notebook case 15.6 in"): English puts the head of a compound last. An accessory word right
  before a mention only says which ``t`` it is ("docking speaker", "case fan");
- an item *is of type* ``t`` when its category's last word is ``t``, or when it mentions ``t``
  and has no accessory word the query did not ask for; when ``t`` is itself an accessory word
  ("laptop bag"), every item that mentions it is of type ``t``;
- an item that mentions ``t`` after an accessory word is neither ("screen protector ... Mobile
  phone/Smartphone", "LUNCH BAG VINTAGE LEAF": catalogs list the device served, or the design,
  after the type), so the stage leaves it where it is;
- ``t`` is a *catalog product type* when at least ``MIN_TYPE_ITEMS`` items are of type ``t``;
- the query's *head noun* is its last word before any "for / with / not / by ..." phrase,
  leaving out numbers, single letters and one-word brand names ("iphone 7" -> iphone).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

import numpy as np

from retrieval.tokenize import STOPWORDS, _stemmer
from shopchat.records import Product

WINDOW = 20
"""How deep in the ranked list the stage reorders: the first two pages. Deeper, it lifts items
that name the type but match the rest of the query worse (floppy drives above "external hard
drive" enclosures; docs/RELEVANCE.md has the depths tried). Independent of k, so a top 10 is
the prefix of a top 100."""
MIN_TYPE_ITEMS = 3
"""Items of a type the catalog must hold for a query naming it to count as asking for it."""


@lru_cache(maxsize=1 << 17)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def stem_words(words: Iterable[str]) -> list[str]:
    return [_stem(w) for w in words]


ACCESSORY_WORDS = frozenset(stem_words([
    "accessory", "accessories", "adapter", "adaptor", "arm", "backpack", "bag", "battery",
    "bracket", "cable", "cartridge", "case", "charger", "cleaner", "cord", "cover", "cradle",
    "cushion", "dock", "enclosure", "film", "filter", "guard", "holder", "holster", "ink",
    "lens", "lock", "mat", "mount", "pad", "part", "pouch", "protector", "refill", "remote",
    "ribbon", "shell", "skin", "sleeve", "stand", "strap", "stylus", "toner",
]))
"""Generic English words for things that go with a product rather than being it."""

_TOKEN = re.compile(r"[^\W_]+|\+", re.UNICODE)
_NUMBER = re.compile(r"^\d+$")
UNITS = frozenset({
    "kb", "mb", "gb", "tb", "hz", "khz", "mhz", "ghz", "mm", "cm", "m", "in", "inch", "ft", "w",
    "kw", "v", "mah", "ah", "g", "kg", "ml", "l", "mp", "dpi", "ppm", "rpm",
})
"""Units after a number: what follows them is a spec of the item, not the item ("512 GB SSD")."""
_MEASURE = re.compile(r"^\d+(?:" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")$")
"""A number and its unit written as one word ("512GB")."""
_FOR = "for"  # "case for laptop": the laptop is what the case serves
_WITH = re.compile(r"\bw/")
_EXTRAS = frozenset({"with", "incl", "including"})
"""Words after which a title lists what comes with the item ("fan with holder")."""
_PLUS = "+"  # "card + adapter": the word after it comes with the item
QUERY_CUTS = frozenset({
    "for", "with", "without", "not", "no", "except", "but", "by", "from", "under", "over",
    "below", "above", "between", "compatible",
})
"""Words after which a query no longer names what it asks for ("mouse, not Razer")."""


class Kind(IntEnum):
    OTHER = 0
    TYPE = 1
    ACCESSORY = 2


def _measured(raw: Sequence[str], j: int) -> bool:
    """Does a measure come right before ``raw[j]`` ("512 GB SSD", "512GB SSD")?"""
    before = raw[j - 1] if j else ""
    return bool(_MEASURE.match(before)) or (
        j >= 2 and before in UNITS and bool(_NUMBER.match(raw[j - 2])))


@dataclass(frozen=True, slots=True)
class Title:
    """One item's title (and category) as the rules read them."""

    words: tuple[str, ...]
    """Stemmed title words before the extras ("with ..."), without stopwords, the leading brand
    and the word after each "+"."""
    mentions: frozenset[int]
    """Positions in ``words`` that may name what the item is (not in a spec)."""
    after_for: frozenset[int]
    """Positions right after "for"."""
    category_head: str
    """Last word of the category (stemmed); "" when there is none."""

    @classmethod
    def of(cls, title: str, brand: str = "", category: str = "") -> Title:
        raw = _TOKEN.findall(_WITH.sub(" with ", title.lower()))
        brand_words = _TOKEN.findall(brand.lower())
        if brand_words and raw[: len(brand_words)] == brand_words:
            raw = raw[len(brand_words):]
        words: list[str] = []
        mentions: set[int] = set()
        after_for: set[int] = set()
        for j, word in enumerate(raw):
            if word in _EXTRAS:
                break
            if word in STOPWORDS or word == _PLUS or (j and raw[j - 1] == _PLUS):
                continue
            if not _measured(raw, j):
                mentions.add(len(words))
            if j and raw[j - 1] == _FOR:
                after_for.add(len(words))
            words.append(_stem(word))
        cat = stem_words(_TOKEN.findall(category.lower()))
        return cls(tuple(words), frozenset(mentions), frozenset(after_for), cat[-1] if cat else "")

    def kind(self, head: str, asked: frozenset[str] = frozenset()) -> Kind:
        """Is this item of type ``head``, an accessory of it, or neither? ``asked``: the query's
        words (an accessory word the query names is not held against an item)."""
        if self.category_head == head:
            return Kind.TYPE
        named = [i for i in self.mentions if self.words[i] == head]
        if not named:
            return Kind.OTHER
        if head in ACCESSORY_WORDS:
            return Kind.TYPE
        if any(i in self.after_for for i in named):
            return Kind.ACCESSORY
        accessory = ACCESSORY_WORDS - asked
        qualifiers = {i - 1 for i in named}  # "docking speaker": a dock word says which speaker
        first = min(named)
        found = [j for j, w in enumerate(self.words) if w in accessory and j not in qualifiers]
        if any(j > first for j in found):
            return Kind.ACCESSORY
        # "screen protector ... tablet", "LUNCH BAG VINTAGE LEAF": either may be the head
        return Kind.OTHER if found else Kind.TYPE


@dataclass(frozen=True, slots=True)
class Head:
    """What a query asks for: its head noun and all its words (stemmed)."""

    noun: str
    asked: frozenset[str]


def query_words(text: str) -> tuple[list[str], frozenset[str]]:
    """(the stemmed words before the first cut word, all the query's stemmed words)."""
    raw = [w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS or w in QUERY_CUTS]
    cut = next((j for j, w in enumerate(raw) if w in QUERY_CUTS), len(raw))
    return stem_words(raw[:cut]), frozenset(stem_words(w for w in raw if w not in QUERY_CUTS))


class TypeLead:
    """The rule stage for one catalog: which product types it has, and the reordering."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.titles = [Title.of(p.title, p.brand, p.category) for p in products]
        self.row_of = {p.id: row for row, p in enumerate(products)}
        self.brands = frozenset(  # one-word brand names, stemmed like the query's words
            _stem(w) for p in products if len(ws := _TOKEN.findall(p.brand.lower())) == 1
            for w in ws
        )
        rows_of: dict[str, list[int]] = defaultdict(list)
        for row, t in enumerate(self.titles):
            for word in {t.words[i] for i in t.mentions} | ({t.category_head} - {""}):
                rows_of[word].append(row)
        self._rows_of = dict(rows_of)
        self.is_type = lru_cache(maxsize=4096)(self._is_type)
        self._type_rows = lru_cache(maxsize=1024)(self._type_rows_uncached)

    def _is_type(self, word: str) -> bool:
        """At least ``MIN_TYPE_ITEMS`` items of the catalog are of type ``word``."""
        found = 0
        for row in self._rows_of.get(word, ()):
            found += self.titles[row].kind(word, frozenset({word})) is Kind.TYPE
            if found >= MIN_TYPE_ITEMS:
                return True
        return False

    def head(self, query: str) -> Head | None:
        """The product type ``query`` asks for, when it names one this catalog has (never a
        unit or a measure: "notebook at least 32 gb" asks for a notebook)."""
        lead, asked = query_words(query)
        words = [w for w in lead if len(w) > 1 and not w.isdigit() and w not in self.brands
                 and w not in UNITS and not _MEASURE.match(w)]
        if not words or not self.is_type(words[-1]):
            return None
        return Head(words[-1], asked)

    def type_words(self, rows: np.ndarray) -> Counter[str]:
        """How many of ``rows`` are of each catalog product type (by title or category)."""
        counts: Counter[str] = Counter()
        for row in rows.tolist():
            title = self.titles[row]
            nouns = {title.words[i] for i in title.mentions} | ({title.category_head} - {""})
            counts.update(n for n in nouns if self.is_type(n)
                          and title.kind(n, frozenset({n})) is Kind.TYPE)
        return counts

    def type_rows(self, noun: str) -> np.ndarray:
        """Rows of the items of type ``noun`` (stemmed), in row order."""
        return self._type_rows(noun)

    def _type_rows_uncached(self, noun: str) -> np.ndarray:
        asked = frozenset({noun})
        rows = [r for r in self._rows_of.get(noun, ()) if self.titles[r].kind(noun, asked)
                is Kind.TYPE]
        return np.asarray(rows, dtype=np.int64)

    def kind(self, row: int, head: Head) -> Kind:
        return self.titles[row].kind(head.noun, head.asked)

    def kind_of(self, product_id: str, head: Head) -> Kind:
        """``kind`` by product id (OTHER for an id not in the catalog)."""
        row = self.row_of.get(product_id)
        return Kind.OTHER if row is None else self.kind(row, head)

    def reorder(self, query: str, rows: np.ndarray, order: np.ndarray) -> np.ndarray:
        """``order`` (indices into ``rows``, best first) with, within its first ``WINDOW``, the
        places held by the asked type and its accessories refilled type first; every other item
        keeps its place. Unchanged when the query names no catalog product type."""
        head = self.head(query)
        if head is None:
            return order
        top = order[:WINDOW]
        kinds = [self.kind(int(rows[i]), head) for i in top.tolist()]
        if Kind.ACCESSORY not in kinds or Kind.TYPE not in kinds:
            return order
        slots = [j for j, k in enumerate(kinds) if k is not Kind.OTHER]
        movers = [top[j] for j in slots if kinds[j] is Kind.TYPE]
        movers += [top[j] for j in slots if kinds[j] is Kind.ACCESSORY]
        out = order.copy()
        out[slots] = movers
        return out
