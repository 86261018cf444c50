"""Who the page's shopper is: anyone picked in demo mode; otherwise this browser's guest or the
user of a storefront-signed ``?token=`` (a forged one: the guest, and the page says so)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest

from assistant import Assistant
from assistant.api.tokens import sign_token
from assistant.session import SessionStore
from assistant.ui.app import build_app
from assistant.ui.shop import GUEST_PREFIX, Shop, conversation_id, page_shopper
from retrieval import Searcher
from retrieval.profiles import Personaliser
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
    """Open ``url``, ask, like the first card; the identity notice, the history, and the
    address bar then."""
    with asked(url, "red lipstick", 120_000) as page:
        page.locator(".shopchat-like").first.click()
        page.locator("#shopchat-history", has_text="like").wait_for()
        notice = page.locator("#shopchat-identity").inner_text()
        history = page.locator("#shopchat-history").inner_text()
        address = page.url
    return notice, history, address


@pytest.mark.usefixtures("needs_chromium")
def test_a_signed_token_is_the_pages_shopper(launch_page: LaunchPage) -> None:
    shop, url = launch_page(None, token_secret=SECRET)
    token = sign_token("token-shopper", 600, SECRET)
    notice, history, address = like_first_card(f"{url}?token={token}")
    assert notice.strip() == "" and "Recent activity of token-shopper" in history
    assert "token" not in address and token not in address  # off the address bar
    assert [e.event.value for e in shop.history(shop.default, "token-shopper")] == ["like"]


@pytest.mark.usefixtures("needs_chromium")
def test_a_forged_token_leaves_a_guest_with_a_notice(launch_page: LaunchPage) -> None:
    shop, url = launch_page(None, token_secret=SECRET)
    forged = sign_token("token-shopper", 600, "guessed secret")
    notice, history, _ = like_first_card(f"{url}?token={forged}")
    assert "not valid (forged)" in notice and "shopping as a guest" in notice
    assert "Recent activity of guest" in history
    assert shop.history(shop.default, "token-shopper") == []


def handler(blocks: gr.Blocks, name: str) -> Callable[..., Any]:
    """The page's event function called ``name`` (as a browser's event would run it)."""
    found = [f.fn for f in blocks.fns.values() if f.fn is not None and f.fn.__name__ == name]
    assert found, name
    return found[0]


def test_a_token_shopper_survives_a_restart(ui_searcher: Searcher, tmp_path: Path) -> None:
    """The page keeps its signed token, not a replica: a second process (a restart, or another
    replica behind the proxy) that never saw the page load serves the same shopper and the
    same conversation."""
    settings = Settings(home=tmp_path / "home", token_secret=SECRET, llm_backend="none")
    sessions = SessionStore()  # the shared database both processes use
    personaliser = Personaliser.open(ui_searcher, settings, name="ui-restart",
                                     events_path=tmp_path / "events.sqlite")

    def process() -> tuple[Shop, gr.Blocks]:
        bot = Assistant(ui_searcher, None, settings, personaliser=personaliser,
                        sessions=sessions)
        shop = Shop(settings, [ui_searcher.catalog], ui_searcher.catalog,
                    {ui_searcher.catalog: bot})
        return shop, build_app(shop)

    token = sign_token("token-shopper", 600, SECRET)
    browser = gr.Request(session_hash="browser-1")  # a page keeps its session hash
    catalog = ui_searcher.catalog
    try:
        _, first_page = process()
        list(handler(first_page, "respond")("red lipstick", [], token, catalog, browser))
        second, second_page = process()  # the restarted replica: no page load seen
        *_, last = handler(second_page, "respond")("more", [], token, catalog, browser)
        shown = next(v for k, v in last.items() if isinstance(k, gr.State))  # the cards
        handler(second_page, "handle")(shown, token, catalog, browser)  # like card #1
        sid = conversation_id("browser-1", "token-shopper", catalog, "ui")
        loaded = sessions.load("token-shopper", sid)
        assert loaded.status == "continued" and len(loaded.session.turns) == 2
        assert [e.event.value for e in second.history(catalog, "token-shopper")] == ["like"]
        # a forged token in the page's field is nobody: the browser's guest
        forged = sign_token("token-shopper", 600, "guessed secret")
        handler(second_page, "handle")(shown, forged, catalog, browser)
        assert len(second.history(catalog, "token-shopper")) == 1
    finally:
        personaliser.close()


def test_the_page_sends_no_referrer(launch_page: LaunchPage) -> None:
    _, url = launch_page(None, token_secret=SECRET)
    token = sign_token("token-shopper", 600, SECRET)
    for path in (f"?token={token}", "config", "gradio_api/info", "healthz"):
        reply = httpx.get(f"{url.rstrip('/')}/{path}", timeout=30)
        assert reply.headers.get("referrer-policy") == "no-referrer", path
