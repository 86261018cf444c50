"""What a catalog's attributes measure, learned from the catalog itself.

Nothing here is a list per catalog. From every product's own data:

- a *numeric* attribute (all its values are numbers) gets a unit when the product titles state
  the same quantity with a unit: a title saying '15.6"' on an item whose ``display_diagonal`` is
  15.6 is one vote for "display_diagonal is stored in inches". Votes give the dimension and the
  scale the catalog usually stores it in; an item whose title states its value in another
  scale keeps its own (``internal_memory`` holds GB for notebooks and MB for memory modules).
  The words next to the matching measures ("16GB *RAM*", "512GB *SSD*") become the
  attribute's context words;
- a *flag* attribute has only yes/no values; its name says how a shopper asks for it
  ("wi_fi" -> "wi fi", "wifi");
- a *choice* attribute is text with a few frequent short values ("IPS", "Black").
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from retrieval.specs.units import UNITS, item_base, measures, scale_between
from shopchat.records import Product
from shopchat.timing import elapsed_ms

log = logging.getLogger(__name__)

MIN_VOTES = 3
"""Items whose title must state an attribute's value with a unit before that unit is learned."""
MIN_AGREEMENT = 0.3
"""Of the items that have an attribute and a title measure in its dimension, the share whose
title states its value: below it, the matches are coincidences ("4 cores" and "4GB")."""
MIN_SCALE_SHARE = 0.15
"""A second storage scale is kept when it has at least this share of the attribute's votes."""
MIN_ITEMS = 5
"""Items an attribute (or a choice value) needs before a shopper's phrase can mean it."""
MAX_CHOICE_WORDS = 3
LABEL_SHARE = 0.3
"""Share of a word's titles where it labels a measure before it counts as a measure's label."""
_WORD = re.compile(r"[^\W_]+")
_CONTEXT_SKIP = frozenset({"x", "and", "with", "of", "the", "a", "in", "to", "for", "pc", "s"})


def compact(text: str) -> str:
    """ "Wi-Fi", "wi fi" and "WiFi" are all "wifi"."""
    return "".join(_WORD.findall(text.lower()))


def name_words(attribute: str) -> list[str]:
    return [w for w in attribute.lower().split("_") if w]


@dataclass(slots=True)
class NumericAttribute:
    name: str
    dimension: str
    scales: tuple[float, ...]
    """Base units per stored unit, best supported first."""
    unit: str
    """The unit titles most often write it in (a ``UNITS`` key)."""
    title_units: frozenset[str]
    """Every unit titles state it in (at least ``MIN_VOTES`` times)."""
    rows: np.ndarray
    values: np.ndarray
    """Stored numbers of the items that have it (``rows``: their table rows)."""
    bases: np.ndarray
    """The same in base units, each in the scale its item's title shows (``item_base``)."""
    context: Counter[str] = field(default_factory=Counter)
    """Words next to the title measures that matched it, and the words of its name."""

    def base_range(self) -> tuple[float, float]:
        """Smallest and largest value in base units over every scale."""
        positive = self.bases[self.bases > 0]
        if not positive.size:
            return 0.0, 0.0
        return float(positive.min()), float(positive.max())


@dataclass(slots=True)
class FlagAttribute:
    name: str
    words: tuple[str, ...]
    """Its name as text: "wi fi", and compact: "wifi"."""
    rows: np.ndarray
    yes: np.ndarray
    """Per row in ``rows``: the value is "yes"."""


@dataclass(slots=True)
class ChoiceAttribute:
    name: str
    rows: np.ndarray
    values: list[frozenset[str]]
    """Per row in ``rows``: its lower-cased values ("black,silver" -> {"black", "silver"})."""
    counts: Counter[str]


