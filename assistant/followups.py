"""Answers to questions about items already shown, from the items' own data (no model).

Items are named by their page number ("#2"), never by an id: a shopper never sees an internal
id, and text shown here (a reason, the catalog's description) loses any ``id:NNN`` tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.markdown import md_escape
from assistant.phrases import joined, phrase
from assistant.reasons import format_price
from shopchat.language import Language
from shopchat.records import Product

MAX_ATTRIBUTE_ROWS = 6
_ID_TAG = re.compile(r"`id:[^`]*`|\b(?:item_)?id[:=]\d[\w-]*", re.IGNORECASE)
"""An internal id tag ("id:3943887", "`id:ab-1`", "item_id=7") inside shown text; words like
"Caller ID: yes" stay."""


def without_id_tags(text: str) -> str:
    """``text`` without internal id tags (and the space they leave)."""
    return " ".join(_ID_TAG.sub(" ", text).split()) if _ID_TAG.search(text) else text


def _label(position: int, product: Product) -> str:
    return f"#{position} {md_escape(product.title)}"


def why(position: int, product: Product, reason: str, lang: Language = "en") -> str:
    facts = [
        phrase(lang, "by_brand", brand=md_escape(product.brand)) if product.brand else "",
        format_price(product, lang),
        md_escape(product.category),
    ]
    lines = [phrase(lang, "why_header", label=_label(position, product),
                    facts=joined(lang, "comma", (f for f in facts if f)))]
    reason = without_id_tags(reason)
    if reason:
        lines.append(phrase(lang, "why_reason", reason=md_escape(reason)))
    about = without_id_tags(product.description[:300])
    if about:
        lines.append(phrase(lang, "why_about", about=md_escape(about)))
    attrs = [
        md_escape(f"{k.replace('_', ' ')}: {v}")
        for k, v in product.attributes.items()
        if k not in {"ean"} and v
    ][:MAX_ATTRIBUTE_ROWS]
    if attrs:
        lines.append(phrase(lang, "why_details", details=joined(lang, "details_gap", attrs)))
    return "\n\n".join(lines)


def compare(items: Sequence[tuple[int, Product]], lang: Language = "en") -> str:
    """A Markdown table: price, brand, type, then attributes the items share (the row headers
    in ``lang``, the attribute names as the catalog has them)."""
    header = "| | " + " | ".join(f"#{pos}" for pos, _ in items) + " |"
    rows = [header, "|---" * (len(items) + 1) + "|"]

    def cell(text: str) -> str:
        return md_escape(without_id_tags(text)[:80])

    def row(key: str, cells: Iterable[str]) -> str:
        return f"| {phrase(lang, key)} | " + " | ".join(cells) + " |"

    rows.append(row("row_title", (cell(p.title) for _, p in items)))
    rows.append(row("row_brand", (cell(p.brand or "-") for _, p in items)))
    rows.append(row("row_price", (format_price(p, lang) for _, p in items)))
    if any(p.category for _, p in items):
        rows.append(row("row_type", (cell(p.category or "-") for _, p in items)))
    shared = set.intersection(*(set(p.attributes) for _, p in items)) - {"ean", "model"}
    for key in sorted(shared)[:MAX_ATTRIBUTE_ROWS]:
        rows.append(
            f"| {cell(key.replace('_', ' '))} | "
            + " | ".join(cell(p.attributes[key]) for _, p in items)
            + " |"
        )
    priced = [(p.price, pos) for pos, p in items if p.price is not None]
    note = phrase(lang, "compare_cheapest", pos=min(priced)[1]) if len(priced) > 1 else ""
    return "\n".join(rows) + note


def extreme(items: Sequence[tuple[int, Product]], cheapest: bool) -> tuple[int, Product] | None:
    priced = [(pos, p) for pos, p in items if p.price is not None]
    if not priced:
        return None
    pick = min if cheapest else max
    return pick(priced, key=lambda item: (item[1].price, item[0]))
