"""The chat page in a real headless Chromium: type, see cards, like, screenshot."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from retrieval.profiles import Personaliser
from tests.ui.browser import visit
from tests.ui.conftest import LaunchPage


@pytest.mark.usefixtures("needs_chromium")
def test_query_cards_like_and_screenshot(launch_page: LaunchPage,
                                         tmp_path: Path) -> None:
    shop, url = launch_page(None)
    shot = tmp_path / "chat.png"
    page = visit(url, "evil wireless mouse", shot, like=2)

    assert len(page.cards) == 2  # "mouse" is a product type: only the planted mice qualify
    assert page.cards[0].startswith("1.") and "$" in page.cards[0]
    assert any("<script>window.__pwned = 1</script>" in card for card in page.cards)
    assert page.script_nodes == 0 and page.pwned is None  # shown as text, never run
    assert "liked" in page.liked_card
    assert "like" in page.history
    assert shot.stat().st_size > 20_000

    liked_title = page.liked_card.split("\n")[0].split(".", 1)[1].strip()
    assert liked_title in page.history  # recorded for this browser's guest, shown as text

    # closing the page forgets that anonymous guest: no guest events are left behind
    personaliser = shop.assistant().personaliser
    assert personaliser is not None
    deadline = time.monotonic() + 15
    while guests(personaliser) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not guests(personaliser)


def guests(personaliser: Personaliser) -> list[str]:
    return [u for u, _ in personaliser.events.top_users(100) if u.startswith("guest-")]
