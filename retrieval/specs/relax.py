"""Hard where the catalog can, soft where it cannot: a specification that no item of the asked
kind meets gives way to the nearest value the catalog has ("no 27 inch monitors under $150;
the closest are 24 inch")."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from retrieval.specs.bounds import attribute_words, nice
from retrieval.specs.constraint import SpecConstraint, SpecKind
from retrieval.specs.masks import SpecMasks
from retrieval.specs.units import UNITS, unit_label
from retrieval.types import Filters, Relaxation


def relax_specs(
    filters: Filters,
    table_mask: Callable[[Filters], np.ndarray | None],
    masks: SpecMasks,
    typed: np.ndarray,
    nearby: Callable[[], np.ndarray],
) -> tuple[tuple[SpecConstraint, ...], tuple[Relaxation, ...]]:
    """The specs to search with, and what was relaxed. ``typed``: rows of the items the
    catalog's titles call the asked type; ``nearby``: the rows nearest to the query by meaning,
    looked up only when no typed item meets the specs (both count as the asked kind)."""
    full = masks.all(filters.specs)
    if full is None:
        return filters.specs, ()
    base = table_mask(dataclasses.replace(filters, specs=()))
    allowed = np.ones(masks.size, dtype=bool) if base is None else base
    if typed.size and (allowed[typed] & full[typed]).any():
        return filters.specs, ()  # items of the type the titles name meet them
    kind = np.zeros(masks.size, dtype=bool)
    kind[np.union1d(typed, nearby())] = True
    if (allowed & kind).any():  # the asked kind exists within the other filters
        allowed = allowed & kind
    if (allowed & full).any():
        return filters.specs, ()
    kept: list[SpecConstraint] = []
    relaxed: list[Relaxation] = []
    for spec in filters.specs:
        if not spec.hard:  # a preference never empties a page
            kept.append(spec)
            continue
        pool = allowed & (masks.all(kept) if kept else True)
        if (pool & masks.mask(spec)).any():
            kept.append(spec)
            continue
        nearest = _nearest(spec, pool, masks) if spec.kind is SpecKind.NUMBER else None
        relaxed.append(Relaxation(spec, nearest))
        if nearest is not None:
            kept.append(nearest)
    return tuple(kept), tuple(relaxed)


def _nearest(spec: SpecConstraint, pool: np.ndarray, masks: SpecMasks) -> SpecConstraint | None:
    """The value of ``spec``'s attribute closest to what it asks, among ``pool``'s items."""
    attr = masks.vocab.numeric.get(spec.attribute)
    if attr is None:
        return None
    inside = pool[attr.rows]
    if not inside.any():
        return None
    base = attr.bases[inside]
    low = spec.low if spec.low is not None else -np.inf
    high = spec.high if spec.high is not None else np.inf
    gap = np.maximum(low - base, 0) + np.maximum(base - high, 0)
    value = float(base[int(np.argmin(gap))])
    unit = spec.unit or attr.unit
    size = UNITS[unit][1]
    return dataclasses.replace(
        spec, low=value * (1 - 1e-9), high=value * (1 + 1e-9),
        label=f"{nice(value / size)} {unit_label(unit)} {attribute_words(spec.attribute)}",
    )
