"""Chinese words -> the English words one catalog uses for them.

Glosses come from the shop vocabulary and CC-CEDICT, kept only where the catalog's own titles
use them: "音箱" is glossed "speaker" (the catalog's word), never "resonating chamber of a
musical instrument". Among a word's senses the one the catalog's titles use most wins.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from retrieval.chinese.cedict import cedict
from retrieval.chinese.shop_words import BRANDS, SHOP_WORDS
from shopchat.records import Product

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
MAX_SENSE_WORDS = 3
_GLUE = frozenset({"of", "a", "an", "the", "for", "and", "or", "to", "with", "in", "on", "sb",
                   "sth", "etc", "one's"})


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class CatalogGlossary:
    """Built once per catalog from its titles, brands, categories and descriptions."""

    def __init__(self, products: Iterable[Product]) -> None:
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        for p in products:  # every word search reads; pairs as titles and descriptions say them
            words = _words(f"{p.title} {p.category}")
            described = _words(p.description)
            unigrams.update(set(words) | set(described) | set(_words(p.brand)))
            bigrams.update(set(pairwise(words)) | set(pairwise(described)))
        self._unigrams = unigrams
        self._bigrams = bigrams
        self.brands = BRANDS
        self.english = lru_cache(maxsize=4096)(self._english)

    def frequency(self, word: str) -> int:
        """Titles with ``word`` or its plural/singular."""
        forms = {word, word + "s", word[:-1] if word.endswith("s") else word,
                 word[:-2] if word.endswith("es") else word}
        return max(self._unigrams.get(f, 0) for f in forms)

    def phrase_frequency(self, phrase: str) -> int:
        """Titles with every word of ``phrase`` (adjacent pairs for a phrase); 0: some word is
        not the catalog's."""
        words = [w for w in _words(phrase) if w not in _GLUE]
        if not words or len(words) > MAX_SENSE_WORDS:
            return 0
        counts = [self.frequency(w) for w in words]
        if min(counts) == 0:
            return 0
        if len(words) == 1:
            return counts[0]
        adjacent = min(self._bigrams.get(pair, 0) for pair in pairwise(words))
        return adjacent if adjacent else min(counts) // 4  # the words, never side by side

    def _english(self, word: str) -> str | None:
        """The catalog's English for a Chinese word; None when it has none."""
        if word in self.brands:
            return self.brands[word]
        if word in SHOP_WORDS:
            if not SHOP_WORDS[word]:
                return ""
            used = [(self.phrase_frequency(alt), self.knows_all(alt), alt)
                    for alt in SHOP_WORDS[word].split("|")]
            frequency, known, choice = max(used)
            return choice if frequency or known else None  # a shop phrase the titles split
        senses = cedict().get(word)
        if not senses:
            return None
        scored = [(self.phrase_frequency(s), -i, s) for i, s in enumerate(senses)]
        top, _, sense = max(scored, default=(0, 0, ""))
        if top == 0:
            return None
        picked = [sense]
        # an acronym sense beside a phrase ("solid-state drive (SSD)") is searched too
        picked += [s for f, _, s in scored if f and s != sense and s.isupper()][:1]
        return " ".join(picked).lower()

    def knows_all(self, phrase: str) -> bool:
        """Every word of ``phrase`` is one the catalog uses."""
        words = [w for w in _words(phrase) if w not in _GLUE]
        return bool(words) and all(self.frequency(w) for w in words)
