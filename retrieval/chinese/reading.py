"""What a Chinese message says, in English (the record retrieval passes on)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reading:
    """What a Chinese message says, in English."""

    original: str
    english: str
    """The message as an English query ("wireless mouse under $50"); "" when no word of it
    has an English reading in this catalog."""
    unknown: tuple[str, ...] = ()
    """Chinese words with no word in this catalog ("咖啡机" in an electronics shop)."""
    yuan_rate: float | None = None
    """Yuan per unit of the catalog's currency an amount was converted at (None: none was)."""
    follow_up: bool = False
    """The message is a follow-up ("便宜点"), read as its English form."""
