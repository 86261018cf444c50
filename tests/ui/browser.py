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


# --- a whole conversation at a given screen size: layout, accessibility, screenshots ---------

VIEWPORTS: dict[str, tuple[int, int]] = {"laptop": (1366, 768), "phone": (390, 844)}
"""The screen sizes the page is checked at (issue 21)."""

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
"""Where the browser tests leave their screenshots (git-ignored; CI keeps the folder)."""

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core from the npm registry (``npm install --no-save --prefix . axe-core@4``)."""


def axe_path() -> Path | None:
    """axe.min.js (``SHOPCHAT_AXE`` overrides), or None when it is not installed."""
    explicit = os.environ.get("SHOPCHAT_AXE")
    path = Path(explicit) if explicit else AXE_JS
    return path if path.is_file() else None


_AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""

_BOT_MESSAGES = "() => document.querySelectorAll('#shopchat-chat .message-row.bot-row').length"

_ANSWERED = """([bots]) => {
  const chat = document.querySelector('#shopchat-chat');
  return !!chat && chat.querySelectorAll('.message-row.bot-row').length > bots
    && !chat.innerText.includes('ranking and explaining')
    && !document.querySelector('.shopchat-card .reason.pending');
}"""
"""The reply to the message just sent is in the chat and complete."""

_NESTED_SCROLL = """() => {
  // scroll boxes (other than the page) that hold a product card, and cut-off cards
  const out = [];
  for (const card of document.querySelectorAll('.shopchat-card')) {
    if (!card.offsetParent) continue;
    for (let el = card.parentElement; el && el !== document.body; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 2) {
        out.push('scroll box: ' + (el.id || el.className));
        break;
      }
    }
  }
  return [...new Set(out)];
}"""

_OVERFLOW = """() => {
  // visible elements wider than the page, or card text running out of its card
  const out = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) out.push('page scrolls sideways');
  const column = document.querySelector('#shopchat-cards');
  const edge = column ? column.getBoundingClientRect().right : width;
  for (const chip of document.querySelectorAll('.shopchat-chip')) {
    if (chip.offsetParent && chip.getBoundingClientRect().right > edge + 1)
      out.push('chip past its column: ' + chip.innerText.slice(0, 40));
  }
  for (const card of document.querySelectorAll('.shopchat-card')) {
    if (!card.offsetParent) continue;
    const box = card.getBoundingClientRect();
    if (box.right > width + 1) out.push('card past the screen: ' + card.innerText.slice(0, 40));
    for (const el of card.querySelectorAll('.title, .meta, .reason, img')) {
      const r = el.getBoundingClientRect();
      if (r.right > box.right + 1) out.push('out of its card: ' + el.className);
    }
  }
  return out;
}"""

_LABEL_OVER_TEXT = """() => {
  // any label drawn over a chat message
  const chat = document.querySelector('#shopchat-chat');
  if (!chat) return [];
  const labels = [...chat.querySelectorAll('label, [data-testid="block-label"], .block-label')]
    .filter(l => l.offsetParent).map(l => l.getBoundingClientRect());
  const out = [];
  for (const m of chat.querySelectorAll('.message')) {
    const r = m.getBoundingClientRect();
    for (const l of labels) {
      if (l.left < r.right && r.left < l.right && l.top < r.bottom && r.top < l.bottom)
        out.push(m.innerText.slice(0, 40));
    }
  }
  return out;
}"""


_CHAT_SCROLLED_AWAY = """() => {
  const chat = document.getElementById('shopchat-chat');
  let away = 0;
  for (const box of [chat, ...chat.querySelectorAll('*')]) {
    if (box.scrollHeight > box.clientHeight + 2 && getComputedStyle(box).overflowY !== 'visible') {
      away = Math.max(away, box.scrollHeight - box.clientHeight - box.scrollTop);
    }
  }
  return away;
}"""
"""How far the chat's scroll boxes are from their bottom."""


