"""What a measure phrase asks for, as bounds in base units: "27 inch" a band around 27, "at
least 16gb" / "16gb or more" a floor, "under 15 inch" a ceiling, "between 13 and 15 inch" both;
and how a reply says it ("at least 16 GB internal memory")."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from retrieval.specs.units import UNITS, Measure, measures, number, unit_label
from retrieval.specs.vocabulary import name_words

_AT_LEAST = re.compile(
    r"(?:at\s+least|min(?:imum)?|over|above|more\s+than|larger\s+than|bigger\s+than|"
    r"greater\s+than|from|>=?)\s*$", re.I)
_AT_MOST = re.compile(
    r"(?:at\s+most|max(?:imum)?|under|below|less\s+than|smaller\s+than|up\s+to|"
    r"no\s+more\s+than|not\s+more\s+than|<=?)\s*$", re.I)
_OR_MORE = re.compile(r"^\s*(?:\+|or\s+(?:more|larger|bigger|higher|above)\b)", re.I)
_OR_LESS = re.compile(r"^\s*(?:or\s+(?:less|smaller|lower|below)\b)", re.I)
_BETWEEN = re.compile(r"(?:between|from)\s*$", re.I)
_MINUS = re.compile(r"(?:^|[\s(])[-\u2212]\s?$")
NEAR = 2.5
"""How far past a one-sided bound values still make it a likely reading of an attribute."""


@dataclass(frozen=True, slots=True)
class Bound:
    measure: Measure
    low: float | None
    high: float | None
    span: tuple[int, int]
    phrase: str


@dataclass(frozen=True, slots=True)
class Negative:
    """A measure written below zero ("-5 inch"): no product's, reported as such."""

    said: str
    span: tuple[int, int]


def read_bounds(text: str) -> Iterator[Bound | Negative]:
    """Every measure in ``text`` with the bounds its phrase sets, in base units."""
    for m in measures(text):
        size = UNITS[m.unit][1]
        before, after = text[: m.start], text[m.end:]
        if _MINUS.search(before):
            yield Negative(f"-{m.value:g} {unit_label(m.unit)}", (m.start - 1, m.end))
            continue
        pair = _between(text, m)
        if pair is not None:
            low_m, high_m, span = pair
            yield Bound(high_m, low_m.value * UNITS[high_m.unit][1],
                         high_m.value * UNITS[high_m.unit][1], span, text[span[0]:span[1]])
            continue
        if (op := _AT_LEAST.search(before)) is not None:
            yield Bound(m, m.value * size, None, (op.start(), m.end), text[op.start():m.end])
        elif (op := _AT_MOST.search(before)) is not None:
            yield Bound(m, None, m.value * size, (op.start(), m.end), text[op.start():m.end])
        elif (tail := _OR_MORE.match(after)) is not None:
            end = m.end + tail.end()
            yield Bound(m, m.value * size, None, (m.start, end), text[m.start:end])
        elif (tail := _OR_LESS.match(after)) is not None:
            end = m.end + tail.end()
            yield Bound(m, None, m.value * size, (m.start, end), text[m.start:end])
        else:
            low, high = band(m)
            yield Bound(m, low, high, (m.start, m.end), text[m.start:m.end])
    # a bare number before "and 15 inch" in "between 13 and 15 inch" has no unit: _between


_BARE_PAIR = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:and|to|-|\u2013)\s*$", re.I)


def _between(text: str, m: Measure) -> tuple[Measure, Measure, tuple[int, int]] | None:
    """ "between 13 and 15 inch", "13-15 inch", "13 to 15 inch": (low, high, span)."""
    bare = _BARE_PAIR.search(text[: m.start])
    if bare is None:
        return None
    opener = _BETWEEN.search(text[: bare.start()])
    start = opener.start() if opener else bare.start()
    first = Measure(number(bare.group(1)), m.unit, bare.start(), bare.end())
    low, high = sorted((first, m), key=lambda x: x.value)
    return low, high, (start, m.end)


def band(m: Measure) -> tuple[float, float]:
    """What a plain "27 inch" or "16gb" accepts, in base units. Sizes are sold rounded: a
    "24 inch" monitor measures 23.8, a "15 inch" laptop 15.6; elsewhere a whole number means
    itself within 3% ("1tb" also takes 1024 GB, "3 m" is no 2.5 m cable)."""
    size = UNITS[m.unit][1]
    if size == UNITS["inch"][1] and m.value.is_integer():
        return (m.value - 0.5) * size, (m.value + 0.99) * size
    if m.value.is_integer():
        return m.value * size * 0.97, m.value * size * 1.03
    return m.value * size * 0.99, m.value * size * 1.01


def typical(bound: Bound) -> tuple[float | None, float | None]:
    """The values that make a bound a likely reading of an attribute: those it accepts, and
    for a one-sided bound only those near it ("at least 16gb" fits memory of 16-40 GB, not
    every 256 GB disk)."""
    if bound.low is not None and bound.high is None:
        return bound.low, bound.low * NEAR
    if bound.high is not None and bound.low is None:
        return bound.high / NEAR, bound.high
    return bound.low, bound.high


def attribute_words(attr: str) -> str:
    return " ".join(name_words(attr))


def nice(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{math.floor(x + 0.5):,}"


def range_label(bounds: list[Bound], low: float | None, high: float | None, unit: str,
                 attr: str) -> str:
    """ "27 inch display diagonal", "at least 16 GB internal memory"."""
    size = UNITS[unit][1]
    shown = unit_label(unit)
    what = attribute_words(attr)
    if len(bounds) == 1 and bounds[0].low is not None and bounds[0].high is not None \
            and not _BETWEEN_WORDS.search(bounds[0].phrase):
        return f"{bounds[0].measure.value:g} {shown} {what}"
    if low is not None and high is not None:
        return f"{nice(low / size)}\u2013{nice(high / size)} {shown} {what}"
    if low is not None:
        return f"at least {nice(low / size)} {shown} {what}"
    assert high is not None
    return f"at most {nice(high / size)} {shown} {what}"


_BETWEEN_WORDS = re.compile(r"\d\s*(?:and|to|-|\u2013)\s*\d", re.I)
