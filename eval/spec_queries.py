"""Spec queries with their ground truth: generated from a catalog, or written by hand.

The generator reads the catalog, not the spec parser: product types are the catalog's own type
words (``TypeLead``) among a generic English lexicon of things shops sell, and for each type the
attributes its items carry (``SpecVocabulary``): measures phrased in the unit the catalog's
titles use ("27 inch monitor", "notebook with 16gb", "cable at least 2m"), yes/no features
("notebook with bluetooth", "printer without wi fi") and values ("ips monitor", "4k monitor",
"black keyboard"). Each query keeps what it means (type words, attribute, bounds in stored
units, values), so judging builds its own ``SpecConstraint`` and never goes through the parser.
Only queries that some item of the type meets are kept; that count is the query's
``available``.
"""

from __future__ import annotations

import csv
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from retrieval.ranking.type_lead import Kind, TypeLead, stem_words
from retrieval.specs.constraint import SpecConstraint, SpecKind
from retrieval.specs.parser import RESOLUTIONS
from retrieval.specs.units import UNITS, measures
from retrieval.specs.vocabulary import NumericAttribute, SpecVocabulary, compact, name_words
from shopchat.records import Product

log = logging.getLogger(__name__)

WRITTEN = Path(__file__).parent / "data" / "spec-queries-written.csv"
"""Hand-written shopper queries (held out: never used to tune the parser)."""

PRODUCT_WORDS = (
    "monitor", "notebook", "chromebook", "printer", "scanner", "projector", "headphones",
    "headset", "speaker", "keyboard", "mouse", "cable", "adapter", "charger", "battery",
    "processor", "memory", "module", "card", "drive", "switch", "router", "hub", "server",
    "workstation", "desktop", "motherboard", "fan", "camera", "lens", "lamp", "tv", "tablet",
    "smartphone", "case", "backpack", "sleeve", "cover", "stand", "mount", "rack", "enclosure",
    "toner", "cartridge", "ink", "drum", "paper", "labels", "tape", "barebone", "chassis",
)
"""Generic English words for things shops sell; a word is used only where the catalog's titles
make it a product type with ``MIN_TYPE_ITEMS`` items."""
MIN_TYPE_ITEMS = 20
MIN_SPEC_ITEMS = 10
"""Items of a type that must carry an attribute before queries ask for it."""
MIN_TITLE_AGREEMENT = 0.6
"""Share of those items whose title states the stored measure: below it the learned unit is a
coincidence for this type ("2 GB" is no count of ports)."""
FEATURES = {
    "bluetooth": "bluetooth", "wifi": "wifi", "touchscreen": "touchscreen",
    "backlight": "backlight", "keyboardbacklit": "backlit keyboard", "duplexprinting": "duplex",
    "numerickeypad": "numeric keypad", "fingerprintreader": "fingerprint reader",
    "ethernetlan": "ethernet", "cardreaderintegrated": "card reader", "hdmi": "hdmi",
    "builtinmicrophone": "microphone", "builtincamera": "camera", "frontcamera": "front camera",
    "waterresistant": "water resistant", "waterproof": "waterproof", "rechargeable": "rechargeable",
    "ecc": "ecc", "hdcp": "hdcp", "rackmounting": "rack mounting", "vesamounting": "vesa mount",
    "nfc": "nfc", "gps": "gps", "hotswap": "hot swap", "raidsupport": "raid",
    "noisecancelling": "noise cancelling", "foldable": "foldable", "colour": "colour",
    "tvtunerintegrated": "tv tuner", "networkready": "network", "usbport": "usb port",
    "dviport": "dvi", "surgeprotection": "surge protection", "builtinspeakers": "speakers",
    "wirelesslan": "wireless lan", "mouseincluded": "mouse included", "3d": "3d",
    "scroll": "scroll wheel", "microphonein": "microphone input",
}
"""Yes/no attributes (compact name) shoppers ask for, and how they say them (generic English:
the flags themselves come from the catalog)."""
FAMILIES = (
    ("total_storage_capacity", "ssd_capacity", "hdd_capacity", "total_ssds_capacity",
     "total_hdds_capacity", "internal_storage_capacity", "native_capacity", "flash_memory"),
    ("internal_memory", "ram_capacity", "standard_memory_capacity"),
    ("display_diagonal", "viewable_size_diagonal", "diagonal"),
)
"""Attributes one plain phrase may mean alike ("notebook with 1tb": any storage): a query on
one accepts the others."""
MAX_VALUES = 2
"""Values asked per (type, text attribute): colours would crowd out the rest."""
CHOICE_ATTRIBUTES = ("panel_type", "display_resolution", "connectivity_technology",
                     "print_technology")
