"""What the chat page shows, as HTML and Markdown built from answers.

Every piece of catalog or shopper text passes through ``html.escape`` (cards) or
``md_escape`` (chat Markdown; ``Answer.message`` arrives escaped): product data is shown as
text, never rendered as markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote

from assistant.answer import Answer, AnswerFacetValue, AnswerItem
from assistant.markdown import md_escape
from assistant.phrases import phrase
from assistant.reasons import format_amount
from retrieval.profiles import StoredEvent
from shopchat.language import Language
from shopchat.records import Product

_SAFE_URL = re.compile(r"^https?://[^\s\"'<>`]+$", re.IGNORECASE)

PLACEHOLDER_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'>"
    "<rect width='64' height='64' rx='8' fill='#eef1f5'/>"
    "<path d='M20 20h24l-2 22H22z' fill='none' stroke='#64748b' stroke-width='3'/>"
    "<path d='M26 20v-4a6 6 0 0 1 12 0v4' fill='none' stroke='#64748b' stroke-width='3'/>"
    "<text x='32' y='57' font-family='sans-serif' font-size='9' text-anchor='middle' "
    "fill='#334155'>no photo</text></svg>"
)
PLACEHOLDER_URL = "data:image/svg+xml," + quote(PLACEHOLDER_SVG, safe="")
"""The "no photo" image: percent-encoded, so it holds no quote and fits in an attribute."""

CARD_CSS = """
.shopchat-card {display: flex; gap: 12px; align-items: flex-start; padding: 2px;}
.shopchat-card .thumb {flex: 0 0 64px; width: 64px; height: 64px; border-radius: 8px;
  overflow: hidden; background: #eef1f5 url("PLACEHOLDER") center / 64px no-repeat;}
.shopchat-card .thumb img {display: block; width: 64px; height: 64px; object-fit: contain;
  font-size: 0; color: transparent; overflow: hidden;}
.shopchat-card .thumb img:not(.loaded) {opacity: 0;}
.shopchat-card .thumb img.loaded {background: #fff;}
.shopchat-card .body {flex: 1; min-width: 0;}
.shopchat-card .title {font-weight: 600; line-height: 1.3; overflow-wrap: anywhere;
  display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical;
  overflow: hidden;}
.shopchat-card .meta {color: #475569; font-size: 0.9em; margin-top: 2px;
  overflow-wrap: anywhere;}
.shopchat-card .price {font-weight: 600; color: #0f5f58;}
.shopchat-card .reason {margin-top: 2px; font-size: 0.92em; line-height: 1.35;
  color: #1e293b; overflow-wrap: anywhere;}
.shopchat-card .reason.pending {color: #475569; font-style: italic;}
.shopchat-card .pos {color: #3730a3; font-weight: 700; margin-right: 4px;}
.shopchat-notice {border-left: 4px solid #d97706; background: #fffbeb; color: #78350f;
  padding: 8px 12px; border-radius: 4px;}
""".replace("PLACEHOLDER", PLACEHOLDER_URL)
"""The thumb shows the "no photo" image under the product image until that loads (its alt
text is transparent: a broken or loading image never shows half a title)."""


def image_html(url: str, title: str = "") -> str:
    """The product image, ``title`` as its alt text; the "no photo" image when the URL is not
    plain http(s) or cannot load (offline, always)."""
    alt = html.escape(title, quote=True)
    if not _SAFE_URL.match(url or ""):
        return f'<img src="{PLACEHOLDER_URL}" alt="{alt}" class="noimg">'
    src = html.escape(url, quote=True)
    # The fallback swaps in the placeholder, so the alt text stays on a readable image.
    return (f'<img src="{src}" alt="{alt}" referrerpolicy="no-referrer" '
            "onload=\"this.classList.add('loaded')\" "
            f"onerror=\"this.onerror=null;this.classList.add('noimg');"
            f"this.src='{PLACEHOLDER_URL}'\">")


def card_html(item: AnswerItem, position: int, *, pending: bool = False,
              feedback: str | None = None) -> str:
    """One product card. ``pending``: reasons are still being written."""
    esc = html.escape
    reason = "ranking and explaining…" if pending else (item.reason or "")
    reason_class = "reason pending" if pending else "reason"
    brand = f"{esc(item.brand)} · " if item.brand else ""
    mark = {"like": " · ♥ liked", "dislike": " · ✗ not for you"}.get(feedback or "", "")
    return (
        f'<div class="shopchat-card" data-item-id="{esc(item.id, quote=True)}">'
        f'<div class="thumb">{image_html(item.image_url, item.title)}</div>'
        f'<div class="body"><div class="title" title="{esc(item.title, quote=True)}">'
        f'<span class="pos">{position}.</span>{esc(item.title)}</div>'
        f'<div class="meta">{brand}<span class="price">'
        f"{esc(format_amount(item.price, item.currency))}</span>{esc(mark)}</div>"
        f'<div class="{reason_class}">{esc(reason)}</div></div></div>'
    )


def cards_pointer(count: int, lang: Language = "en") -> str:
    """The chat's line for a turn's cards: their numbers, which the follow-ups use."""
    if count == 1:
        return phrase(lang, "cards_pointer_one")
    return phrase(lang, "cards_pointer", count=count)


def chip_text(value: AnswerFacetValue) -> str:
    """A facet chip's text: "27 inch (4)" (a button's text: shown as text, never markup)."""
    return f"{value.label} ({value.count})"


def facet_name_html(label: str) -> str:
    return f'<span class="shopchat-facet-label">{html.escape(label)}</span>'


def reply_markdown(answer: Answer, *, reasons: bool = True, ids: bool = True) -> str:
    """The assistant's reply as Markdown: its message, then the items (the ``/chat`` API's text)."""
    lines = [answer.message]  # Markdown whose catalog text the assistant escaped
    if answer.items:
        lines.append("")
    for n, item in enumerate(answer.items, start=1):
        brand = f" — {md_escape(item.brand)}" if item.brand else ""
        lines.append(
            f"{n}. **{md_escape(item.title)}**{brand} — "
            f"{md_escape(format_amount(item.price, item.currency))}"
            + (f" `id:{md_id(item.id)}`" if ids else "")
        )
        if reasons and item.reason:
            lines.append(f"   {md_escape(item.reason)}")
    return "\n".join(lines)


def candidates_markdown(items: Sequence[AnswerItem]) -> str:
    """Retrieval's items before the model has ranked and explained them (the streamed API's
    first update): numbered, with ids, as ``reply_markdown`` lists them."""
    lines = [f"_Found {len(items)} candidates — ranking and explaining…_", ""]
    lines += [f"{n}. **{md_escape(item.title)}** — "
              f"{md_escape(format_amount(item.price, item.currency))} `id:{md_id(item.id)}`"
              for n, item in enumerate(items, start=1)]
    return "\n".join(lines)


def md_id(item_id: str) -> str:
    """An id inside a Markdown code span (backticks cannot occur in one)."""
    return item_id.replace("`", "'")


ITEM_ID = re.compile(r"`id:([^`]+)`")


def reply_item_ids(reply: str) -> list[str]:
    """The item ids listed in a ``reply_markdown`` text, in order (for API clients)."""
    return ITEM_ID.findall(reply)


NOTICES = {
    "sessions_unavailable": "<strong>Not saved:</strong> this conversation cannot be saved "
                            "right now; it continues on this server for the moment.",
}
"""Notices for ``degraded_reason`` values other than the language model's."""


def notice_html(reason: str | None) -> str:
    """The page's notice for ``Answer.degraded_reason`` (maybe several, "; "-separated)."""
    if not reason:
        return ""
    parts = [part.strip() for part in reason.split("; ") if part.strip()]
    notices = [NOTICES[part] for part in parts if part in NOTICES]
    model = [part for part in parts if part not in NOTICES]
    if model:
        notices.insert(0, "<strong>Degraded answer:</strong> the language model was not usable "
                          f"({html.escape('; '.join(model))}), so these items are in search "
                          "order with reasons taken from the product data.")
    return "".join(f'<div class="shopchat-notice" role="status">{n}</div>' for n in notices)


def history_markdown(events: Sequence[StoredEvent], products: dict[str, Product],
                     shopper: str) -> str:
    if not events:
        return f"_No history yet for {md_escape(shopper)}: answers are not personalised._"
    rows = [f"**Recent activity of {md_escape(shopper)}**", ""]
    for event in events:
        day = datetime.fromtimestamp(event.ts, tz=UTC).strftime("%Y-%m-%d")
        product = products.get(event.item_id)
        what = event.query or (product.title if product else "an item no longer in the catalog")
        rows.append(f"- {day} · {event.event.value} · {md_escape(what)}")
    return "\n".join(rows)
