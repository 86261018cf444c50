"""Answers about shown items name them by their page number, never by an internal id."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from assistant.followups import compare, extreme, why, without_id_tags
from shopchat.records import Product

ID_TAG = re.compile(r"\bid\s*[:=]\s*\d|`id:", re.IGNORECASE)


def product(pid: str, title: str, price: str | None, **extra: str) -> Product:
    return Product(id=pid, title=title, brand="Logitech", category="mouse",
                   price=None if price is None else Decimal(price), currency="USD",
                   description=extra.pop("description", ""), attributes=dict(extra))


PAGE = [
    product("4261066", "Logitech M90 mouse", "14.95", model="M90", ean="5099206021990"),
    product("3943887", "Logitech M100 mouse", "20.95", model="M100",
            description="M100 - USB, Optical id:3943887"),
    product("2161020", "Logitech B110 mouse", "8.94", model="B110"),
]
SHOWN = list(enumerate(PAGE, start=1))


def raw_ids_in(text: str) -> list[str]:
    return [p.id for p in PAGE if re.search(rf"(?<![\w.]){p.id}(?![\w.])", text)]


@pytest.mark.parametrize(("position", "reason"), [
    (1, "Matches “mouse”, by Logitech at $14.95."),
    (2, "Logitech M100 mouse id:3943887"),       # a tag in the reason
    (2, "`id:3943887` the one you asked for"),  # ... as a code span
    (3, ""),                                    # no reason at all
])
def test_why_names_the_page_number_and_no_id(position: int, reason: str) -> None:
    item = PAGE[position - 1]
    text = why(position, item, reason)
    assert text.startswith(f"**#{position} {item.title}**")
    assert re.findall(r"#(\d+)", text) == [str(position)]
    assert not ID_TAG.search(text), text
    assert raw_ids_in(text) == []
    assert "5099206021990" not in text  # the EAN is not a detail a shopper reads


@pytest.mark.parametrize("positions", [(1, 2), (2, 3), (1, 3), (3, 1, 2)])
def test_compare_heads_columns_with_page_numbers(positions: tuple[int, ...]) -> None:
    text = compare([SHOWN[p - 1] for p in positions])
    header = text.splitlines()[0]
    assert re.findall(r"#(\d+)", header) == [str(p) for p in positions]
    cheapest = min(positions, key=lambda p: PAGE[p - 1].price or 0)
    assert text.endswith(f"Cheapest: #{cheapest}.")
    assert not ID_TAG.search(text) and raw_ids_in(text) == []


@pytest.mark.parametrize(("cheapest", "position"), [(True, 3), (False, 2)])
def test_extreme_keeps_the_page_number(cheapest: bool, position: int) -> None:
    assert extreme(SHOWN, cheapest=cheapest) == SHOWN[position - 1]


@pytest.mark.parametrize(("text", "clean"), [
    ("Logitech M100 id:3943887", "Logitech M100"),
    ("`id:ab-1` cheap", "cheap"),
    ("item_id=7 here", "here"),
    ("Caller ID: yes", "Caller ID: yes"),  # a feature, not a tag
    ("no tags", "no tags"),
])
def test_without_id_tags(text: str, clean: str) -> None:
    assert without_id_tags(text) == clean


@pytest.mark.parametrize(("question", "positions"), [
    ("why the second one?", [2]),
    ("why number 3?", [3]),
    ("compare 1 and 3", [1, 3]),
])
def test_questions_after_a_search_keep_page_numbers(  # type: ignore[no-untyped-def]
        make_assistant, question: str, positions: list[int]) -> None:
    bot = make_assistant(None)
    page = bot.ask("u21", "laptop")
    assert len(page.items) >= 3
    answer = bot.ask("u21", question, page.session_id)
    asked = [page.items[p - 1] for p in positions]
    assert [i.id for i in answer.items] == [i.id for i in asked]
    head = answer.message.splitlines()[0]
    assert re.findall(r"#(\d+)", head) == [str(p) for p in positions], head
    if len(positions) == 1:
        assert head.startswith(f"**#{positions[0]} ")
    assert not ID_TAG.search(answer.message), answer.message
    ids = {i.id for i in page.items}
    assert not any(re.search(rf"(?<![\w.$#]){re.escape(i)}(?![\w.])", answer.message)
                   for i in ids if not i.isdigit() or len(i) > 2), answer.message
    assert all(not ID_TAG.search(i.reason) for i in answer.items)
