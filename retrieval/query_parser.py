"""Hard constraints from a shopper's own words: price ranges, brands, product types.

The parser is deterministic and catalog-aware: a brand or category only becomes a filter when
the catalog has it, so "by the window" never filters on a brand called "the". A name in a brand
phrase ("by SanDisk", "SanDisk only", "not Razer") that is neither a catalog brand nor a word
the catalog knows is reported as an unknown brand, so the reply can say the catalog lacks it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from retrieval.specs.constraint import SpecConstraint
from retrieval.specs.parser import SpecParser
from retrieval.types import Filters, ParsedQuery

_NUM = r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?![\d.,]?\d)"
_CUR_PRE = r"(?:[$€£]|usd|eur|gbp)\s?"
_CUR_POST = r"\s?(?:\$|€|£|usd|eur|gbp|dollars?|bucks|euros?|pounds?|quid)\b"
# A number followed by one of these is a spec ("under 15 inch"), not a price.
_UNITS = (
    r"\s?(?:\"|''|in\b|inch|inches|cm|mm|m\b|gb|tb|mb|kb|ghz|mhz|hz|w\b|watts?|mah|v\b|volts?|kg|g\b|"
    r"lbs?|oz|pcs?|pieces?|pack|x\b|k\b|p\b|fps|ms|min|minutes?|hours?|h\b|years?|days?|%)"
)
_PRICE = rf"(?:{_CUR_PRE})?{_NUM}(?!{_UNITS})(?:{_CUR_POST})?"

_RANGE = re.compile(
    rf"\b(?:between|from)\s+{_PRICE}\s*(?:and|to|-|\u2013)\s*{_PRICE}|(?<![\w.]){_CUR_PRE}{_NUM}\s*(?:-|\u2013|to)\s*"
    rf"(?:{_CUR_PRE})?{_NUM}(?:{_CUR_POST})?",
    re.I,
)
_MAX = re.compile(
    rf"\b(?:under|below|less\s+than|cheaper\s+than|up\s+to|at\s+most|max(?:imum)?|no\s+more\s+than|"
    rf"not\s+more\s+than|within|<=?)\s*{_PRICE}",
    re.I,
)
_MIN = re.compile(
    rf"\b(?:over|above|more\s+than|at\s+least|min(?:imum)?|from|starting\s+at|>=?)\s*{_PRICE}",
    re.I,
)
_AROUND = re.compile(rf"\b(?:around|about|approx(?:imately)?|roughly|~)\s*{_PRICE}", re.I)

_INCLUDE_BRAND = r"(?:by|from|only|brand|made\s+by|make)"
_NAME = r"[^\W\d_][\w&'+.-]*(?<![.'-])"
"""One word that could be a brand's name: starts with a letter ("D-Link", "AT&T")."""
_NOT_NAMES = frozenset(re.findall(r"\S+", """a an the my me our your his her their this that
    these those it them one ones any some all each every other another same far hand day night
    size price colour color rating popularity relevance default date name type brand brands make
    model models home work office school scratch myself sure now today"""))
"""Words after "by", "from", "only" or "not" that are no brand ("sort by price", "by hand")."""
_DANGLING_END = re.compile(
    r"(?:[\s,.;:/&+\u2013\u2014-]|\b(?:and|or|but|nor|for|with|at|of|from|by|than|to|that|"
    r"which|is|are|priced|costing|costs?)\b)+$", re.I)
_DANGLING_START = re.compile(r"^(?:[\s,.;:/&+\u2013\u2014-]|\b(?:and|or|but|nor)\b)+", re.I)
_EXCLUDE = r"(?:not|no|except|excluding|without|other\s+than|non|anything\s+but)"
_JOIN = r"\s*(?:,|/|\bor\b|\band\b|\bnor\b)\s*"


def _amount(whole: str, cents: str | None) -> float:
    return float(whole.replace(",", "")) + (float(f"0.{cents}") if cents else 0.0)