@dataclass(slots=True)
class SpecVocabulary:
    numeric: dict[str, NumericAttribute]
    flags: dict[str, FlagAttribute]
    choices: dict[str, ChoiceAttribute]
    by_dimension: dict[str, list[str]]
    """Dimension -> the numeric attributes measured in it."""
    flag_names: dict[str, list[str]]
    """Compact phrase -> flag attributes it may mean ("duplex" -> duplex_printing, ...)."""
    choice_values: dict[str, list[str]]
    """Lower-cased value -> choice attributes that have it."""
    word_attribute: dict[str, Counter[str]]
    """Context word -> how often it stood next to each numeric attribute's measures."""
    word_titles: Counter[str]
    """Context word -> how many titles have it."""

    def labels_measures(self, word: str) -> bool:
        """Is ``word`` mostly a measure's label where titles use it ("16GB *RAM*", "512GB
        *SSD*"), not a word of its own ("*USB* flash drive")?"""
        counts = self.word_attribute.get(word)
        if not counts:
            return False
        return sum(counts.values()) >= LABEL_SHARE * max(self.word_titles.get(word, 0), 1)

    def rivals(self, name: str) -> frozenset[str]:
        """Numeric attributes other than ``name`` that titles state in one of its units."""
        units = self.numeric[name].title_units
        return frozenset(k for k, a in self.numeric.items() if k != name and a.title_units & units)

    @classmethod
    def learn(cls, products: Sequence[Product]) -> SpecVocabulary:
        started = time.perf_counter()
        kinds = _attribute_kinds(products)
        numeric = _learn_numeric(products, kinds["number"])
        flags = _learn_flags(products, kinds["flag"])
        choices = _learn_choices(products, kinds["text"])
        by_dimension: dict[str, list[str]] = defaultdict(list)
        word_attribute: dict[str, Counter[str]] = defaultdict(Counter)
        for attr in numeric.values():
            by_dimension[attr.dimension].append(attr.name)
            for word, n in attr.context.items():
                word_attribute[word][attr.name] += n
        flag_names: dict[str, list[str]] = defaultdict(list)
        for flag in flags.values():
            for phrase in _flag_phrases(flag.name):
                flag_names[phrase].append(flag.name)
        choice_values: dict[str, list[str]] = defaultdict(list)
        for choice in choices.values():
            for value in choice.counts:
                choice_values[value].append(choice.name)
        word_titles: Counter[str] = Counter()
        for p in products:
            word_titles.update({w for w in _WORD.findall(p.title.lower()) if w in word_attribute})
        log.debug("learned %d measured, %d yes/no and %d choice attributes in %.0f ms",
                 len(numeric), len(flags), len(choices), elapsed_ms(started))
        return cls(numeric, flags, choices, dict(by_dimension), dict(flag_names),
                   dict(choice_values), dict(word_attribute), word_titles)


def _attribute_kinds(products: Sequence[Product]) -> dict[str, set[str]]:
    """Attribute names by what their values are: all numbers, all yes/no, or text."""
    seen: dict[str, int] = defaultdict(int)
    number: dict[str, bool] = {}
    flag: dict[str, bool] = {}
    for p in products:
        for key, value in p.attributes.items():
            seen[key] += 1
            low = value.lower()
            flag[key] = flag.get(key, True) and low in ("yes", "no")
            if number.get(key, True):
                try:
                    float(value)
                    number[key] = True
                except ValueError:
                    number[key] = False
    often = {k for k, n in seen.items() if n >= MIN_ITEMS}
    return {
        "number": {k for k in often if number[k]},
        "flag": {k for k in often if flag[k]},
        "text": {k for k in often if not number[k] and not flag[k]},
    }


