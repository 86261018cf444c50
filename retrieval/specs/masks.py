"""Which catalog rows satisfy a spec constraint, as a boolean row mask (fast, cached)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from retrieval.specs.constraint import SpecConstraint, SpecKind, words_pattern
from retrieval.specs.units import UNITS, measures
from retrieval.specs.vocabulary import SpecVocabulary
from shopchat.records import Product

_UNIT_CODES = {unit: code for code, unit in enumerate(sorted(UNITS))}


class SpecMasks:
    """Row masks for one catalog, the vectorised twin of ``SpecConstraint.holds``."""

    def __init__(self, products: Sequence[Product], vocabulary: SpecVocabulary) -> None:
        self.size = len(products)
        self.vocab = vocabulary
        self.texts = [f"{p.title} {p.description}".lower() for p in products]
        rows: list[int] = []
        units: list[int] = []
        bases: list[float] = []
        for row, p in enumerate(products):
            for m in measures(p.title):
                rows.append(row)
                units.append(_UNIT_CODES[m.unit])
                bases.append(m.base)
        self._measure_rows = np.asarray(rows, dtype=np.int64)
        self._measure_units = np.asarray(units, dtype=np.int64)
        self._measure_bases = np.asarray(bases, dtype=np.float64)
        self.mask = lru_cache(maxsize=512)(self._mask)

    def all(self, specs: Sequence[SpecConstraint]) -> np.ndarray | None:
        """Rows meeting every hard constraint (None when there is none); preferences
        (``hard=False``) filter nothing."""
        return self._meeting([spec for spec in specs if spec.hard])

    def preferred(self, specs: Sequence[SpecConstraint]) -> tuple[np.ndarray, bool] | None:
        """(rows meeting every preference, whether the preferences are all yes/no features);
        None when there is no preference."""
        soft = [spec for spec in specs if not spec.hard]
        meets = self._meeting(soft)
        return None if meets is None else (meets, all(s.kind is SpecKind.FLAG for s in soft))

    def _meeting(self, specs: Sequence[SpecConstraint]) -> np.ndarray | None:
        if not specs:
            return None
        keep = np.ones(self.size, dtype=bool)
        for spec in specs:
            keep &= self.mask(spec)
        return keep

    def _mask(self, spec: SpecConstraint) -> np.ndarray:
        if spec.kind is SpecKind.NUMBER:
            return self._number(spec)
        if spec.kind is SpecKind.FLAG:
            flag = self.vocab.flags.get(spec.attribute)
            rows = flag.rows if flag else np.zeros(0, dtype=np.int64)
            matched = flag.yes == spec.wanted if flag else np.zeros(0, dtype=bool)
        else:
            choice = self.vocab.choices.get(spec.attribute)
            rows = choice.rows if choice else np.zeros(0, dtype=np.int64)
            matched = np.fromiter(
                (bool(v & spec.values) == spec.wanted for v in choice.values), dtype=bool,
                count=rows.size) if choice else np.zeros(0, dtype=bool)
        out = self._mentions(spec.words) == spec.wanted
        out[rows] = matched  # the attribute, where an item has it, decides
        return out

    def _number(self, spec: SpecConstraint) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        has = np.zeros(self.size, dtype=bool)
        attr = self.vocab.numeric.get(spec.attribute)
        if attr is not None:
            ok = _within(attr.bases, spec.low, spec.high)
            out[attr.rows[ok]] = True
            has[attr.rows] = True
        if spec.title_units:  # items without it: what their titles state
            codes = [_UNIT_CODES[u] for u in spec.title_units if u in _UNIT_CODES]
            same = np.isin(self._measure_units, codes)
            hit = same & _within(self._measure_bases, spec.low, spec.high)
            from_title = np.zeros(self.size, dtype=bool)
            from_title[self._measure_rows[hit]] = True
            for rival in spec.rivals:
                other = self.vocab.numeric.get(rival)
                if other is not None:
                    has[other.rows] = True
            out |= from_title & ~has
        return out

    def _mentions(self, words: Sequence[str]) -> np.ndarray:
        if not words:
            return np.zeros(self.size, dtype=bool)
        pattern = words_pattern(tuple(words))
        return np.fromiter((pattern.search(t) is not None for t in self.texts), dtype=bool,
                           count=self.size)


def _within(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    ok = np.ones(values.size, dtype=bool)
    if low is not None:
        ok &= values >= low
    if high is not None:
        ok &= values <= high
    return ok
