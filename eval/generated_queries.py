"""Training queries generated from the catalog itself, labelled 0-3 by rules over its fields.

Judged queries are few (95 for Icecat) and were pooled from another engine; a ranker fit on
them learns those queries. These are thousands more, written from the items the catalog holds,
one template per query class (``retrieval.query_classes``):

- **plural/singular**: an item's product type, singular or plural ("monitor", "monitors");
- **attribute + type**: an attribute word or a measure from its title before the type
  ("wireless mouse", "16gb memory");
- **multi-word type**: its brand and type ("hp printer"), or the two title words ending on the
  type ("toner cartridge");
- **brand only**: its brand ("tripp lite");
- **model number**: its model code, alone or after the brand ("tn-2110", "brother tn-2110");
- **acronym**: an acronym the catalog spells out, or one its titles use as a type ("ssd",
  "ups");

and a share with one typo ("keyboadr"). Every template records what it asked for (type,
brand, attribute, model code), and an item's label follows from its own fields: an item of the
asked type (``TypeLead``'s reading of its title) scores 3, less one per asked brand or
attribute it lacks; the asked model 3, its siblings of the brand 1; an item of the asked brand
2; an accessory of the type, or anything else, 0. Deterministic for a seed.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.acronyms import Acronyms
from retrieval.query_classes import QueryClass, QueryClassifier
from retrieval.ranking.features import model_code
from retrieval.ranking.type_lead import Kind, Title, TypeLead, stem_words
from retrieval.tokenize import WORD
from shopchat.records import Product

MIN_TYPE = 20
"""Items whose titles a type word must lead before a query asks for it."""
TYPO_SHARE = 0.1
"""Share of generated queries given one typo."""
MIN_TYPO_WORD = 5
"""Letters a word needs before a typo is put in it."""
_UNIT_AFTER = re.compile(r"^(\d+(?:\.\d+)?)\s*(gb|tb|mb|inch|in|mm|cm|w|mah|ghz|mp|m)$")


@dataclass(frozen=True, slots=True)
class GeneratedQuery:
    """One generated query and what it asks for (stemmed type and attribute words)."""

    text: str
    query_class: QueryClass
    head: str = ""
    brand: str = ""
    attribute: str = ""
    code: str = ""
    acronym: str = ""


def plural(word: str) -> str:
    """The English plural of a lower-case noun ("battery" -> "batteries", "box" -> "boxes")."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def typo(word: str, rng: random.Random) -> str:
    """``word`` with two neighbouring letters swapped or one dropped."""
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i + 1:]