"""Text attributes shoppers name a value of, besides colours."""
DEFAULT_COUNT = 300


@dataclass(frozen=True, slots=True)
class SpecQuery:
    """A query and what it asks for."""

    query: str
    types: tuple[str, ...]
    """Type words that count as right ("notebook", "laptop"), as typed."""
    attributes: tuple[str, ...]
    """Attributes any of which meeting the spec is right (``Product.attributes`` keys)."""
    kind: SpecKind
    low: float | None = None
    high: float | None = None
    """NUMBER: inclusive bounds in the stored units of the first of ``attributes`` the catalog's
    vocabulary has learned (the others are taken to be stored alike)."""
    values: tuple[str, ...] = ()
    """CHOICE: accepted stored values, lower-cased."""
    wanted: bool = True
    template: str = ""
    available: int = 0
    """Items of the type that meet the spec."""
    source: str = "generated"
    words: tuple[str, ...] = field(default=())
    """FLAG/CHOICE: how a text says it, for items without the attribute."""


class Judge:
    """Is a product of the asked type, and does it meet the asked spec? Built from the catalog
    only (types from ``TypeLead``, units from ``SpecVocabulary``)."""

    def __init__(self, products: Sequence[Product], lead: TypeLead,
                 vocab: SpecVocabulary) -> None:
        self.products = products
        self.lead = lead
        self.vocab = vocab

    def right_type(self, row: int, query: SpecQuery) -> bool:
        """Of type one of ``query.types`` (by title, or by the category's last word)."""
        title = self.lead.titles[row]
        stems = stem_words(t.lower() for t in query.types)
        return any(title.kind(s, frozenset({s})) is Kind.TYPE for s in stems)

    def constraints(self, query: SpecQuery) -> list[SpecConstraint]:
        return [self.constraint(query, a) for a in query.attributes]

    def constraint(self, query: SpecQuery, attribute: str) -> SpecConstraint:
        """The ground truth as a constraint on one attribute."""
        if query.kind is SpecKind.NUMBER:
            first = next((self.vocab.numeric[a] for a in query.attributes
                          if a in self.vocab.numeric), None)
            scale = first.scales[0] if first else 1.0  # bounds are in the first one's units
            low = None if query.low is None else query.low * scale
            high = None if query.high is None else query.high * scale
            numeric = self.vocab.numeric.get(attribute)
            if numeric is None:  # not learned: stored like the others, no title fallback
                return SpecConstraint(attribute, SpecKind.NUMBER, attribute, low=low, high=high,
                                      scales=(scale,))
            return SpecConstraint(
                attribute, SpecKind.NUMBER, attribute, low=low, high=high,
                scales=numeric.scales, dimension=numeric.dimension, unit=numeric.unit,
                title_units=numeric.title_units, rivals=self.vocab.rivals(attribute))
        words = query.words or tuple(dict.fromkeys((*query.values, " ".join(
            name_words(attribute)))))
        if query.kind is SpecKind.FLAG:
            return SpecConstraint(attribute, SpecKind.FLAG, attribute, wanted=query.wanted,
                                  words=words)
        return SpecConstraint(attribute, SpecKind.CHOICE, attribute, wanted=query.wanted,
                              values=frozenset(v.lower() for v in query.values), words=words)

    def spec_holds(self, product: Product, query: SpecQuery,
                   constraints: Sequence[SpecConstraint] | None = None) -> bool:
        found = constraints if constraints is not None else self.constraints(query)
        return any(c.holds(product) for c in found)

    def right(self, row: int, query: SpecQuery,
              constraints: Sequence[SpecConstraint] | None = None) -> bool:
        return self.right_type(row, query) and self.spec_holds(self.products[row], query,
                                                               constraints)

    def type_rows(self, query: SpecQuery) -> np.ndarray:
        rows = [self.lead.type_rows(s) for s in stem_words(t.lower() for t in query.types)]
        return np.unique(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)

    def available(self, query: SpecQuery) -> int:
        """Items of the asked type that meet the spec."""
        constraints = self.constraints(query)
        return sum(self.spec_holds(self.products[int(r)], query, constraints)
                   for r in self.type_rows(query))


