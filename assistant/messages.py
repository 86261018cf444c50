"""The assistant's words around the items: deterministic, built from the turn's data."""

from __future__ import annotations

from assistant.markdown import md_escape
from retrieval.types import Filters


def describe_constraints(filters: Filters, currency_symbol: str = "$") -> str:
    parts: list[str] = []
    if filters.price_min is not None and filters.price_max is not None:
        parts.append(
            f"between {currency_symbol}{filters.price_min:g} and "
            f"{currency_symbol}{filters.price_max:g}"
        )
    elif filters.price_max is not None:
        parts.append(f"under {currency_symbol}{filters.price_max:g}")
    elif filters.price_min is not None:
        parts.append(f"over {currency_symbol}{filters.price_min:g}")
    if filters.brands:
        parts.append("by " + " or ".join(sorted(md_escape(b.title()) for b in filters.brands)))
    if filters.exclude_brands:
        parts.append(
            "not " + " or ".join(sorted(md_escape(b.title()) for b in filters.exclude_brands))
        )
    if filters.categories:
        parts.append("in " + ", ".join(sorted(map(md_escape, filters.categories))))
    if filters.exclude_categories:
        parts.append("excluding " + ", ".join(sorted(map(md_escape, filters.exclude_categories))))
    return ", ".join(parts)


def results_message(text: str, filters: Filters, count: int, more: bool, top: str | None) -> str:
    """Markdown; ``text`` and ``top`` (catalog or shopper text) are escaped here."""
    what = f"“{md_escape(text)}”" if text else "products"
    where = describe_constraints(filters)
    scope = f"{what} ({where})" if where else what
    if count == 0:
        hint = " Try loosening the constraints, or say “start over”." if where else ""
        return f"I found no {'more ' if more else ''}matches for {scope}.{hint}"
    head = (
        f"Here are {count} more matches for {scope}."
        if more
        else f"Here are {count} matches for {scope}."
    )
    return head + (f" Top pick: {md_escape(top)}." if top else "")


def degraded_note(reason: str | None) -> str:
    return (
        "\n\n_Ranked by search relevance only: the language model was not usable "
        f"({md_escape(reason)})._"
        if reason
        else ""
    )
