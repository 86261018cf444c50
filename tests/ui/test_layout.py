"""The chat page at laptop (1366x768) and phone (390x844) size, in headless Chromium: a whole
conversation whose cards are reachable by scrolling the page (no scroll box of their own), a
chat whose label never covers text, no item ids in what the shopper reads, alt text on every
card image, a like given from the keyboard, and no serious or critical axe-core violation
before or after. Screenshots go to ``artifacts/screenshots/`` (CI keeps them)."""

from __future__ import annotations

import os

import pytest

from tests.ui.browser import SCREENSHOTS, VIEWPORTS, axe_path, converse
from tests.ui.conftest import LaunchPage

CONVERSATION = ["smartphone under 1000", "only Apple", "why the second one?"]


@pytest.fixture
def axe() -> object:
    """axe-core's script; skipped where it is not installed, a failure on CI (.ci/run)."""
    path = axe_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install axe-core (.ci/run: npm install axe-core)")
        pytest.skip("no axe-core: npm install --no-save --prefix . axe-core@4")
    return path


@pytest.mark.usefixtures("needs_chromium")
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_conversation_fits_the_screen(launch_page: LaunchPage, viewport: str,
                                        axe: object) -> None:
    _, url = launch_page(None)
    page = converse(url, CONVERSATION, viewport, shots=SCREENSHOTS, like=2,
                    axe=axe, name="conversation")  # type: ignore[arg-type]

    assert page.axe_before == [] and page.axe_after == [], (page.axe_before, page.axe_after)
    assert len(page.cards) >= 2 and all("Apple" in card for card in page.cards), page.cards
    assert page.nested_scroll == []  # the cards scroll with the page, never in a box
    assert page.overflow == [] and page.label_over_text == []
    assert page.card_alts == page.card_titles and all(page.card_alts)
    assert page.keyboard_liked.startswith("2.") and "liked" in page.keyboard_liked
    assert "id:" not in page.chat and "#2" in page.chat  # the card's number, no ids
    assert page.chat_scrolled_away <= 2  # the newest reply is in view
    for card in page.cards:  # "2." on the card is "#2" in the chat
        assert card.split(".", 1)[0].isdigit()
    assert all(shot.stat().st_size > 10_000 for shot in page.screenshots)
