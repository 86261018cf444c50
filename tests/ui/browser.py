"""Drive the chat page in headless Chromium (Debian ``chromium``) with Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """The system Chromium (``SHOPCHAT_CHROMIUM`` overrides), or None when there is none."""
    explicit = os.environ.get("SHOPCHAT_CHROMIUM")
    return explicit or shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageVisit:
    cards: list[str] = field(default_factory=list)
    """Text of each product card shown after the query."""
    liked_card: str = ""
    history: str = ""
    script_nodes: int = 0
    """``<script>`` elements inside the cards and chat (must be 0: catalog text is escaped)."""
    pwned: object = None
    """``window.__pwned``: set only if planted catalog markup ever ran."""


@contextmanager
def asked(url: str, query: str, timeout_ms: int) -> Iterator[Page]:
    """A fresh headless Chromium on the chat page, ``query`` sent and its reasons shown."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no chromium on PATH (apt-get install chromium chromium-driver)")
    with sync_playwright() as pw:  # a fresh, empty profile per launch
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(timeout_ms)
            page.goto(url, wait_until="domcontentloaded")
            # the page's load event has run once the history panel has text
            page.locator("#shopchat-history", has_text="history").wait_for()
            page.locator("#shopchat-input textarea, #shopchat-input input").first.fill(query)
            page.locator("#shopchat-send").click()
            page.locator(".shopchat-card .reason:not(.pending)").first.wait_for()
            yield page
        finally:
            browser.close()


def visit(url: str, query: str, screenshot: Path, *, like: int = 1,
          timeout_ms: int = 120_000) -> PageVisit:
    """Type ``query``, wait for the reasons on the cards, like card ``like``, screenshot."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    visit = PageVisit()
    with asked(url, query, timeout_ms) as page:
        cards = page.locator(".shopchat-card")
        visit.cards = [c.inner_text() for c in cards.all() if c.is_visible()]
        page.locator(".shopchat-like").nth(like - 1).click()
        page.locator(".shopchat-card", has_text="liked").first.wait_for()
        visit.liked_card = page.locator(".shopchat-card", has_text="liked").first.inner_text()
        page.locator("#shopchat-history", has_text="like").wait_for()
        visit.history = page.locator("#shopchat-history").inner_text()
        visit.script_nodes = page.locator(
            "#shopchat-cards script, #shopchat-chat script").count()
        visit.pwned = page.evaluate("() => window.__pwned ?? null")
        with suppress(PlaywrightTimeout):  # let the "you liked" toast fade off the cards
            page.locator(".toast-body").first.wait_for(state="detached", timeout=15_000)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    return visit


@dataclass
class ChipVisit:
    facets: dict[str, list[str]] = field(default_factory=dict)
    """Facet label -> its chips' text, after the first query."""
    chip_tags: set[str] = field(default_factory=set)
    """Element names of the chips (real buttons: {"button"})."""
    chat: str = ""
    """The conversation after the chip's turn."""
    cards: list[str] = field(default_factory=list)
    """Cards after the chip's turn."""
    facets_after: dict[str, list[str]] = field(default_factory=dict)


_SETTLED = """([sent]) => {
  const chat = document.querySelector('#shopchat-chat');
  return !!chat && chat.innerText.includes(sent)
    && !chat.innerText.includes('ranking and explaining')
    && !document.querySelector('.shopchat-card .reason.pending');
}"""
"""The chip's message is in the chat and its answer is complete."""


def refine_by_chip(url: str, query: str, chip: str, sent: str, *,
                   screenshot: Path | None = None, timeout_ms: int = 120_000) -> ChipVisit:
    """Ask ``query``, then press the chip whose text starts with ``chip`` with the keyboard
    (focus, Enter); wait for the answer to ``sent`` (the chip's message)."""
    import re

    out = ChipVisit()
    with asked(url, query, timeout_ms) as page:
        page.locator(".shopchat-chip").first.wait_for()
        out.facets = facets_on(page)
        button = page.get_by_role("button", name=re.compile("^" + re.escape(chip)))
        out.chip_tags = {t.lower() for t in page.locator(".shopchat-chip").evaluate_all(
            "els => els.map(e => e.tagName)")}
        button.first.focus()
        page.keyboard.press("Enter")
        page.wait_for_function(_SETTLED, arg=[sent])
        out.chat = page.locator("#shopchat-chat").inner_text()
        out.cards = [c.inner_text() for c in page.locator(".shopchat-card").all()
                     if c.is_visible()]
        out.facets_after = facets_on(page)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    return out


def facets_on(page: Page) -> dict[str, list[str]]:
    """Visible facet rows: label -> chip texts."""
    rows = page.locator(".shopchat-facet")
    out: dict[str, list[str]] = {}
    for row in rows.all():
        if not row.is_visible():
            continue
        name = row.locator(".shopchat-facet-label").inner_text().strip()
        out[name] = [c.inner_text().strip() for c in row.locator(".shopchat-chip").all()
                     if c.is_visible()]
    return out
