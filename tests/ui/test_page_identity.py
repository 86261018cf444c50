"""Who the page's shopper is: anyone picked in demo mode; otherwise this browser's guest or the
user of a storefront-signed ``?token=`` (a forged one: the guest, and the page says so)."""

from __future__ import annotations

import httpx
import pytest

from assistant.api.tokens import sign_token
from assistant.ui.shop import GUEST_PREFIX, page_shopper
from shopchat.settings import Settings
from tests.ui.browser import asked
from tests.ui.conftest import LaunchPage

SECRET = "page-token-secret"


def elem_ids(url: str) -> set[str]:
    config = httpx.get(f"{url.rstrip('/')}/config", timeout=30).json()
    return {c.get("props", {}).get("elem_id") for c in config["components"]} - {None}


def test_the_shopper_selector_exists_only_in_demo_mode(launch_page: LaunchPage) -> None:
    _, url = launch_page(None)
    assert "shopchat-shopper" not in elem_ids(url) and "shopchat-chat" in elem_ids(url)
    _, demo_url = launch_page(None, demo=True)
    assert "shopchat-shopper" in elem_ids(demo_url)


def test_page_shopper_from_a_token() -> None:
    settings = Settings(token_secret=SECRET)
    assert page_shopper(sign_token("17850", 60, SECRET), "b1", settings) == ("17850", "")
    guest, note = page_shopper(None, "b1", settings)
    assert guest.startswith(GUEST_PREFIX) and note == ""
    forged, note = page_shopper(sign_token("17850", 60, "wrong"), "b1", settings)
    assert forged == guest and "not valid (forged)" in note
    expired, note = page_shopper(sign_token("17850", 1, SECRET, now=0), "b1", settings)
    assert expired == guest and "not valid (expired)" in note
    assert "does not take shopper tokens" in page_shopper("a.b", "b1", Settings())[1]


def like_first_card(url: str) -> tuple[str, str, str]:
    """Open ``url``, ask, like the first card; the identity notice, the history, the item."""
    with asked(url, "red lipstick", 120_000) as page:
        page.locator(".shopchat-like").first.click()
        page.locator("#shopchat-history", has_text="like").wait_for()
        notice = page.locator("#shopchat-identity").inner_text()
        history = page.locator("#shopchat-history").inner_text()
        title = page.locator(".shopchat-card").first.inner_text().split("\n")[0]
    return notice, history, title


@pytest.mark.usefixtures("needs_chromium")
def test_a_signed_token_is_the_pages_shopper(launch_page: LaunchPage) -> None:
    shop, url = launch_page(None, token_secret=SECRET)
    token = sign_token("token-shopper", 600, SECRET)
    notice, history, _ = like_first_card(f"{url}?token={token}")
    assert notice.strip() == "" and "Recent activity of token-shopper" in history
    assert [e.event.value for e in shop.history(shop.default, "token-shopper")] == ["like"]


@pytest.mark.usefixtures("needs_chromium")
def test_a_forged_token_leaves_a_guest_with_a_notice(launch_page: LaunchPage) -> None:
    shop, url = launch_page(None, token_secret=SECRET)
    forged = sign_token("token-shopper", 600, "guessed secret")
    notice, history, _ = like_first_card(f"{url}?token={forged}")
    assert "not valid (forged)" in notice and "shopping as a guest" in notice
    assert "Recent activity of guest" in history
    assert shop.history(shop.default, "token-shopper") == []
