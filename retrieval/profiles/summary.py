"""A short, factual history summary for the rerank prompt ("bought: X, Y; likes brand Z")."""

from __future__ import annotations

from datetime import UTC, datetime

from retrieval.product_table import ProductTable
from retrieval.profiles.profile import Profile
from shopchat.records import EventKind

MAX_CHARS = 400
TITLE_CHARS = 50
_VERB = {
    EventKind.PURCHASE: "bought",
    EventKind.CART: "put in cart",
    EventKind.LIKE: "liked",
    EventKind.DISLIKE: "disliked",
    EventKind.CLICK: "clicked",
    EventKind.VIEW: "viewed",
}


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def describe_history(profile: Profile, table: ProductTable, max_chars: int = MAX_CHARS) -> str:
    """Recent events by kind (newest first, with the date of the newest), then affinities."""
    groups: dict[str, list[str]] = {}
    dates: dict[str, str] = {}
    currency = ""
    for event in profile.recent:
        if event.event is EventKind.QUERY:
            verb, label = "searched for", repr(event.query[:TITLE_CHARS])
        else:
            product = table.get(event.item_id)
            if product is None:
                continue
            verb, label = _VERB[event.event], product.title[:TITLE_CHARS]
            currency = currency or product.currency
        if label not in groups.setdefault(verb, []):
            groups[verb].append(label)
            dates.setdefault(verb, _day(event.ts))
    parts = [f"{verb}: {', '.join(labels)} (latest {dates[verb]})"
             for verb, labels in groups.items()]
    if profile.brands:
        parts.append("often chooses brands: " + ", ".join(list(profile.brands)[:3]))
    if profile.types:
        parts.append("usual product types: " + ", ".join(list(profile.types)[:3]))
    if profile.price_band is not None:
        lo, hi = profile.price_band
        parts.append(f"usual price {lo:.2f}-{hi:.2f} {currency}".rstrip())
    text = "; ".join(parts)
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
