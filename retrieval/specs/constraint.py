"""One specification a shopper asked for, as a constraint on products' attributes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from retrieval.specs.units import item_base, measures
from shopchat.records import Product


@lru_cache(maxsize=1024)
def words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``words`` as whole words ("ips", not the "ips" in "chips")."""
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


class SpecKind(StrEnum):
    NUMBER = "number"
    """A measure: ``low``/``high`` in the dimension's base unit ("27 inch", "at least 16gb")."""
    FLAG = "flag"
    """A yes/no feature ("with bluetooth", "without hdmi")."""
    CHOICE = "choice"
    """One of an attribute's values ("IPS", "4K", "black")."""


@dataclass(frozen=True, slots=True)
class SpecConstraint:
    attribute: str
    """The product attribute it constrains (``Product.attributes`` key)."""
    kind: SpecKind
    label: str
    """What was understood, in plain words: "27 inch display diagonal", "no bluetooth"."""
    low: float | None = None
    high: float | None = None
    """NUMBER: inclusive bounds in base units (``retrieval.specs.units``)."""
    scales: tuple[float, ...] = ()
    """NUMBER: base units per stored unit, the usual scale first (an item whose title states
    its value in another scale keeps its own: ``units.item_base``)."""
    dimension: str = ""
    unit: str = ""
    """NUMBER: the unit it was asked in (a ``retrieval.specs.units.UNITS`` key)."""
    title_units: frozenset[str] = frozenset()
    """NUMBER: the units titles state this attribute in: an item without the attribute is
    judged by a title measure in one of them ('27"', not "0.68 m")."""
    rivals: frozenset[str] = frozenset()
    """NUMBER: other attributes titles state in those units: an item with one of them is not
    judged by its title (a notebook case's '14"' is the notebook it fits)."""
    wanted: bool = True
    """FLAG: yes or no; CHOICE: one of ``values`` or none of them."""
    values: frozenset[str] = frozenset()
    """CHOICE: accepted stored values, lower-cased."""
    words: tuple[str, ...] = field(default=())
    """FLAG/CHOICE: how a text says it, for items that lack the attribute."""
    hard: bool = True
    """A filter every item meets; False: a preference that puts the items meeting it first
    (a feature most items of the asked type do not list, "bluetooth headphones")."""

    def holds(self, product: Product) -> bool:
        """Reference check. An item without the attribute is judged by its title and
        description: a flag or value they name, a measure its title gives."""
        raw = product.attributes.get(self.attribute)
        if self.kind is SpecKind.NUMBER:
            if raw is not None:
                try:
                    stored = float(raw)
                except ValueError:
                    return False
                return self.within(item_base(stored, product.title, self.dimension,
                                             self.scales[0] if self.scales else 1.0))
            if any(r in product.attributes for r in self.rivals):
                return False
            return any(m.unit in self.title_units and self.within(m.base)
                       for m in measures(product.title))
        if raw is not None:
            if self.kind is SpecKind.FLAG:
                return (raw.lower() == "yes") == self.wanted
            parts = {p.strip() for p in raw.lower().split(",")}
            return bool(parts & self.values) == self.wanted
        text = f"{product.title} {product.description}".lower()
        return (words_pattern(self.words).search(text) is not None) == self.wanted

    def within(self, base: float) -> bool:
        return (self.low is None or base >= self.low) and (self.high is None or base <= self.high)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"attribute": self.attribute, "kind": str(self.kind),
                               "label": self.label, "hard": self.hard}
        if self.kind is SpecKind.NUMBER:
            out.update(dimension=self.dimension, low=self.low, high=self.high)
        elif self.kind is SpecKind.FLAG:
            out["wanted"] = self.wanted
        else:
            out.update(values=sorted(self.values), wanted=self.wanted)
        return out