# -- generation -------------------------------------------------------------------------------


def catalog_types(lead: TypeLead, words: Iterable[str] = PRODUCT_WORDS,
                  least: int = MIN_TYPE_ITEMS) -> dict[str, np.ndarray]:
    """Type word (as typed) -> rows of its items, for the words the catalog has as types."""
    out: dict[str, np.ndarray] = {}
    for word in words:
        head = lead.head(word)
        if head is None:
            continue
        rows = lead.type_rows(head.noun)
        if rows.size >= least and not any(head.noun == stem_words([w])[0] for w in out):
            out[word] = rows
    return out


def _title_agreement(products: Sequence[Product], attr: NumericAttribute,
                     rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The type's items with ``attr`` (rows, stored values) and the share whose title states
    the stored value in the attribute's dimension."""
    inside = np.isin(attr.rows, rows)
    have, values = attr.rows[inside], attr.values[inside]
    if not have.size:
        return have, values, 0.0
    agree = 0
    for row, value in zip(have.tolist(), values.tolist(), strict=True):
        stated = [m.base for m in measures(products[row].title) if m.dimension == attr.dimension]
        agree += any(abs(b - value * s) <= 0.01 * value * s for b in stated for s in attr.scales)
    return have, values, agree / have.size


def _phrase_value(attr: NumericAttribute, stored: float) -> tuple[float, str]:
    """A stored value in the unit titles use, promoted to TB / GB where that reads better."""
    base = stored * attr.scales[0]
    unit = attr.unit
    if attr.dimension == "bytes":
        for bigger in ("tb", "gb"):
            size = UNITS[bigger][1]
            if UNITS[unit][1] < size <= base and (base / size) == round(base / size, 1):
                unit = bigger
                break
    return round(base / UNITS[unit][1], 2), unit


def _unit_text(unit: str, spaced: bool, rng: random.Random) -> str:
    if unit in ('"', "in", "inch", "inches"):
        return rng.choice([" inch", '"', "-inch", " in"]) if spaced else rng.choice(["\"", " inch"])
    return (" " if spaced else "") + unit


def _fmt(value: float) -> str:
    return f"{value:g}"


def _number_queries(word: str, attr: NumericAttribute, values: np.ndarray,
                    rng: random.Random, ambiguous: bool = False) -> list[SpecQuery]:
    """One query per template for a value some items of the type have. ``ambiguous``: the
    type has a more common attribute in the same unit, so the query names this one ("processor
    at least 2.8ghz l3 cache speed"), as a shopper who means it would."""
    picks = sorted(set(np.round(values, 4).tolist()))
    out = []
    for template in ("exact-before", "exact-with", "at-least", "under"):
        stored = float(rng.choice(picks))
        if stored <= 0:
            continue
        value, unit = _phrase_value(attr, stored)
        size = UNITS[unit][1] / attr.scales[0]  # stored units per phrased unit
        noun = f" {' '.join(name_words(attr.name))}" if ambiguous else _noun(attr.name, rng)
        said = f"{_fmt(value)}{_unit_text(unit, rng.random() < 0.5, rng)}{noun}"
        low: float | None
        high: float | None
        if template.startswith("exact"):
            low, high = _band(value, unit)
            low, high = low * size, high * size
            query = f"{said} {word}" if template == "exact-before" else f"{word} with {said}"
        elif template == "at-least":
            low, high = value * size * 0.99, None
            query = rng.choice([f"{word} at least {said}", f"{word} {said} or more"])
        else:
            low, high = None, value * size * 1.01
            query = rng.choice([f"{word} under {said}", f"{word} up to {said}"])
        out.append(SpecQuery(query.replace("  ", " "), (word,), family(attr.name),
                             SpecKind.NUMBER, low=low, high=high, template=template))
    return out


def family(name: str) -> tuple[str, ...]:
    """``name`` and the attributes a plain phrase for it may mean alike (``FAMILIES``)."""
    for group in FAMILIES:
        if name in group:
            return (name, *(g for g in group if g != name))
    return (name,)


def _noun(name: str, rng: random.Random) -> str:
    """What a shopper says after a memory or storage size, half the time: "16gb ram"."""
    words = name_words(name)
    if rng.random() < 0.5:
        return ""
    if "ssd" in words or "ssds" in words:
        return " ssd"
    if "hdd" in words or "hdds" in words:
        return " hdd"
    return " ram" if name in FAMILIES[1] else ""


def _band(value: float, unit: str) -> tuple[float, float]:
    """What a shopper accepts for a plain "27 inch" or "16gb", in the phrased unit: sizes are
    sold rounded (a "24 inch" screen measures 23.8, a "15 inch" laptop 15.6); other whole
    numbers within 3% ("1tb" takes 1024 GB), others within 1%."""
    if UNITS[unit][0] == "length" and unit in ('"', "in", "inch", "inches") \
            and float(value).is_integer():
        return value - 0.45, value + 0.95
    spread = 0.03 if float(value).is_integer() else 0.01
    return value * (1 - spread), value * (1 + spread)


def _flag_queries(word: str, name: str, yes: int, no: int,
                  rng: random.Random) -> list[SpecQuery]:
    said = FEATURES[compact(name)]
    words = tuple(dict.fromkeys((said, " ".join(name_words(name)), compact(name))))
    out = []
    if yes:
        out.append(SpecQuery(rng.choice([f"{word} with {said}", f"{said} {word}"]), (word,),
                             (name,), SpecKind.FLAG, template="flag-with", words=words))
    if no:
        out.append(SpecQuery(f"{word} without {said}", (word,), (name,), SpecKind.FLAG,
                             wanted=False, template="flag-without", words=words))
    return out


def _choice_queries(word: str, name: str, counts: dict[str, int],
                    rng: random.Random) -> list[SpecQuery]:
    names = {v: k for k, v in reversed(list(RESOLUTIONS.items()))}  # value -> first name
    out: list[SpecQuery] = []
    for value, n in rng.sample(sorted(counts.items()), len(counts)):
        if n < MIN_SPEC_ITEMS // 2 or len(out) >= MAX_VALUES:
            continue
        if name == "display_resolution":
            if value not in names:
                continue
            said = names[value]
            words: tuple[str, ...] = (said, value)
        elif not value.replace(" ", "").isalpha() or len(value.split()) > 2:
            continue
        else:
            said, words = value, (value,)
        query = rng.choice([f"{said} {word}", f"{word} {said}"])
        out.append(SpecQuery(query, (word,), (name,), SpecKind.CHOICE, values=(value,),
                             template="choice", words=words))
    return out


def _type_candidates(products: Sequence[Product], vocab: SpecVocabulary, word: str,
                     rows: np.ndarray, rng: random.Random) -> list[SpecQuery]:
    out: list[SpecQuery] = []
    eligible: list[tuple[NumericAttribute, np.ndarray, int]] = []
    for name in sorted(vocab.numeric):
        attr = vocab.numeric[name]
        have, values, agreement = _title_agreement(products, attr, rows)
        if have.size >= MIN_SPEC_ITEMS and agreement >= MIN_TITLE_AGREEMENT:
            eligible.append((attr, values, int(have.size)))
    usual: dict[str, tuple[int, str]] = {}  # dimension -> the type's most stated attribute
    for attr, _, n in eligible:
        usual[attr.dimension] = max(usual.get(attr.dimension, (0, "")), (n, attr.name))
    for attr, values, _ in eligible:
        ambiguous = attr.name not in family(usual[attr.dimension][1])
        out += _number_queries(word, attr, values, rng, ambiguous)
    for name in sorted(vocab.flags):
        flag = vocab.flags[name]
        if compact(name) not in FEATURES:
            continue
        inside = np.isin(flag.rows, rows)
        if inside.sum() >= MIN_SPEC_ITEMS:
            yes = int(flag.yes[inside].sum())
            out += _flag_queries(word, name, yes, int(inside.sum()) - yes, rng)
    for name in sorted(vocab.choices):
        if name not in CHOICE_ATTRIBUTES and not name.endswith(("colour", "color")):
            continue
        choice = vocab.choices[name]
        at = np.flatnonzero(np.isin(choice.rows, rows))
        if at.size < MIN_SPEC_ITEMS:
            continue
        counts: dict[str, int] = {}
        for i in at.tolist():
            for value in choice.values[i]:
                counts[value] = counts.get(value, 0) + 1
        out += _choice_queries(word, name, counts, rng)
    return out


def generate(products: Sequence[Product], count: int = DEFAULT_COUNT, seed: int = 0,
             lead: TypeLead | None = None,
             vocab: SpecVocabulary | None = None) -> list[SpecQuery]:
    """``count`` spec queries (fewer when the catalog has fewer) that some item meets, drawn
    with ``seed`` from every (type, spec, template) the catalog supports; the same arguments
    give the same queries."""
    lead = lead or TypeLead(products)
    vocab = vocab or SpecVocabulary.learn(products)
    judge = Judge(products, lead, vocab)
    rng = random.Random(seed)
    candidates: list[SpecQuery] = []
    for word, rows in catalog_types(lead).items():
        candidates += _type_candidates(products, vocab, word, rows, rng)
    rng.shuffle(candidates)
    seen: set[str] = set()
    out: list[SpecQuery] = []
    for query in candidates:
        if len(out) >= count:
            break
        if query.query in seen:
            continue
        available = judge.available(query)
        if available >= 1:
            seen.add(query.query)
            out.append(replace(query, available=available))
    log.info("%d spec queries from %d candidates", len(out), len(candidates))
    return out


# -- the written set --------------------------------------------------------------------------


def load_written(path: Path = WRITTEN) -> list[SpecQuery]:
    """The hand-written queries ('#' lines are comments); ``available`` is left at 0 (see
    ``with_availability``)."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return [_written(r) for r in rows]


def _written(row: dict[str, str]) -> SpecQuery:
    def split(text: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in (text or "").split("|") if p.strip())

    def bound(text: str) -> float | None:
        return float(text) if text and text.strip() else None

    return SpecQuery(
        query=row["query"], types=split(row["type"]), attributes=split(row["attribute"]),
        kind=SpecKind(row["kind"]), low=bound(row["low"]), high=bound(row["high"]),
        values=tuple(v.lower() for v in split(row["values"])),
        wanted=(row.get("wanted") or "yes").strip().lower() not in ("no", "false", "0"),
        template="written", source="written")


def with_availability(queries: Sequence[SpecQuery], judge: Judge) -> list[SpecQuery]:
    return [replace(q, available=judge.available(q)) for q in queries]
