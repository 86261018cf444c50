"""Table tests for the rules of a turn: which intent a message is, how a follow-up changes the
constraints, and the answers to questions about shown items (no index, no model)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.followups import compare, extreme, why
from assistant.intents import Intent, Turn, classify, positions, residual_words
from assistant.refine import refine_filters
from retrieval.types import Filters
from shopchat.records import Product

# (message, text left after the parser removed constraint phrases, has results, expected turn)
CLASSIFY_CASES: list[tuple[str, str, bool, Turn]] = [
    ("wireless mouse", "wireless mouse", False, Turn(Intent.SEARCH)),
    ("cheaper", "cheaper", False, Turn(Intent.SEARCH)),  # nothing shown yet: a search
    ("start over", "start over", True, Turn(Intent.RESET)),
    ("Start over please", "start over please", False, Turn(Intent.RESET)),
    ("new search", "new search", True, Turn(Intent.RESET)),
    ("clear filters", "clear filters", True, Turn(Intent.RESET)),
    ("more", "more", True, Turn(Intent.MORE)),
    ("more", "more", False, Turn(Intent.EMPTY)),  # nothing to show more of: asked what
    ("show me more", "show me more", False, Turn(Intent.EMPTY)),
    ("show me more", "show me more", True, Turn(Intent.MORE)),
    ("next page!", "next page!", True, Turn(Intent.MORE)),
    ("anything else?", "anything else?", True, Turn(Intent.MORE)),
    ("more mice like these", "more mice like these", True, Turn(Intent.SEARCH)),
    ("why the second one?", "why the second one?", True, Turn(Intent.WHY, [2])),
    ("why #3", "why #3", True, Turn(Intent.WHY, [3])),
    ("tell me more about the last one", "", True, Turn(Intent.WHY, [-1])),
    ("compare 1 and 3", "compare 1 and 3", True, Turn(Intent.COMPARE, [1, 3])),
    ("first vs second", "first vs second", True, Turn(Intent.COMPARE, [1, 2])),
    ("compare the second one and the fourth", "", True, Turn(Intent.COMPARE, [2, 4])),
    ("what is the cheapest of these?", "what is the", True, Turn(Intent.CHEAPEST)),
    ("the cheapest one?", "the cheapest one?", True, Turn(Intent.CHEAPEST)),
    ("cheapest laptop", "cheapest laptop", True, Turn(Intent.SEARCH)),  # a new search
    ("which is the most expensive?", "which is the", True, Turn(Intent.PRICIEST)),
    ("cheaper", "cheaper", True, Turn(Intent.REFINE, price_direction=-1)),
    ("something less expensive", "something less expensive", True,
     Turn(Intent.REFINE, price_direction=-1)),
    ("more expensive ones", "more expensive ones", True, Turn(Intent.REFINE, price_direction=1)),
    ("under 30", "", True, Turn(Intent.REFINE)),  # only a constraint: refine
    ("only Logitech", "only", True, Turn(Intent.REFINE)),
    ("not Apple", "", True, Turn(Intent.REFINE)),
    ("wireless ones", "wireless ones", True, Turn(Intent.REFINE)),
    ("just the blue version", "just the blue version", True, Turn(Intent.REFINE)),
    ("gaming keyboard", "gaming keyboard", True, Turn(Intent.SEARCH)),
    ("usb c hub with hdmi", "usb c hub with hdmi", True, Turn(Intent.SEARCH)),
    # specifications: "with hdmi" reaches classify as "with" (its spec words removed)
    ("with hdmi", "with", True, Turn(Intent.REFINE)),
    ("at least 16gb", "", True, Turn(Intent.REFINE)),
    ("bigger", "bigger", True, Turn(Intent.REFINE, size_direction=1)),
    ("a larger screen", "a larger screen", True, Turn(Intent.REFINE, size_direction=1)),
    ("smaller ones", "smaller ones", True, Turn(Intent.REFINE, size_direction=-1)),
    ("bigger", "bigger", False, Turn(Intent.SEARCH)),  # nothing shown yet
]


@pytest.mark.parametrize(("message", "remaining", "has_results", "expected"), CLASSIFY_CASES,
                         ids=[c[0] for c in CLASSIFY_CASES])
def test_classify(message: str, remaining: str, has_results: bool, expected: Turn) -> None:
    assert classify(message, remaining, has_results=has_results) == expected


@pytest.mark.parametrize(("message", "expected"), [
    ("why the second one?", [2]),
    ("compare 1 and 3", [1, 3]),
    ("#2 vs #10", [2, 10]),
    ("the last one", [-1]),
    ("compare one and three", [1, 3]),
    ("item 4 or option 4", [4]),  # no duplicates
    ("compare 1 and 99", [1]),  # beyond 50 is not a position
])
def test_positions(message: str, expected: list[int]) -> None:
    assert positions(message) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("wireless ones please", ["wireless"]),
    ("only the black version", ["black"]),
    ("cheaper", []),
    ("something with usb-c", ["usb-c"]),
])
def test_residual_words(text: str, expected: list[str]) -> None:
    assert residual_words(text) == expected


SHOWN = [10.0, 20.0, 30.0, 40.0]  # median 25
# (active, what the follow-up said, price direction, expected)
REFINE_CASES: list[tuple[str, Filters, Filters, int, Filters]] = [
    ("cheaper caps just under the median shown",
     Filters(), Filters(), -1, Filters(price_max=24.99)),
    ("cheaper never loosens a tighter cap",
     Filters(price_max=20.0), Filters(), -1, Filters(price_max=20.0)),
    ("pricier floors just above the median",
     Filters(), Filters(), 1, Filters(price_min=25.01)),
    ("a new explicit cap replaces the old one",
     Filters(price_max=50.0), Filters(price_max=80.0), 0, Filters(price_max=80.0)),
    ("a cap keeps the old floor",
     Filters(price_min=10.0), Filters(price_max=80.0), 0, Filters(price_min=10.0, price_max=80.0)),
    ("only X replaces inclusions",
     Filters(brands=frozenset({"hp"})), Filters(brands=frozenset({"dell"})), 0,
     Filters(brands=frozenset({"dell"}))),
    ("exclusions accumulate",
     Filters(exclude_brands=frozenset({"razer"})), Filters(exclude_brands=frozenset({"apple"})), 0,
     Filters(exclude_brands=frozenset({"razer", "apple"}))),
    ("asking for an excluded brand lifts its exclusion",
     Filters(exclude_brands=frozenset({"apple"})), Filters(brands=frozenset({"apple"})), 0,
     Filters(brands=frozenset({"apple"}))),
    ("excluding an included brand drops it",
     Filters(brands=frozenset({"hp", "dell"})), Filters(exclude_brands=frozenset({"hp"})), 0,
     Filters(brands=frozenset({"dell"}), exclude_brands=frozenset({"hp"}))),
    ("categories follow the same rules",
     Filters(categories=frozenset({"mice"})), Filters(exclude_categories=frozenset({"mice"})), 0,
     Filters(exclude_categories=frozenset({"mice"}))),
]


@pytest.mark.parametrize(("name", "current", "said", "direction", "expected"), REFINE_CASES,
                         ids=[c[0] for c in REFINE_CASES])
def test_refine_filters(name: str, current: Filters, said: Filters, direction: int,
                        expected: Filters) -> None:
    assert refine_filters(current, said, direction, SHOWN) == expected


def test_cheaper_with_no_prices_shown_keeps_the_constraints() -> None:
    assert refine_filters(Filters(price_max=9.0), Filters(), -1, []) == Filters(price_max=9.0)


def product(pid: str, price: str | None, **attrs: str) -> Product:
    return Product(id=pid, title=f"Mouse {pid}", brand="Logi", category="mice",
                   price=Decimal(price) if price is not None else None,
                   description="A *quiet* mouse", attributes=dict(attrs))


ITEMS = [(1, product("a", "30.00", dpi="1600", ean="1")),
         (2, product("b", "12.50", dpi="800")),
         (3, product("c", None, dpi="1200"))]


@pytest.mark.parametrize(("cheapest", "expected"), [(True, 2), (False, 1)])
def test_extreme_picks_by_price_and_skips_unpriced(cheapest: bool, expected: int) -> None:
    pick = extreme(ITEMS, cheapest=cheapest)
    assert pick is not None and pick[0] == expected


def test_extreme_without_prices_is_none() -> None:
    assert extreme([ITEMS[2]], cheapest=True) is None


def test_why_states_the_items_own_facts_and_reason_escaped() -> None:
    text = why(2, ITEMS[1][1], "cheap and *light*")
    assert text.startswith("**#2 Mouse b**")
    assert "by Logi" in text and "12.50" in text
    assert r"cheap and \*light\*" in text  # Markdown in a reason is escaped
    assert "dpi: 800" in text and "ean" not in text


def test_compare_is_a_table_of_shared_attributes_naming_the_cheapest() -> None:
    table = compare(ITEMS[:2])
    rows = table.split("\n")
    assert rows[0] == "| | #1 | #2 |"
    assert "| dpi | 1600 | 800 |" in rows
    assert not any(r.startswith("| ean") for r in rows)
    assert table.endswith("Cheapest: #2.")
