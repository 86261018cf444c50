"""Spec phrases -> attribute constraints, learned from a catalog's own attributes and titles."""

from __future__ import annotations

import pytest

from retrieval.ranking.type_lead import TypeLead
from retrieval.specs import SpecConstraint, SpecKind, SpecMasks, SpecParser, SpecVocabulary
from retrieval.specs.bounds import Bound, read_bounds
from retrieval.specs.follow import merge_specs, resize
from retrieval.specs.units import UNITS, item_base, measures
from tests.spec_catalog import spec_products

PRODUCTS = spec_products()
VOCAB = SpecVocabulary.learn(PRODUCTS)
TYPES = TypeLead(PRODUCTS)
PARSER = SpecParser(VOCAB, TYPES, len(PRODUCTS), brands={p.brand for p in PRODUCTS})
MASKS = SpecMasks(PRODUCTS, VOCAB)
INCH, GB = UNITS["inch"][1], UNITS["gb"][1]


def test_units_and_scales_are_learned_from_titles() -> None:
    diagonal = VOCAB.numeric["display_diagonal"]
    assert (diagonal.dimension, diagonal.scales[0]) == ("length", INCH)
    memory = VOCAB.numeric["internal_memory"]
    assert (memory.dimension, memory.scales[0]) == ("bytes", GB)
    assert VOCAB.numeric["cable_length"].scales[0] == UNITS["m"][1]
    assert "hdmi" in VOCAB.flags and "panel_type" in VOCAB.choices
    # a memory module stored in MB keeps its own scale: its title says "8GB"
    module = next(p for p in PRODUCTS if p.id == "ram3")
    assert item_base(8192, module.title, "bytes", GB) == pytest.approx(8192.0)


def test_a_measure_after_a_range_is_read_too() -> None:
    """"between 13 and 15 inch" is one bound; the "16gb" after it is another (it was
    skipped as if it were the range's second number)."""
    bounds = [b for b in read_bounds("laptop between 13 and 15 inch 16gb ram")
              if isinstance(b, Bound)]
    assert [b.phrase for b in bounds] == ["between 13 and 15 inch", "16gb"]


@pytest.mark.parametrize(("query", "unit", "value"), [
    ('27" monitor', '"', 27), ("27-inch monitor", "inch", 27), ("16GB stick", "gb", 16),
    ("1 TB drive", "tb", 1), ("15,6 inch", "inch", 15.6), ("5g phone", None, None),
])
def test_measures(query: str, unit: str | None, value: float | None) -> None:
    found = measures(query)
    assert [(m.unit, m.value) for m in found] == ([(unit, value)] if unit else [])


# query, attribute, low, high (in the phrase's unit; None: open), text left to search
NUMBER_CASES = [
    ("27 inch monitor", "display_diagonal", 26.5, 27.99, "monitor"),
    ('monitor 27"', "display_diagonal", 26.5, 27.99, "monitor"),
    ("monitor under 25 inch", "display_diagonal", None, 25, "monitor"),
    ("monitor between 20 and 24 inch", "display_diagonal", 20, 24, "monitor"),
    ("notebook with 16gb ram", "internal_memory", 15.52, 16.48, "notebook with"),
    ("16gb notebook", "internal_memory", 15.52, 16.48, "notebook"),
    ("notebook at least 16 gb", "internal_memory", 16, None, "notebook"),
    ("notebook 16gb or more", "internal_memory", 16, None, "notebook"),
    ("notebook with 512gb ssd", "ssd_capacity", 496.64, 527.36, "notebook with"),
    ("16gb usb flash drive", "capacity", 15.52, 16.48, "flash drive"),  # "16 GB USB" in titles
    ("3 m hdmi cable", "cable_length", 2.91, 3.09, "hdmi cable"),
]


@pytest.mark.parametrize(("query", "attribute", "low", "high", "text"), NUMBER_CASES)
def test_measures_become_constraints_on_the_attribute_the_type_has(
        query: str, attribute: str, low: float | None, high: float | None, text: str) -> None:
    read = PARSER.parse(query)
    numbers = [c for c in read.constraints if c.kind is SpecKind.NUMBER]
    assert [c.attribute for c in numbers] == [attribute], read
    spec = numbers[0]
    size = UNITS[spec.unit][1]
    assert spec.low == (None if low is None else pytest.approx(low * size, rel=1e-3))
    assert spec.high == (None if high is None else pytest.approx(high * size, rel=1e-3))
    assert spec.hard and not read.problems
    left = query
    for start, end in reversed(read.spans):
        left = left[:start] + " " + left[end:]
    assert " ".join(left.split()) == text