class QueryGenerator:
    """Writes and labels queries for one catalog."""

    def __init__(self, products: Sequence[Product], types: TypeLead, acronyms: Acronyms,
                 classifier: QueryClassifier) -> None:
        self.products = products
        self.types = types
        self.acronyms = acronyms
        self.classifier = classifier
        self.titles: list[Title] = types.titles
        surface: dict[str, Counter[str]] = defaultdict(Counter)
        for p in products:
            words = [w for w in WORD.findall(p.title.lower()) if w.isalpha()]
            for word, stem in zip(words, stem_words(words), strict=True):
                surface[stem][word] += 1
        self.surface = {stem: c.most_common(1)[0][0] for stem, c in surface.items()}
        self.codes = [model_code(p.attributes.get("model", "")) for p in products]
        self.brands = [p.brand.lower() for p in products]
        self._brand_words = frozenset(stem_words(w for b in self.brands for w in WORD.findall(b)))
        self._item_types = [self._first_type(row) for row in range(len(products))]
        self._leading = frozenset(w for w, n in Counter(self._item_types).items()
                                  if w and n >= MIN_TYPE)
        self._item_words = [frozenset(stem_words(WORD.findall(
            f"{p.title} {' '.join(p.attributes.values())}".lower()))) for p in products]

    # --- what an item is ------------------------------------------------------------------

    def item_type(self, row: int) -> str:
        """The stemmed product type an item's title names, or "": its first run of type words
        (Icecat writes "brand model type specs"), the last word of the run ("toner cartridge"
        -> cartridge), among words that lead the titles of at least ``MIN_TYPE`` items (so a
        colour or a spec word is never a type); a category, when the item has one, wins."""
        return self._item_types[row] if self._item_types[row] in self._leading else ""

    def _first_type(self, row: int) -> str:
        title = self.titles[row]
        if title.category_head and self._type_word(title.category_head):
            return title.category_head
        found = ""
        for i in sorted(title.mentions):
            word = title.words[i]
            if self._type_word(word) and title.kind(word, frozenset({word})) is Kind.TYPE:
                found = word
            elif found:
                break
        return found

    def _type_word(self, word: str) -> bool:
        return (len(word) > 2 and word.isalpha() and not self.classifier.is_attribute(word)
                and word not in self._brand_words)

    # --- writing queries ------------------------------------------------------------------

    def generate(self, n: int, seed: int = 0) -> list[GeneratedQuery]:
        """``n`` distinct queries (fewer if the catalog runs out), in a seeded order."""
        rng = random.Random(seed)
        rows = list(range(len(self.products)))
        rng.shuffle(rows)
        seen: set[str] = set()
        out: list[GeneratedQuery] = []
        makers = [self._single, self._attribute, self._brand_type, self._bigram,
                  self._brand, self._model, self._acronym]
        for i, row in enumerate(itertools.cycle(rows)):
            if len(out) >= n or i > 50 * n:
                break
            query = makers[i % len(makers)](row, rng)
            if query is None or query.text in seen:
                continue
            if rng.random() < TYPO_SHARE:
                query = self._with_typo(query, rng)
            seen.add(query.text)
            out.append(query)
        return out

    def _word(self, stem: str) -> str:
        return self.surface.get(stem, stem)

    def _single(self, row: int, rng: random.Random) -> GeneratedQuery | None:
        head = self.item_type(row)
        if not head:
            return None
        word = self._word(head)
        text = plural(word) if rng.random() < 0.5 else word
        return GeneratedQuery(text, QueryClass.SINGLE_WORD, head=head)

    def _attribute(self, row: int, rng: random.Random) -> GeneratedQuery | None:
        head = self.item_type(row)
        if not head:
            return None
        raw = WORD.findall(self.products[row].title.lower())
        measures = [f"{raw[i]}{raw[i + 1]}" for i in range(len(raw) - 1)
                    if _UNIT_AFTER.match(f"{raw[i]}{raw[i + 1]}")]
        title = self.titles[row]
        words = [title.words[i] for i in sorted(title.mentions)]
        attributes = [w for w in words if w != head and w.isalpha()
                      and self.classifier.is_attribute(w)]
        if measures and (not attributes or rng.random() < 0.5):
            measure = rng.choice(measures)
            return GeneratedQuery(f"{measure} {self._word(head)}", QueryClass.ATTRIBUTE_TYPE,
                                  head=head, attribute=measure)
        if not attributes:
            return None
        attribute = rng.choice(attributes)
        return GeneratedQuery(f"{self._word(attribute)} {self._word(head)}",
                              QueryClass.ATTRIBUTE_TYPE, head=head, attribute=attribute)

    def _brand_type(self, row: int, rng: random.Random) -> GeneratedQuery | None:
        head, brand = self.item_type(row), self.brands[row]
        if not head or not brand:
            return None
        return GeneratedQuery(f"{brand} {self._word(head)}", QueryClass.MULTI_WORD_TYPE,
                              head=head, brand=brand)

    def _bigram(self, row: int, rng: random.Random) -> GeneratedQuery | None:
        head = self.item_type(row)
        title = self.titles[row]
        places = [i for i in sorted(title.mentions) if title.words[i] == head and i > 0
                  and (i - 1) in title.mentions and title.words[i - 1].isalpha()
                  and len(title.words[i - 1]) > 2 and title.words[i - 1] != head
                  and title.words[i - 1] not in self._brand_words]
        if not head or not places:
            return None
        before = title.words[places[0] - 1]
        return GeneratedQuery(f"{self._word(before)} {self._word(head)}",
                              QueryClass.MULTI_WORD_TYPE, head=head, attribute=before)

    def _brand(self, row: int, rng: random.Random) -> GeneratedQuery | None:
        brand = self.brands[row]
        return GeneratedQuery(brand, QueryClass.BRAND_ONLY, brand=brand) if brand else None

    def _model(self, row: int, rng: random.Random) -> GeneratedQuery | None:
        model = self.products[row].attributes.get("model", "").lower()
        code = model_code(model)
        if len(code) < 4 or not any(c.isdigit() for c in code) or " " in model.strip():
            return None
        brand = self.brands[row]
        text = f"{brand} {model}" if brand and rng.random() < 0.5 else model
        return GeneratedQuery(text, QueryClass.MODEL_NUMBER, brand=brand, code=code)

    def _acronym(self, row: int, rng: random.Random) -> GeneratedQuery | None:
        words = set(WORD.findall(self.products[row].title.lower()))
        found = sorted(a for a in words & self.acronyms.known
                       if a in self.acronyms.expansions or self.types.is_type(a))
        if not found:
            return None
        acronym = rng.choice(found)
        return GeneratedQuery(acronym, QueryClass.ACRONYM, acronym=acronym)

    def _with_typo(self, query: GeneratedQuery, rng: random.Random) -> GeneratedQuery:
        words = query.text.split()
        long = [i for i, w in enumerate(words) if len(w) >= MIN_TYPO_WORD and w.isalpha()]
        if not long:
            return query
        i = rng.choice(long)
        words[i] = typo(words[i], rng)
        return dataclasses.replace(query, text=" ".join(words))

    # --- labelling --------------------------------------------------------------------------

    def labels(self, query: GeneratedQuery, rows: np.ndarray) -> np.ndarray:
        """The rule label (0..3) of each item in ``rows`` for ``query``."""
        return np.array([self.label(query, int(r)) for r in rows], dtype=np.int32)

    def label(self, query: GeneratedQuery, row: int) -> int:
        if query.code:
            if self.codes[row] == query.code:
                return 3
            same_family = self.codes[row][:4] == query.code[:4]
            return 1 if same_family and self.brands[row] == query.brand else 0
        if query.acronym:
            return self._acronym_label(query.acronym, row)
        if query.head:
            kind = self.titles[row].kind(query.head, frozenset({query.head}))
            if kind is not Kind.TYPE:
                return 0
            misses = int(bool(query.brand) and self.brands[row] != query.brand)
            misses += int(bool(query.attribute) and not self._has(row, query.attribute))
            return 3 - misses
        return 2 if query.brand and self.brands[row] == query.brand else 0

    def _has(self, row: int, attribute: str) -> bool:
        if attribute[0].isdigit():  # a measure: "16gb" as "16 GB" or "16GB" in the title
            return attribute in model_code(self.products[row].title)
        return attribute in self._item_words[row]

    def _acronym_label(self, acronym: str, row: int) -> int:
        title = self.products[row].title.lower()
        spelled = self.acronyms.expansions.get(acronym)
        if spelled and " ".join(spelled) in title:
            return 3
        stem = stem_words([acronym])[0]
        kind = self.titles[row].kind(stem, frozenset({stem}))
        if kind is Kind.TYPE and acronym in WORD.findall(title):
            return 3
        return 1 if acronym in WORD.findall(title) else 0
