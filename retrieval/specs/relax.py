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
    kind_rows: np.ndarray | None,
) -> tuple[tuple[SpecConstraint, ...], tuple[Relaxation, ...]]:
    """The specs to search with, and what was relaxed. ``kind_rows``: rows of the product type
    the query names (None: any item counts)."""
    base = table_mask(dataclasses.replace(filters, specs=()))
    allowed = np.ones(masks.size, dtype=bool) if base is None else base
    if kind_rows is not None and kind_rows.size:
        kind = np.zeros(masks.size, dtype=bool)
        kind[kind_rows] = True
        if (allowed & kind).any():  # the asked kind exists within the other filters
            allowed = allowed & kind
    full = masks.all(filters.specs)
    if full is None or (allowed & full).any():
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
