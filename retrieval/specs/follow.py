"""How a follow-up changes the specifications of a conversation ("at least 16gb", "without
bluetooth", "bigger")."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.specs.bounds import attribute_words, nice
from retrieval.specs.constraint import SpecConstraint, SpecKind
from retrieval.specs.units import UNITS, item_base, unit_label
from retrieval.specs.vocabulary import SpecVocabulary
from shopchat.records import Product

MIN_SHOWN_SHARE = 0.5
"""Share of the shown items that must state a size before "bigger" can compare by it."""


def merge_specs(current: Sequence[SpecConstraint], said: Sequence[SpecConstraint]
                ) -> tuple[SpecConstraint, ...]:
    """A follow-up's spec on an attribute replaces the conversation's ("without bluetooth"
    after "with bluetooth", "at least 16gb" after "8gb"); the others accumulate."""
    replaced = {s.attribute for s in said}
    return tuple([c for c in current if c.attribute not in replaced] + list(said))


def resize(current: Sequence[SpecConstraint], direction: int, shown: Sequence[Product],
           vocabulary: SpecVocabulary) -> tuple[SpecConstraint, ...]:
    """ "bigger" (+1) or "smaller" (-1): the size spec moves past what was asked, or past
    what was shown when no size was asked ("bigger" after "monitor": larger than the largest
    shown). The size is the conversation's length spec, else the length attribute most shown
    items state. Unchanged when no size applies."""
    spec = next((s for s in current if s.kind is SpecKind.NUMBER and s.dimension == "length"),
                None)
    name = spec.attribute if spec else _shown_size(shown, vocabulary)
    if name is None or name not in vocabulary.numeric:
        return tuple(current)
    attr = vocabulary.numeric[name]
    values = [item_base(float(p.attributes[name]), p.title, attr.dimension, attr.scales[0])
              for p in shown if _number(p.attributes.get(name))]
    if spec is not None:
        edge = spec.high if direction > 0 else spec.low
    else:
        edge = (max if direction > 0 else min)(values) if values else None
    if edge is None:
        return tuple(current)
    unit = spec.unit if spec and spec.unit else attr.unit
    said = spec.label if spec else (
        f"{nice(edge / UNITS[unit][1])} {unit_label(unit)} {attribute_words(name)}")
    moved = SpecConstraint(
        attribute=name, kind=SpecKind.NUMBER,
        label=("bigger than " if direction > 0 else "smaller than ") + said,
        low=edge * (1 + 1e-6) if direction > 0 else None,
        high=None if direction > 0 else edge * (1 - 1e-6),
        scales=attr.scales, dimension=attr.dimension, unit=unit,
        title_units=attr.title_units, rivals=vocabulary.rivals(name),
    )
    return merge_specs(current, [moved])


def _shown_size(shown: Sequence[Product], vocabulary: SpecVocabulary) -> str | None:
    """The length attribute most of the shown items state (a monitor's display diagonal)."""
    counts: dict[str, int] = {}
    for p in shown:
        for name in p.attributes:
            attr = vocabulary.numeric.get(name)
            if attr is not None and attr.dimension == "length":
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    best = max(sorted(counts), key=counts.__getitem__)
    return best if counts[best] >= MIN_SHOWN_SHARE * len(shown) else None


def _number(raw: str | None) -> bool:
    if raw is None:
        return False
    try:
        return bool(np.isfinite(float(raw)))
    except ValueError:
        return False


__all__ = ["merge_specs", "resize"]