def _learn_numeric(products: Sequence[Product], names: set[str]) -> dict[str, NumericAttribute]:
    votes: dict[str, Counter[tuple[str, float]]] = defaultdict(Counter)
    units: dict[str, Counter[str]] = defaultdict(Counter)
    context: dict[str, Counter[str]] = defaultdict(Counter)
    chances: dict[str, Counter[str]] = defaultdict(Counter)
    rows: dict[str, list[int]] = defaultdict(list)
    values: dict[str, list[float]] = defaultdict(list)
    for row, p in enumerate(products):
        stored = {k: float(v) for k, v in p.attributes.items() if k in names}
        for k, v in stored.items():
            rows[k].append(row)
            values[k].append(v)
        if not stored:
            continue
        title = p.title
        found = measures(title)
        if not found:
            continue
        words = _WORD.findall(title.lower())
        for k in stored:
            chances[k].update({m.dimension for m in found})
        for m in found:
            near = _near_words(title, m.start, m.end, words)
            for k, v in stored.items():
                scale = scale_between(m.base, v, m.dimension)
                if scale is None:
                    continue
                votes[k][(m.dimension, scale)] += 1
                units[k][m.unit] += 1
                context[k].update(near)
    out: dict[str, NumericAttribute] = {}
    for k, counted in votes.items():
        total = sum(counted.values())
        (dimension, best), n = counted.most_common(1)[0]
        agreeing = sum(c for (d, _), c in counted.items() if d == dimension)
        if n < MIN_VOTES or agreeing < MIN_AGREEMENT * chances[k][dimension]:
            continue
        scales = [best] + [s for (d, s), c in counted.most_common()
                           if d == dimension and s != best and c >= max(MIN_VOTES,
                                                                        MIN_SCALE_SHARE * total)]
        unit = next(u for u, _ in units[k].most_common() if UNITS[u][0] == dimension)
        title_units = frozenset(u for u, c in units[k].items()
                                if UNITS[u][0] == dimension and c >= MIN_VOTES) | {unit}
        ctx = Counter({w: c for w, c in context[k].items() if c >= 2})
        ctx.update({w: MIN_VOTES for w in name_words(k)})
        bases = [item_base(v, products[r].title, dimension, best)
                 for r, v in zip(rows[k], values[k], strict=True)]
        out[k] = NumericAttribute(k, dimension, tuple(scales), unit, title_units,
                                  np.asarray(rows[k], dtype=np.int64),
                                  np.asarray(values[k], dtype=np.float64),
                                  np.asarray(bases, dtype=np.float64), ctx)
    return out


def _near_words(title: str, start: int, end: int, words: list[str]) -> list[str]:
    """The word before a measure and the two after it ("8GB *DDR4 RAM*")."""
    before = _WORD.findall(title[:start].lower())[-1:]
    after = _WORD.findall(title[end:].lower())[:2]
    return [w for w in before + after if not w.isdigit() and w not in _CONTEXT_SKIP
            and w not in UNITS and len(w) > 1]


def _learn_flags(products: Sequence[Product], names: set[str]) -> dict[str, FlagAttribute]:
    rows: dict[str, list[int]] = defaultdict(list)
    yes: dict[str, list[bool]] = defaultdict(list)
    for row, p in enumerate(products):
        for k, v in p.attributes.items():
            if k in names:
                rows[k].append(row)
                yes[k].append(v.lower() == "yes")
    return {
        k: FlagAttribute(k, _flag_words(k), np.asarray(rows[k], dtype=np.int64),
                         np.asarray(yes[k], dtype=bool))
        for k in names
    }


def _flag_words(name: str) -> tuple[str, ...]:
    words = name_words(name)
    spaced, joined = " ".join(words), "".join(words)
    return (spaced,) if spaced == joined else (spaced, joined, "-".join(words))


def _flag_phrases(name: str) -> list[str]:
    """Compact phrases a shopper may use for a flag: its whole name, and any run of its name's
    words that starts or ends it ("nvidia_g_sync" -> "gsync", "keyboard_backlit" -> "backlit",
    "duplex_printing" -> "duplex")."""
    words = name_words(name)
    runs = {"".join(words[:i]) for i in range(1, len(words) + 1)}
    runs |= {"".join(words[i:]) for i in range(len(words))}
    return sorted(r for r in runs if len(r) >= 3)


def _learn_choices(products: Sequence[Product], names: set[str]) -> dict[str, ChoiceAttribute]:
    rows: dict[str, list[int]] = defaultdict(list)
    values: dict[str, list[frozenset[str]]] = defaultdict(list)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row, p in enumerate(products):
        for k, v in p.attributes.items():
            if k in names:
                parts = frozenset(s.strip() for s in v.lower().split(",") if s.strip())
                rows[k].append(row)
                values[k].append(parts)
                counts[k].update(parts)
    out = {}
    for k in names:
        kept = Counter({v: n for v, n in counts[k].items()
                        if n >= MIN_ITEMS and len(v.split()) <= MAX_CHOICE_WORDS})
        if kept:
            out[k] = ChoiceAttribute(k, np.asarray(rows[k], dtype=np.int64), values[k], kept)
    return out
