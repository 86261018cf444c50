"""Query classes, defined by rule over the catalog's own vocabulary.

Ranking is judged per class, because a ranker that wins on average can still lose a whole kind
of query (short acronyms, plural product words) to plain BM25. The rules, first match wins:

- **model number**: a word mixing letters and digits ("tn-2110", "ps4"), or a bare number that
  is not a measure ("iphone 7"; "27 inch" is a measure);
- **brand only**: the whole query is one of the catalog's brands ("dell", "tripp lite");
- **acronym**: one word the catalog's titles write in capitals ("ssd", "ups", "tv");
- **plural/singular**: one other word the catalog uses ("monitors", "keyboard", "coffee");
- **attribute + type**: several words ending on a product type of the catalog, one of the
  others a measure or an attribute word: one more items use in attribute values than are of
  that type ("27 inch monitor", "wireless mouse", "laser printer", "laptop bag": what it fits);
- **multi-word type**: several words ending on a product type, none of them an attribute
  ("memory card", "projector screen", "head set");
- **other**: the rest (words the catalog lacks, phrases that name no type).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from retrieval.acronyms import Acronyms
from retrieval.ranking.type_lead import UNITS as TITLE_UNITS
from retrieval.ranking.type_lead import TypeLead, query_words, stem_words
from retrieval.tokenize import WORD
from shopchat.records import Product

MIN_ATTRIBUTE_ITEMS = 20
"""Items whose attribute values must use a word before it counts as an attribute word."""

_MIXED = re.compile(r"^(?=.*\d)(?=.*[^\W\d_])[^\W_]{2,}$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_GLUED_UNITS = TITLE_UNITS | {"p", "k"}  # "1080p", "4k"
_MEASURE = re.compile(r"^\d+(?:[.,]\d+)?(?:"
                      + "|".join(sorted(_GLUED_UNITS, key=len, reverse=True)) + r")$")
UNITS = _GLUED_UNITS | {
    "inches", "feet", "foot", "watt", "watts", "volt", "megapixel", "pack", "pcs", "port",
    "ports",
}
"""Units a number may be followed by in a query ("27 inch", "4 port")."""


class QueryClass(StrEnum):
    MODEL_NUMBER = "model number"
    BRAND_ONLY = "brand only"
    ACRONYM = "acronym"
    SINGLE_WORD = "plural/singular"
    ATTRIBUTE_TYPE = "attribute + type"
    MULTI_WORD_TYPE = "multi-word type"
    OTHER = "other"


def is_measure(words: Sequence[str], i: int) -> bool:
    """Is ``words[i]`` a measure ("16gb"), or a number followed by a unit ("27 inch")?"""
    word = words[i]
    if _MEASURE.match(word):
        return True
    return bool(_NUMBER.match(word)) and i + 1 < len(words) and words[i + 1] in UNITS


@dataclass(frozen=True, slots=True)
class QueryClassifier:
    """Classifies queries for one catalog (see the module docstring for the rules)."""

    brands: frozenset[str]
    """Lower-cased brand names as the catalog writes them, words joined by one space."""
    acronyms: frozenset[str]
    types: TypeLead
    attribute_words: dict[str, int]
    """Stemmed words at least ``MIN_ATTRIBUTE_ITEMS`` items use in attribute values, with the
    number of those items."""
    known_word: Callable[[str], bool]
    """Does the catalog's lexical index know this (lower-case) word?"""

    @classmethod
    def build(cls, products: Sequence[Product], types: TypeLead, acronyms: Acronyms,
              known_word: Callable[[str], bool]) -> QueryClassifier:
        brands = frozenset(" ".join(WORD.findall(p.brand.lower())) for p in products if p.brand)
        return cls(brands - {""}, acronyms.known, types, attribute_words(products), known_word)

    def classify(self, query: str) -> QueryClass:
        words = WORD.findall(query.lower())
        if not words:
            return QueryClass.OTHER
        if any(_MIXED.match(w) and not _MEASURE.match(w) for w in words) or any(
            _NUMBER.match(w) and not is_measure(words, i) for i, w in enumerate(words)
        ):
            return QueryClass.MODEL_NUMBER
        if " ".join(words) in self.brands:
            return QueryClass.BRAND_ONLY
        if len(words) == 1:
            if words[0] in self.acronyms:
                return QueryClass.ACRONYM
            return QueryClass.SINGLE_WORD if self.known_word(words[0]) else QueryClass.OTHER
        head = self.types.head(query)
        if head is None:
            return QueryClass.OTHER
        lead, _ = query_words(query)
        modifiers = [w for w in lead if w != head.noun]
        if any(is_measure(words, i) for i in range(len(words))) or any(
            self.is_attribute(w) for w in modifiers
        ):
            return QueryClass.ATTRIBUTE_TYPE
        return QueryClass.MULTI_WORD_TYPE

    def is_attribute(self, word: str) -> bool:
        """A stemmed word more items use as an attribute value than are of that type
        ("wireless", "laser": yes; "laptop", "camera": no)."""
        items = self.attribute_words.get(word, 0)
        return items > 0 and len(self.types.type_rows(word)) < items


def attribute_words(products: Sequence[Product]) -> dict[str, int]:
    """Stemmed letter words that at least ``MIN_ATTRIBUTE_ITEMS`` items use in attribute
    values ("wireless", "bluetooth", "laser", "black"), with how many items do."""
    items: Counter[str] = Counter()
    for p in products:
        words = {w for value in p.attributes.values() for w in WORD.findall(value.lower())
                 if w.isalpha() and len(w) > 1}
        items.update(words)
    out: Counter[str] = Counter()
    for word, n in items.items():
        if n >= MIN_ATTRIBUTE_ITEMS:
            out[stem_words([word])[0]] += n
    return dict(out)
