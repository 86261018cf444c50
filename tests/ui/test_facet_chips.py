"""Facet chips on the chat page: shown under the latest answer, grouped by facet, and a chip
pressed with the keyboard sends its follow-up as the next message of the same conversation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval import Searcher
from tests.ui.browser import refine_by_chip
from tests.ui.conftest import LaunchPage
from tests.ui.facet_shim import with_facets

CHIP = re.compile(r"^(.+) \((\d+)\)$")


@pytest.mark.usefixtures("needs_chromium")
def test_a_brand_chip_refines_the_conversation(launch_page: LaunchPage, ui_searcher: Searcher,
                                               tmp_path: Path) -> None:
    shop, url = launch_page(None)
    with_facets(shop.assistant())
    page = refine_by_chip(url, "smartphone under 1000", "Apple (", "only Apple",
                          screenshot=tmp_path / "chips.png")

    assert {"Brand", "Price"} <= set(page.facets), page.facets
    assert page.chip_tags == {"button"}  # real buttons: focusable, Enter and Space press them
    for chips in page.facets.values():
        assert chips and all(CHIP.match(c) for c in chips), chips
    assert not any("id:" in c or "_" in c for chips in page.facets.values() for c in chips)

    assert "only Apple" in page.chat  # sent exactly as if typed, in the same conversation
    assert page.cards and all("Apple" in card for card in page.cards), page.cards
    prices = [float(m.group(1).replace(",", "")) for card in page.cards
              if (m := re.search(r"\$([\d,]+\.\d\d)", card))]
    assert prices and max(prices) <= 1000  # the earlier "under 1000" still holds
    assert "Brand" not in page.facets_after  # one brand left: nothing to choose between
