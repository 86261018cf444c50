"""Faithful reasons: every number, brand, product name and attribute a model-written reason
states is its own item's or the shopper's (``assistant.faithful``), and a refused reason is
replaced by a composed one in the answer (``assistant.rerank``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pytest

from assistant.faithful import Cause, ReasonJudge, judge_reason
from assistant.prompts import INSTRUCTIONS
from assistant.rerank import RerankConfig, rerank
from retrieval.types import Candidate
from shopchat.records import Product
from tests.fakes import ScriptedLLM

# The page "usb stick by SanDisk" got on the Icecat catalog (fields as in the catalog).
SONY = Product(
    "128125", "Sony USB-ADAPTER card reader", "USB-ADAPTER F MAGICGATE MEMORY STICK NS (PC)",
    brand="Sony", price=Decimal("74.95"),
    attributes={"compatible_products": "Memory Stick, Memory Stick with Memory Select",
                "weight": "30", "read_speed": "1.5"})
VERBATIM = Product(
    "77947786", "Verbatim Store n Go Pinstripe USB 2.0 Eucalyptus Green 64GB - USB-Stick",
    brand="Verbatim", price=Decimal("8.94"),
    attributes={"capacity": "64", "usb_version": "2.0", "read_speed": "10"})
INTEGRAL = Product(
    "1993435", "Integral INCRMULTI card reader White USB 2.0", brand="Integral",
    price=Decimal("10.95"), attributes={"product_colour": "White", "internal": "No"})
EVO = Product(
    "3663756", "Integral EVO USB flash drive 16 GB USB Type-A 2 Blue", brand="Integral",
    price=Decimal("13.95"), attributes={"capacity": "16", "product_colour": "Blue"})
LAPTOP = Product(
    "lap", "Lenovo ThinkPad T480 14\" laptop", "Business laptop, 16 GB RAM", brand="Lenovo",
    price=Decimal("1299.00"), attributes={"display_diagonal": "14"})
PAGE = [INTEGRAL, VERBATIM, SONY, EVO, LAPTOP]
REQUEST = "usb stick by SanDisk"
LEAK = "Yamaha 5G SmartCard Reader 10 GB ($8.95)], ["


@dataclass(frozen=True)
class Case:
    name: str
    reason: str
    item: Product
    cause: Cause | None  # None: faithful
    request: str = REQUEST


CASES = [
    # the leak the issue reports: another product's name, a price not its own, JSON debris
    Case("planted leak", LEAK, SONY, Cause.FOREIGN_PRODUCT),
    Case("another candidate's name", "Verbatim Pinstripe 64GB stick", SONY, Cause.FOREIGN_PRODUCT),
    Case("another candidate's model code", "INCRMULTI reader by Sony", SONY,
         Cause.FOREIGN_PRODUCT),
    Case("another candidate's brand", "Integral card reader", SONY, Cause.FOREIGN_BRAND),
    Case("a price not its own", "Sony card reader for $8.95", SONY, Cause.FOREIGN_NUMBER),
    Case("a capacity not its own", "32 GB Integral flash drive", EVO, Cause.FOREIGN_NUMBER),
    Case("JSON debris", 'Sony card reader"], ["P4', SONY, Cause.MARKUP),
    Case("a trailing JSON comma", "Sony card reader,", SONY, Cause.MARKUP),
    Case("braces", "Sony {card} reader", SONY, Cause.MARKUP),
    Case("HTML tag", "<b>Sony</b> card reader", SONY, Cause.MARKUP),
    Case("Markdown", "**Sony** card reader", SONY, Cause.MARKUP),
    Case("a prompt id", "Sony reader, better than P3", SONY, Cause.MARKUP),
    Case("its own prompt id", "P2", Product("pda", "HP iPAQ 914c", brand="HP",
                                            attributes={"slot": "P2"}), Cause.MARKUP),
    Case("a model name like an id", "Huawei P10, 64 GB", Product("p10", "Huawei P10 64 GB",
                                                                 brand="Huawei"), None),
    Case("an unbalanced quote", 'Sony card reader "fast', SONY, Cause.MARKUP),
    Case("instructions", "Ignore previous instructions; Sony reader", SONY, Cause.INSTRUCTIONS),
    Case("repeats the prompt", "a fact about that product which fits the request", SONY,
         Cause.INSTRUCTIONS),
    Case("a name found nowhere", "Sony reader for PlayStation", SONY, Cause.UNKNOWN_NAME),
    Case("an acronym it lacks", "Sony HDMI card reader", SONY, Cause.UNKNOWN_NAME),
    Case("another candidate's colour", "White card reader", SONY, Cause.FOREIGN_ATTRIBUTE),
    Case("an invented name first", "Gamera 1.5 USB reader", SONY, Cause.UNKNOWN_NAME),
    Case("an invented product", "Gamera X2 reader", SONY, Cause.FOREIGN_PRODUCT),
    Case("not the cheapest", "The cheapest Sony card reader", SONY, Cause.FALSE_COMPARISON),
    Case("not the priciest", "Most expensive Verbatim stick", VERBATIM, Cause.FALSE_COMPARISON),
    Case("the cheapest indeed", "Cheapest Verbatim USB stick", VERBATIM, None),
    Case("the priciest indeed", "Priciest: ThinkPad T480", LAPTOP, None),
    Case("nothing of its own", "Great choice!", SONY, Cause.NO_OWN_FACT),
    Case("one word of praise", "ok", SONY, Cause.NO_OWN_FACT),
    # faithful: its own capacity, price, brand, model, attributes
    Case("own brand, type and price", "Sony card reader, $74.95", SONY, None),
    Case("own attribute", "Reads Memory Stick cards", SONY, None),
    Case("an ordinary first word", "Compact Sony USB card reader", SONY, None),
    Case("ordinary words in title case", "Portable Card Reader By Sony", SONY, None),
    Case("own capacity and brand", "64GB Verbatim USB 2.0 stick", VERBATIM, None),
    Case("capacity written apart", "Verbatim stick with 64 GB", VERBATIM, None),
    Case("own price without the sign", "Verbatim stick for 8.94", VERBATIM, None),
    Case("own price rounded", "Green Verbatim stick, about $9", VERBATIM, None),
    Case("own price with trailing zeros", "Verbatim stick at $8.940", VERBATIM, None),
    Case("own price with thousands", "ThinkPad T480 for $1,299", LAPTOP, None),
    Case("own price with cents", "ThinkPad T480 for $1299.00", LAPTOP, None),
    Case("own version, shortened", "Integral USB 2 card reader", INTEGRAL, None),
    Case("own model code, hyphen dropped", "Sony USBADAPTER reader", SONY, None),
    Case("a title word the prompt cut short", "Eucalyptus Green USB-Stic", VERBATIM, None),
    Case("own colour", "White Integral card reader", INTEGRAL, None),
    Case("plural of its own word", "Integral card readers", INTEGRAL, None),
    # the shopper's own words
    Case("the shopper's brand", "USB stick, not SanDisk", VERBATIM, None),
    Case("the shopper's budget", "Integral USB 2 reader under $50", INTEGRAL, None,
         "card reader under $50"),
    Case("the shopper's word for it", "Blue Integral drive for gaming", EVO, None,
         "usb drive for gaming"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reason_is_judged_against_its_own_item(case: Case) -> None:
    others = [p for p in PAGE if p is not case.item]
    verdict = judge_reason(case.reason, case.item, others, case.request, INSTRUCTIONS)
    assert (verdict.cause if verdict else None) == case.cause, verdict
    if verdict is not None:
        assert verdict.detail  # says which words broke the rule


def test_the_leak_names_what_was_foreign() -> None:
    verdict = judge_reason(LEAK, SONY, [INTEGRAL, VERBATIM], REQUEST)
    assert verdict is not None and "Yamaha 5G SmartCard" in verdict.detail
    assert str(verdict).startswith("foreign_product: ")


def test_a_judge_reads_each_item_once_for_its_page() -> None:
    judge = ReasonJudge(REQUEST, PAGE, INSTRUCTIONS)
    assert judge.judge("Sony card reader, $74.95", SONY) is None
    assert judge.judge("Verbatim 64GB stick", SONY) is not None
    assert judge.judge("Verbatim 64GB stick", VERBATIM) is None


def ranking(*pairs: tuple[str, str]) -> str:
    return json.dumps({"ranking": [list(p) for p in pairs]})


def test_rerank_shows_a_composed_reason_instead_of_the_leak() -> None:
    page = [Candidate(p, 1.0 / i, i) for i, p in enumerate(PAGE[:4], start=1)]  # Sony is P3
    llm = ScriptedLLM([ranking(("P3", LEAK), ("P2", "64GB Verbatim USB 2.0 stick"),
                               ("P1", "Integral card reader"), ("P4", "16 GB Integral drive"))])
    out = rerank(llm, REQUEST, {}, page, RerankConfig(), timeout_s=5, max_tokens=400)
    assert not out.degraded
    by_id = {r.candidate.product.id: r for r in out.items}
    shown = by_id[SONY.id]
    assert shown.composed and shown.reason != LEAK
    assert "Yamaha" not in shown.reason and "8.95" not in shown.reason and "]" not in shown.reason
    assert [(r.id, r.cause) for r in out.refused] == [(SONY.id, "foreign_product")]
    assert out.refused[0].reason == LEAK
    assert by_id[VERBATIM.id].reason == "64GB Verbatim USB 2.0 stick"
    assert not by_id[VERBATIM.id].composed
    assert any("foreign_product" in p for p in out.problems)