@pytest.mark.parametrize(("query", "attribute", "kind", "wanted", "hard"), [
    ("monitor with hdmi", "hdmi", SpecKind.FLAG, True, True),
    ("monitor without hdmi", "hdmi", SpecKind.FLAG, False, True),
    ("ips monitor", "panel_type", SpecKind.CHOICE, True, True),
    ("bluetooth headphones", "bluetooth", SpecKind.FLAG, True, True),
    ("notebook without bluetooth", "bluetooth", SpecKind.FLAG, False, True),
])
def test_features_and_values(query: str, attribute: str, kind: SpecKind, wanted: bool,
                             hard: bool) -> None:
    read = PARSER.parse(query)
    assert [(c.attribute, c.kind, c.wanted, c.hard) for c in read.constraints] == [
        (attribute, kind, wanted, hard)]


@pytest.mark.parametrize(("query", "problem"), [
    ("900 inch monitor", "near 900 inch"),
    ("0gb notebook", "more than 0"),
    ("-5 inch monitor", "more than 0"),
    ("notebook at least 8gb and at most 4gb", "cannot both hold"),
])
def test_absurd_or_contradictory_specs_are_reported_not_matched(query: str, problem: str) -> None:
    read = PARSER.parse(query)
    assert not [c for c in read.constraints if c.kind is SpecKind.NUMBER]
    assert any(problem in p for p in read.problems), read.problems


@pytest.mark.parametrize("query", ["", "???", "\U0001f600\U0001f600", "monitor " * 500,
                                   "27 27 27 inch inch", "inch", "gb", "16gb" * 50,
                                   "\u6700\u597d\u7684\u663e\u793a\u5668 27\u5bf8",
                                   "monitor \u200b27\u200b inch"])
def test_odd_input_never_crashes(query: str) -> None:
    read = PARSER.parse(query)
    assert all(0 <= s < e <= len(query) for s, e in read.spans)


@pytest.mark.parametrize("query", [q for q, *_ in NUMBER_CASES] + [
    "monitor with hdmi", "monitor without hdmi", "ips monitor", "bluetooth headphones",
    "notebook without bluetooth"])
def test_masks_agree_with_holds(query: str) -> None:
    for spec in PARSER.parse(query).constraints:
        mask = MASKS.mask(spec)
        assert mask.tolist() == [spec.holds(p) for p in PRODUCTS], spec.label


def test_a_module_stored_in_mb_is_not_a_notebook_with_terabytes() -> None:
    (spec,) = PARSER.parse("notebook at least 32 gb").constraints
    matched = {p.id for p, ok in zip(PRODUCTS, MASKS.mask(spec).tolist(), strict=True) if ok}
    assert matched == {"nb3", "nb9"}  # not the 1-16 GB modules stored as 1024-16384 (MB)


def test_a_notebook_case_title_is_not_a_notebook_screen() -> None:
    (spec,) = PARSER.parse("14 inch notebook").constraints
    matched = {p.id for p, ok in zip(PRODUCTS, MASKS.mask(spec).tolist(), strict=True) if ok}
    assert matched == {"nb0", "nb3", "nb6", "nb9"}  # the cases list the notebook they fit


def _spec(query: str, context: str = "") -> SpecConstraint:
    (spec,) = PARSER.parse(query, context).constraints
    return spec


def test_a_follow_up_spec_replaces_the_one_on_its_attribute() -> None:
    with_hdmi, diagonal = _spec("monitor with hdmi"), _spec("27 inch monitor")
    without = _spec("without hdmi", context="monitor")
    merged = merge_specs([diagonal, with_hdmi], [without])
    assert [(s.attribute, s.wanted) for s in merged] == [("display_diagonal", True),
                                                          ("hdmi", False)]


@pytest.mark.parametrize(("direction", "shown", "expected"), [
    (1, ["mon3", "mon4"], {32.0}),  # bigger than the asked 27 inch
    (-1, ["mon3", "mon4"], {21.5, 24.0}),
])
def test_bigger_and_smaller_move_past_the_asked_size(direction: int, shown: list[str],
                                                     expected: set[float]) -> None:
    by_id = {p.id: p for p in PRODUCTS}
    (moved,) = resize([_spec("27 inch monitor")], direction, [by_id[i] for i in shown], VOCAB)
    monitors = [p for p in PRODUCTS if p.id.startswith("mon") and moved.holds(p)]
    assert {float(p.attributes["display_diagonal"]) for p in monitors} == expected
    assert moved.label.startswith("bigger than" if direction > 0 else "smaller than")


def test_bigger_without_a_size_asked_goes_past_the_largest_shown() -> None:
    by_id = {p.id: p for p in PRODUCTS}
    (moved,) = resize([], 1, [by_id["mon0"], by_id["mon1"]], VOCAB)  # 21.5 and 24 shown
    assert moved.attribute == "display_diagonal"
    assert [p.id for p in PRODUCTS if p.id.startswith("mon") and moved.holds(p)] == [
        "mon3", "mon4", "mon5", "mon6", "mon9", "mon11"]


def test_bigger_with_nothing_measured_changes_nothing() -> None:
    by_id = {p.id: p for p in PRODUCTS}
    assert resize([], 1, [by_id["hp0"]], VOCAB) == ()
