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

from assistant.answer import Answer, AnswerFacetValue, AnswerItem
from assistant.markdown import md_escape
from assistant.reasons import format_amount
from retrieval.profiles import StoredEvent
from shopchat.records import Product

_SAFE_URL = re.compile(r"^https?://[^\s\"'<>`]+$", re.IGNORECASE)

PLACEHOLDER_SVG = (
    "data:image/svg+xml;utf8,"
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'>"
    "<rect width='64' height='64' rx='8' fill='%23eef1f5'/>"
    "<path d='M20 26h24l-2 22H22z' fill='none' stroke='%2394a3b8' stroke-width='3'/>"
    "<path d='M26 26v-4a6 6 0 0 1 12 0v4' fill='none' stroke='%2394a3b8' stroke-width='3'/>"
    "</svg>"
)

CARD_CSS = """
.shopchat-card {display: flex; gap: 12px; align-items: flex-start; padding: 4px 2px;}
.shopchat-card .thumb {position: relative; flex: 0 0 72px; height: 72px; border-radius: 8px;
  background: #eef1f5 url("PLACEHOLDER") center / 56px no-repeat; overflow: hidden;}
.shopchat-card .thumb img {position: absolute; inset: 0; width: 100%; height: 100%;
  object-fit: contain; background: #fff;}
.shopchat-card .body {flex: 1; min-width: 0;}
.shopchat-card .title {font-weight: 600; line-height: 1.25; overflow-wrap: anywhere;}
.shopchat-card .meta {color: #64748b; font-size: 0.9em; margin-top: 2px;}
.shopchat-card .price {font-weight: 600; color: #0f766e;}
.shopchat-card .reason {margin-top: 4px; font-size: 0.92em; overflow-wrap: anywhere;}
.shopchat-card .reason.pending {color: #94a3b8; font-style: italic;}
.shopchat-card .pos {color: #94a3b8; font-weight: 600; margin-right: 4px;}
.shopchat-notice {border-left: 4px solid #d97706; background: #fffbeb; color: #78350f;
  padding: 8px 12px; border-radius: 4px;}
""".replace("PLACEHOLDER", PLACEHOLDER_SVG)


def image_html(url: str) -> str:
    """The product image over a placeholder; a URL that is not plain http(s) shows none."""
    if not _SAFE_URL.match(url or ""):
        return ""
    src = html.escape(url, quote=True)
    # The placeholder is the thumb's background: an image that cannot load removes itself.
    return f'<img src="{src}" alt="" loading="lazy" referrerpolicy="no-referrer" ' \
        'onerror="this.remove()">'


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
        f'<div class="thumb">{image_html(item.image_url)}</div>'
        f'<div class="body"><div class="title"><span class="pos">{position}.</span>'
        f"{esc(item.title)}</div>"
        f'<div class="meta">{brand}<span class="price">'
        f"{esc(format_amount(item.price, item.currency))}</span>{esc(mark)}</div>"
        f'<div class="{reason_class}">{esc(reason)}</div></div></div>'
    )


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


def md_id(item_id: str) -> str:
    """An id inside a Markdown code span (backticks cannot occur in one)."""
    return item_id.replace("`", "'")


ITEM_ID = re.compile(r"`id:([^`]+)`")


def reply_item_ids(reply: str) -> list[str]:
    """The item ids listed in a ``reply_markdown`` text, in order (for API clients)."""
    return ITEM_ID.findall(reply)


def notice_html(reason: str | None) -> str:
    if not reason:
        return ""
    return (
        '<div class="shopchat-notice" role="status"><strong>Degraded answer:</strong> '
        f"the language model was not usable ({html.escape(reason)}), so these items are in "
        "search order with reasons taken from the product data.</div>"
    )


def history_markdown(events: Sequence[StoredEvent], products: dict[str, Product],
                     shopper: str) -> str:
    if not events:
        return f"_No history yet for {md_escape(shopper)}: answers are not personalised._"
    rows = [f"**Recent activity of {md_escape(shopper)}**", ""]
    for event in events:
        day = datetime.fromtimestamp(event.ts, tz=UTC).strftime("%Y-%m-%d")
        product = products.get(event.item_id)
        what = event.query if event.query else (product.title if product else event.item_id)
        rows.append(f"- {day} · {event.event.value} · {md_escape(what)}")
    return "\n".join(rows)
