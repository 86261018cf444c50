"""Products that are hard to lay out render without overflow at laptop and phone size: an
endless title, a Chinese title, no price and no image (``conftest.AWKWARD``), no result at all,
and 50 results. One screenshot per case in ``artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from tests.ui.browser import SCREENSHOTS, converse
from tests.ui.conftest import AWKWARD, LaunchPage

pytestmark = pytest.mark.usefixtures("needs_chromium")


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_long_chinese_and_bare_products(launch_page: LaunchPage, viewport: str) -> None:
    _, url = launch_page(None)
    page = converse(url, ["electric kettle"], viewport, shots=SCREENSHOTS, name="awkward")
    shown = " ".join(page.cards)
    assert "电热水壶" in shown and "price not listed" in shown
    assert "with-a-very-long-model-name" in shown
    assert {a for a in page.card_alts} >= {p.title for p in AWKWARD}
    assert page.overflow == [] and page.nested_scroll == []


def test_no_results(launch_page: LaunchPage) -> None:
    _, url = launch_page(None)
    page = converse(url, ["smartphone under $1"], "phone", shots=SCREENSHOTS,
                    name="no-results")
    assert page.cards == [] and page.chat.strip()
    assert page.overflow == []


def test_fifty_results(launch_page: LaunchPage) -> None:
    _, url = launch_page(None, answer_items=50, rerank_top_n=50)
    page = converse(url, ["something nice"], "laptop", shots=SCREENSHOTS, name="fifty")
    assert len(page.cards) >= 40, len(page.cards)
    numbers = [c.split(".", 1)[0] for c in page.cards]
    assert numbers == [str(n) for n in range(1, len(page.cards) + 1)]
    assert page.overflow == [] and page.nested_scroll == []
