"""Which Online Retail descriptions are stock-keeping notes and which codes are fees."""

from __future__ import annotations

import pytest

from catalog.retail_rules import is_fee_text, is_non_product_code, is_note_text

NOTES = ["?", "??", "20713", "check", "CHECK", "damaged", "Damaged", "DAMAGED", "wet pallet",
         "WET/MOULDY", "thrown away", "Found", "sold as set on dotcom", "OOPS ! adjustment",
         "damages/credits from ASOS.", "POSSIBLE DAMAGES OR LOST?", "michel oops",
         "had been put aside", "?lost", "wrongly marked 23343"]
PRODUCTS = ["WHITE HANGING HEART T-LIGHT HOLDER", "BAG 125g SWIRLY MARBLES",
            "BROWN CHECK CAT DOORSTOP", "SET OF 4 PANTRY JELLY MOULDS",
            "FLOWERS HANDBAG blue and orange", "Dr. Jam's Arouzer Stress Ball",
            "3 TRADITIONAl BISCUIT CUTTERS SET", "POLYESTER FILLER PAD 40x40cm"]


@pytest.mark.parametrize("text", NOTES)
def test_notes(text: str) -> None:
    assert is_note_text(text)


@pytest.mark.parametrize("text", PRODUCTS)
def test_products(text: str) -> None:
    assert not is_note_text(text)


def test_fee_codes_and_descriptions() -> None:
    for code in ("POST", "DOT", "M", "C2", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK",
                 "PADS", "B", "GIFT_0001_20"):
        assert is_non_product_code(code)
    assert not is_non_product_code("85123A")
    assert not is_non_product_code("DCGSSGIRL")  # dotcom-only party bags are products
    assert is_fee_text("Next Day Carriage")
    assert is_fee_text("Dotcomgiftshop Gift Voucher £20.00")
    assert not is_fee_text("FRENCH CARRIAGE LANTERN")