def _prices(groups: Iterable[str | None]) -> list[float]:
    g = list(groups)
    return [_amount(w, c) for w, c in zip(g[0::2], g[1::2], strict=True) if w is not None]


@dataclass
class _Found:
    text: str
    price_min: float | None = None
    price_max: float | None = None
    brands: set[str] = field(default_factory=set)
    exclude_brands: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    exclude_categories: set[str] = field(default_factory=set)
    unknown_brands: list[str] = field(default_factory=list)
    unknown_excluded: list[str] = field(default_factory=list)

    def cut(self, match: re.Match[str]) -> None:
        self.text = self.text[: match.start()] + " " + self.text[match.end() :]


def _alternation(names: Iterable[str]) -> str:
    """Longest names first, so "hewlett packard enterprise" wins over "hewlett packard"."""
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)


class QueryParser:
    """Built once per catalog from its brands and (when well covered) categories."""

    def __init__(
        self,
        brands: Iterable[str] = (),
        categories: Iterable[str] = (),
        known_word: Callable[[str], bool] | None = None,
        specs: SpecParser | None = None,
    ) -> None:
        """``known_word``: is this word in the catalog's text? Without it, only a capitalised
        name ("SanDisk") in a brand phrase can be an unknown brand. ``specs``: reads
        specifications ("27 inch", "with hdmi"); without it they stay search words."""
        self.specs = specs
        self._brands = {b.lower().strip() for b in brands if b and b.strip()}
        self._known_word = known_word or (lambda word: word == word.lower())
        self._brand_names = _alternation(self._brands)
        # Categories match as words: "mens-shirts" is typed "mens shirts"; plural or singular.
        self._category_of: dict[str, str] = {}
        for cat in categories:
            words = re.sub(r"[-_/&]+", " ", cat.lower()).strip()
            for form in {words, words.rstrip("s"), words + "s"}:
                if len(form) >= 3:
                    self._category_of[form] = cat.lower()
        self._category_names = _alternation(self._category_of)

    def parse(self, query: str, context: str = "",
              about: Callable[[str], np.ndarray] | None = None,
              prefer: frozenset[str] = frozenset()) -> ParsedQuery:
        """``context``, ``about`` and ``prefer``: see ``SpecParser.parse``."""
        found = _Found(text=" " + query + " ")
        specs, problems, spec_words = self._parse_specs(found, context, about, prefer)
        self._parse_prices(found)
        if self._brand_names:
            self._parse_names(
                found,
                self._brand_names,
                str.strip,
                found.brands,
                found.exclude_brands,
                trigger=_INCLUDE_BRAND,
                bare=False,
            )
        if self._category_names:
            self._parse_names(
                found,
                self._category_names,
                self._category_of.__getitem__,
                found.categories,
                found.exclude_categories,
                trigger=r"(?:in|only)",
                bare=True,
            )
        if self._brands:  # a catalog without brands cannot say it lacks one
            self._parse_unknown_brands(found)
        filters = Filters(
            price_min=found.price_min,
            price_max=found.price_max,
            brands=frozenset(found.brands - found.exclude_brands),
            exclude_brands=frozenset(found.exclude_brands),
            categories=frozenset(found.categories - found.exclude_categories),
            exclude_categories=frozenset(found.exclude_categories),
            specs=specs,
        )
        return ParsedQuery(text=tidy(found.text), filters=filters, original=query,
                           unknown_brands=tuple(found.unknown_brands),
                           unknown_excluded=tuple(found.unknown_excluded),
                           spec_problems=problems, spec_words=spec_words)

    def _parse_specs(self, found: _Found, context: str,
                     about: Callable[[str], np.ndarray] | None, prefer: frozenset[str],
                     ) -> tuple[tuple[SpecConstraint, ...], tuple[str, ...], tuple[str, ...]]:
        """Spec phrases become constraints (or problems); measures and negated features leave
        the search text."""
        if self.specs is None:
            return (), (), ()
        read = self.specs.parse(found.text, context, about, prefer)
        for start, end in reversed(read.spans):
            found.text = found.text[:start] + " " + found.text[end:]
        return tuple(read.constraints), tuple(read.problems), tuple(read.kept)

    def _parse_unknown_brands(self, found: _Found) -> None:
        """Brand phrases whose name the catalog has neither as a brand nor as a word: reported,
        and cut from the text (what is left searches for the closest items)."""
        listed = rf"({_NAME}(?:{_JOIN}{_NAME})*)"
        for pattern, into, leading in (
            (re.compile(rf"\b{_EXCLUDE}[\s-]+{listed}", re.I), found.unknown_excluded, True),
            (re.compile(rf"\b{_INCLUDE_BRAND}\s+{listed}", re.I), found.unknown_brands, True),
            (re.compile(rf"{listed}\s+only\b", re.I), found.unknown_brands, False),
        ):
            for m in reversed(list(pattern.finditer(found.text))):
                pieces = re.split(f"({_JOIN})", m.group(1))  # name, joint, name, ...
                names = pieces[0::2]
                kept = 0  # "by SanDisk, wireless": the names up to the first known word
                while kept < len(names) and self._unknown_name(names[kept]):
                    kept += 1
                if kept == 0 or (not leading and kept < len(names)):
                    continue
                into[:0] = [n for n in names[:kept] if n not in into]
                end = m.start(1) + len("".join(pieces[: 2 * kept - 1])) if leading else m.end()
                found.text = found.text[: m.start()] + " " + found.text[end:]

    def _unknown_name(self, name: str) -> bool:
        low = name.lower()
        return (
            low not in self._brands
            and low not in _NOT_NAMES
            and low not in self._category_of
            and not self._known_word(name)
        )

    @staticmethod
    def _parse_prices(found: _Found) -> None:
        if (rng := _RANGE.search(found.text)) is not None:
            low, high = sorted(_prices(rng.groups()))
            found.price_min, found.price_max = low, high
            found.cut(rng)
        if (around := _AROUND.search(found.text)) is not None:
            (mid,) = _prices(around.groups())
            found.price_min, found.price_max = round(mid * 0.8, 2), round(mid * 1.2, 2)
            found.cut(around)
        if (most := _MAX.search(found.text)) is not None:
            (found.price_max,) = _prices(most.groups())
            found.cut(most)
        if (least := _MIN.search(found.text)) is not None:
            (found.price_min,) = _prices(least.groups())
            found.cut(least)

    @staticmethod
    def _parse_names(
        found: _Found,
        names: str,
        canonical: Callable[[str], str],
        include: set[str],
        exclude: set[str],
        *,
        trigger: str,
        bare: bool,
    ) -> None:
        """Exclusions ("not X or Y") are cut from the text; inclusions keep the name as a term."""
        name = rf"(?<!\w)(?:{names})(?!\w)"
        listed = rf"({name}(?:{_JOIN}{name})*)"
        single = re.compile(name, re.I)
        for pattern, into, keep in (
            (re.compile(rf"\b{_EXCLUDE}[\s-]+{listed}", re.I), exclude, False),
            (re.compile(rf"\b{trigger}\s+{listed}", re.I), include, True),
            (re.compile(rf"{listed}\s+only\b", re.I), include, True),
        ):
            while (m := pattern.search(found.text)) is not None:
                into.update(canonical(n.group(0).lower()) for n in single.finditer(m.group(1)))
                kept = f" {m.group(1)} " if keep else " "
                found.text = found.text[: m.start()] + kept + found.text[m.end() :]
        if bare:
            include.update(canonical(m.group(0).lower()) for m in single.finditer(found.text))


def tidy(text: str) -> str:
    """The words left once constraint phrases are cut, without the punctuation and joining
    words those phrases leave behind: " a quiet gaming mouse , " -> "a quiet gaming mouse"."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)  # "mouse , not" -> "mouse, not"
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)  # "mouse,, pad" -> "mouse, pad"
    text = re.sub(r"\(\s*\)", " ", text)  # "( )" left by "(under $50)"
    return _DANGLING_START.sub("", _DANGLING_END.sub("", text.strip())).strip()
