"""Units of measure as shoppers and catalogs write them, and the numbers they qualify.

This is the one fixed table of the spec stage: physical units are the same in every catalog.
Which attribute a unit measures, and in which unit a catalog stores it, is learned from the
catalog (``retrieval.specs.vocabulary``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# surface form -> (dimension, size in the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    # length, base mm
    "mm": ("length", 1.0), "cm": ("length", 10.0), "m": ("length", 1000.0),
    "in": ("length", 25.4), "inch": ("length", 25.4), "inches": ("length", 25.4),
    '"': ("length", 25.4), "\u2033": ("length", 25.4), "''": ("length", 25.4),
    "ft": ("length", 304.8), "feet": ("length", 304.8), "foot": ("length", 304.8),
    # data size, base MB (decimal: 1 TB = 1000 GB, as storage is sold)
    "kb": ("bytes", 0.001), "mb": ("bytes", 1.0), "gb": ("bytes", 1000.0),
    "tb": ("bytes", 1_000_000.0),
    # electrical and mechanical
    "w": ("power", 1.0), "watt": ("power", 1.0), "watts": ("power", 1.0),
    "kw": ("power", 1000.0),
    "mah": ("charge", 1.0), "ah": ("charge", 1000.0),
    "v": ("voltage", 1.0), "volt": ("voltage", 1.0), "volts": ("voltage", 1.0),
    "hz": ("frequency", 1.0), "khz": ("frequency", 1e3), "mhz": ("frequency", 1e6),
    "ghz": ("frequency", 1e9),
    "g": ("mass", 1.0), "kg": ("mass", 1000.0), "lb": ("mass", 453.6), "lbs": ("mass", 453.6),
    "oz": ("mass", 28.35),
    "ml": ("volume", 1.0), "l": ("volume", 1000.0),
    "mp": ("megapixels", 1.0), "dpi": ("dpi", 1.0), "ppm": ("pages per minute", 1.0),
    "rpm": ("rpm", 1.0), "mbit/s": ("data rate", 1.0), "mbps": ("data rate", 1.0),
    "gbit/s": ("data rate", 1000.0), "gbps": ("data rate", 1000.0),
}
"""Every surface form shoppers and catalog titles use for a unit, lower-cased."""

_INCH_MARKS = {'"', "\u2033", "''"}
_WORD_UNITS = sorted((u for u in UNITS if u not in _INCH_MARKS), key=len, reverse=True)
NUMBER = r"(\d+(?:[.,]\d+)?)"
MEASURE = re.compile(
    r"(?<![\w.,])" + NUMBER + r"(?:\s?-?\s?(" + "|".join(re.escape(u) for u in _WORD_UNITS)
    + r")(?![\w])|\s?(\"|\u2033|''))",
    re.I,
)
"""A number and its unit: "27 inch", "16GB", '15.6"', "1 TB", "27-inch"."""


@dataclass(frozen=True, slots=True)
class Measure:
    value: float
    """As written, in ``unit``."""
    unit: str
    """Canonical lower-case surface form ('"' for inch marks)."""
    start: int
    end: int

    @property
    def dimension(self) -> str:
        return UNITS[self.unit][0]

    @property
    def base(self) -> float:
        """The value in the dimension's base unit."""
        return self.value * UNITS[self.unit][1]


def number(text: str) -> float:
    """ "15,6" (a decimal comma) and "15.6" are both 15.6."""
    return float(text.replace(",", "."))


NOT_MEASURES = frozenset({"2g", "3g", "4g", "5g", "3m"})
"""Names that look like a measure: mobile network generations, a brand."""


def measures(text: str) -> list[Measure]:
    """Every number-with-unit in ``text``, in order."""
    out = []
    for m in MEASURE.finditer(text):
        if m.group(0).lower() in NOT_MEASURES:
            continue
        unit = (m.group(2) or m.group(3) or "").lower()
        if unit in _INCH_MARKS:
            unit = '"'
        try:
            value = number(m.group(1))
        except ValueError:  # "1,000,5": not one number
            continue
        out.append(Measure(value, unit, m.start(), m.end()))
    return out


def unit_label(unit: str) -> str:
    """How a reply writes the unit: 'inch' for the inch marks, GB/TB/W upper-cased."""
    if unit in _INCH_MARKS or unit in ("in", "inches"):
        return "inch"
    if unit in ("kb", "mb", "gb", "tb", "mah", "ghz", "mhz", "khz", "mp", "dpi", "ppm", "rpm"):
        return {"mah": "mAh", "ghz": "GHz", "mhz": "MHz", "khz": "kHz", "mp": "MP"}.get(
            unit, unit.upper())
    if unit in ("w", "v", "hz"):
        return unit.upper() if unit != "hz" else "Hz"
    return unit


SAME = 0.03
"""Relative tolerance for "the same quantity": 1 GB = 1000 MB sold, 1024 MB stored."""


def scale_between(base: float, stored: float, dimension: str) -> float | None:
    """The size of one stored unit in base units when ``base`` (a measure in base units) and
    ``stored`` (an attribute's number) are the same quantity: one of the dimension's unit sizes
    (within ``SAME``); None otherwise."""
    if stored <= 0 or base <= 0:
        return None
    ratio = base / stored
    for dim, size in sorted(set(UNITS.values())):
        if dim == dimension and abs(ratio - size) <= SAME * size:
            return size
    return None


def item_base(stored: float, title: str, dimension: str, default_scale: float) -> float:
    """An item's attribute value in base units. Catalogs mix units within one attribute
    (memory in GB for notebooks, in MB for printers): the item's own title decides when it
    states the value ("1GB ... memory module" stored as 1024), else the attribute's usual
    scale."""
    for m in measures(title):
        if m.dimension == dimension and (scale := scale_between(m.base, stored, dimension)):
            return stored * scale
    return stored * default_scale