@dataclass
class ConversationVisit:
    viewport: str
    axe_before: list[dict[str, object]] = field(default_factory=list)
    """axe-core violations of impact serious or critical on the fresh page."""
    axe_after: list[dict[str, object]] = field(default_factory=list)
    """The same after the conversation."""
    cards: list[str] = field(default_factory=list)
    card_titles: list[str] = field(default_factory=list)
    card_alts: list[str] = field(default_factory=list)
    """The alt text of each visible card's image, in card order."""
    nested_scroll: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    label_over_text: list[str] = field(default_factory=list)
    chat: str = ""
    chat_scrolled_away: int = 0
    """Pixels between the chat box's bottom and its newest text (0: the newest reply shows)."""
    keyboard_liked: str = ""
    """The card liked by Tab + Enter on its Like button (its text)."""
    screenshots: list[Path] = field(default_factory=list)


@contextmanager
def opened(url: str, viewport: tuple[int, int], timeout_ms: int) -> Iterator[Page]:
    """A fresh headless Chromium on the loaded chat page at ``viewport`` (width, height)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no chromium on PATH (apt-get install chromium chromium-driver)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=CHROMIUM_FLAGS)
        try:
            width, height = viewport
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(timeout_ms)
            page.goto(url, wait_until="domcontentloaded")
            page.locator("#shopchat-history", has_text="history").wait_for()
            yield page
        finally:
            browser.close()


def send(page: Page, message: str) -> None:
    """Type ``message``, press Enter, wait for its complete reply."""
    bots = page.evaluate(_BOT_MESSAGES)
    box = page.locator("#shopchat-input textarea, #shopchat-input input").first
    box.fill(message)
    box.press("Enter")
    page.wait_for_function(_ANSWERED, arg=[bots])
    page.wait_for_timeout(500)  # the last update's cards are drawn after its chat line


def run_axe(page: Page, axe: Path) -> list[dict[str, object]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    return list(page.evaluate(_AXE_RUN))


def settle(page: Page) -> None:
    """Let toasts fade (they cover the cards in a screenshot)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with suppress(PlaywrightTimeout):
        page.locator(".toast-body").first.wait_for(state="detached", timeout=15_000)


def like_by_keyboard(page: Page, card: int) -> str:
    """Tab from the chat box to card ``card``'s Like button, press Space; the liked card."""
    page.locator("#shopchat-input textarea, #shopchat-input input").first.focus()
    like = page.locator(".shopchat-like").nth(card - 1)
    for _ in range(200):
        page.keyboard.press("Tab")
        if like.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the Like button")
    page.keyboard.press("Space")
    liked = page.locator(".shopchat-card", has_text="liked").first
    liked.wait_for()
    return liked.inner_text()


def converse(url: str, messages: list[str], viewport: str, *, shots: Path | None = None,
             name: str = "conversation", like: int = 0, axe: Path | None = None,
             timeout_ms: int = 120_000) -> ConversationVisit:
    """Send ``messages`` in one conversation at a ``VIEWPORTS`` size; check the layout, run
    axe-core before and after (when ``axe``), like card ``like`` with the keyboard (when > 0)
    and save the first screen and the whole page to ``shots/{name}-{viewport}[-full].png``."""
    out = ConversationVisit(viewport)
    with opened(url, VIEWPORTS[viewport], timeout_ms) as page:
        if axe is not None:
            out.axe_before = run_axe(page, axe)
        for message in messages:
            send(page, message)
        if like:
            out.keyboard_liked = like_by_keyboard(page, like)
        settle(page)
        cards = [c for c in page.locator(".shopchat-card").all() if c.is_visible()]
        out.cards = [c.inner_text() for c in cards]
        out.card_titles = [c.locator(".title").get_attribute("title") or "" for c in cards]
        out.card_alts = [c.locator("img").get_attribute("alt") or "" for c in cards]
        out.nested_scroll = list(page.evaluate(_NESTED_SCROLL))
        out.overflow = list(page.evaluate(_OVERFLOW))
        out.label_over_text = list(page.evaluate(_LABEL_OVER_TEXT))
        out.chat = page.locator("#shopchat-chat").inner_text()
        out.chat_scrolled_away = int(page.evaluate(_CHAT_SCROLLED_AWAY))
        if axe is not None:
            out.axe_after = run_axe(page, axe)
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            first = shots / f"{name}-{viewport}.png"
            full = shots / f"{name}-{viewport}-full.png"
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=str(first))
            page.screenshot(path=str(full), full_page=True)
            out.screenshots = [first, full]
    return out
