"""Shared record types every package speaks: products, interactions, load reports."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class EventKind(StrEnum):
    VIEW = "view"
    CLICK = "click"
    CART = "cart"
    PURCHASE = "purchase"
    LIKE = "like"
    DISLIKE = "dislike"
    QUERY = "query"


CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}
"""The currencies whose prices are written with a symbol ("$19.99"); others with their code."""


@dataclass(frozen=True, slots=True)
class Product:
    """One catalog item. ``price`` is a decimal amount in ``currency`` (never cents)."""

    id: str
    title: str
    description: str = ""
    brand: str = ""
    category: str = ""
    price: Decimal | None = None
    currency: str = "USD"
    attributes: dict[str, str] = field(default_factory=dict)
    image_url: str = ""

    def search_text(self) -> str:
        """The text both the embedder and the lexical index see."""
        parts = [self.title, self.brand, self.category, self.description]
        return " . ".join(p for p in parts if p)

    def content_hash(self) -> str:
        """Stable hash of everything that is indexed, so re-indexing skips unchanged items."""
        payload = json.dumps(
            [
                self.search_text(),
                self.brand,
                self.category,
                str(self.price),
                self.currency,
                self.image_url,
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Interaction:
    """One thing a user did: bought, viewed, liked an item, or typed a query."""

    user_id: str
    item_id: str
    event: EventKind
    timestamp: datetime
    quantity: int = 1
    query: str = ""


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A row a loader rejected (or repaired), with where and why."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.field}: {self.reason}"


@dataclass(slots=True)
class LoadReport:
    """What a loader did: how many rows it read, kept, skipped, and why."""

    source: str
    rows_read: int = 0
    loaded: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)

    def reject(self, file: str, row: int, field_name: str, reason: str) -> None:
        self.issues.append(RowIssue(file, row, field_name, reason))

    def count(self, note: str, n: int = 1) -> None:
        """Count a non-fatal, expected condition (cancellations, notes instead of products...)."""
        self.notes[note] = self.notes.get(note, 0) + n

    @property
    def rejected(self) -> int:
        return len(self.issues)

    def reasons(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for issue in self.issues:
            out[issue.reason.split(":")[0]] = out.get(issue.reason.split(":")[0], 0) + 1
        return out

    def summary(self) -> str:
        parts = [
            f"{self.source}: read {self.rows_read} rows, loaded {self.loaded}, "
            f"rejected {self.rejected}"
        ]
        for reason, n in sorted(self.reasons().items()):
            parts.append(f"  rejected ({reason}): {n}")
        for note, n in sorted(self.notes.items()):
            parts.append(f"  {note}: {n}")
        return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class Catalog:
    """A loaded catalog: its products, its interactions (may be empty) and the load report."""

    name: str
    products: list[Product]
    interactions: list[Interaction]
    report: LoadReport
