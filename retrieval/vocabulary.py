"""What search learns from a catalog's own text on first use: its acronyms and query classes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import cached_property

from retrieval.acronyms import Acronyms
from retrieval.query_classes import QueryClassifier
from retrieval.ranking.type_lead import TypeLead
from retrieval.tokenize import WORD
from retrieval.types import ParsedQuery
from shopchat.records import Product


class CatalogVocabulary:
    """Learned lazily (about 1 s on Icecat) and shared by a searcher and its twins."""

    def __init__(self, products: Sequence[Product], types: TypeLead,
                 known_word: Callable[[str], bool]) -> None:
        self.products = products
        self.types = types
        self._known_word = known_word

    @cached_property
    def acronyms(self) -> Acronyms:
        """The acronyms the catalog writes and what they stand for."""
        return Acronyms.learn(self.products)

    @cached_property
    def query_classes(self) -> QueryClassifier:
        """Classes queries by rule over the catalog's vocabulary."""
        return QueryClassifier.build(self.products, self.types, self.acronyms,
                                     self._known_word)

    def spelled(self, parsed: ParsedQuery) -> ParsedQuery:
        """``parsed`` also searching an acronym's expansion ("ssd" -> "solid state drive") and a
        spelled-out expansion's acronym."""
        extra = self.acronyms.expand(WORD.findall(parsed.search_text.lower()))
        if not extra:
            return parsed
        return dataclasses.replace(parsed, text=" ".join([parsed.search_text, *extra]))
