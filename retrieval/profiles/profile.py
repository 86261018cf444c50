"""A user profile and how it is built from events (pure: no store, no model).

vector      recency- and event-weighted mean of the user's item vectors and embedded queries
item        the user's own signed weight per item (repeat purchases, likes; dislikes negative)
disliked    items whose latest like/dislike is a dislike: never shown to this user again
affinities  shares of brands and product types in the positive history, the usual price band
recent      the last few events, for the history summary the LLM sees
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrieval.profiles.config import ProfileConfig
from retrieval.profiles.events import StoredEvent
from retrieval.profiles.vectors import ItemVectors
from shopchat.records import EventKind

DAY = 86400.0
_SENTIMENT = (EventKind.LIKE, EventKind.DISLIKE)


@dataclass(frozen=True, slots=True)
class RecentEvent:
    event: EventKind
    item_id: str
    query: str
    ts: float


@dataclass(frozen=True, slots=True)
class Profile:
    user_id: str
    vector: np.ndarray | None
    """Unit vector, or None when the weighted events cancel out."""
    item_weights: dict[str, float] = field(default_factory=dict)
    disliked: frozenset[str] = frozenset()
    brands: dict[str, float] = field(default_factory=dict)
    types: dict[str, float] = field(default_factory=dict)
    price_band: tuple[float, float] | None = None
    recent: tuple[RecentEvent, ...] = ()
    events: int = 0
    last_ts: float = 0.0
    digest: str = ""
    """The events digest it was built from (see ``EventStore.digests``)."""
    skipped: int = 0
    """Events on items the catalog does not have (kept in the store, left out here)."""

    def metadata(self) -> dict[str, str | int | float | bool]:
        """Chroma metadata: scalars, nested values as JSON strings, no ``None``."""
        meta: dict[str, str | int | float | bool] = {
            "events": self.events,
            "last_ts": self.last_ts,
            "digest": self.digest,
            "skipped": self.skipped,
            "has_vector": self.vector is not None,
            "items": json.dumps(self.item_weights, separators=(",", ":")),
            "disliked": json.dumps(sorted(self.disliked)),
            "brands": json.dumps(self.brands),
            "types": json.dumps(self.types),
            "recent": json.dumps([[r.event.value, r.item_id, r.query, r.ts] for r in self.recent]),
        }
        if self.price_band is not None:
            meta["price_lo"], meta["price_hi"] = self.price_band
        return meta

    @classmethod
    def from_stored(cls, user_id: str, vector: np.ndarray | None,
                    meta: Mapping[str, object]) -> Profile:
        def loads(key: str, default: str) -> Any:
            return json.loads(str(meta.get(key, default)))

        band = None
        if "price_lo" in meta and "price_hi" in meta:
            band = (float(str(meta["price_lo"])), float(str(meta["price_hi"])))
        recent = tuple(RecentEvent(EventKind(e), str(i), str(q), float(t))
                       for e, i, q, t in loads("recent", "[]"))
        return cls(
            user_id=user_id,
            vector=vector if meta.get("has_vector", True) else None,
            item_weights={str(k): float(v) for k, v in loads("items", "{}").items()},
            disliked=frozenset(str(i) for i in loads("disliked", "[]")),
            brands={str(k): float(v) for k, v in loads("brands", "{}").items()},
            types={str(k): float(v) for k, v in loads("types", "{}").items()},
            price_band=band,
            recent=recent,
            events=int(str(meta.get("events", 0))),
            last_ts=float(str(meta.get("last_ts", 0.0))),
            digest=str(meta.get("digest", "")),
            skipped=int(str(meta.get("skipped", 0))),
        )


def recency(ts: np.ndarray, now: float, cfg: ProfileConfig) -> np.ndarray:
    """``floor + (1 - floor) * 0.5 ** (age / half_life)``; age relative to ``now``."""
    age_days = np.maximum(now - ts, 0.0) / DAY
    return cfg.recency_floor + (1 - cfg.recency_floor) * 0.5 ** (age_days / cfg.half_life_days)


def _top(weights: dict[str, float], n: int, total: float) -> dict[str, float]:
    if total <= 0:
        return {}
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return {k: round(v / total, 4) for k, v in ranked}


def _band(prices: list[float], weights: list[float]) -> tuple[float, float] | None:
    if not prices:
        return None
    order = np.argsort(prices)
    p, w = np.asarray(prices)[order], np.asarray(weights)[order]
    cum = np.cumsum(w) / w.sum()
    lo = float(p[min(int(np.searchsorted(cum, 0.25)), len(p) - 1)])
    hi = float(p[min(int(np.searchsorted(cum, 0.75)), len(p) - 1)])
    return round(lo, 2), round(hi, 2)


def build_profile(user_id: str, events: Sequence[StoredEvent], vectors: ItemVectors,
                  cfg: ProfileConfig, digest: str = "") -> Profile | None:
    """The profile of ``events`` (one user's); None when there are none."""
    if not events:
        return None
    ts = np.array([e.ts for e in events])
    weights = recency(ts, float(ts.max()), cfg) * np.array([cfg.weight(e.event) for e in events])
    table = vectors.table
    total = np.zeros(vectors.dimension, dtype=np.float64)
    own: dict[str, float] = {}
    brands: dict[str, float] = {}
    types: dict[str, float] = {}
    prices: list[float] = []
    price_weights: list[float] = []
    sentiment: dict[str, EventKind] = {}
    skipped = 0
    positive = 0.0  # weight of positive events on known items: the affinities' denominator
    for event, w in zip(events, weights, strict=True):
        if event.event is EventKind.QUERY:
            if event.vector is not None and len(event.vector) == vectors.dimension:
                total += w * event.vector
            continue
        row = vectors.row(event.item_id)
        if row is None:
            skipped += 1
            continue
        total += w * vectors.matrix[row]
        own[event.item_id] = own.get(event.item_id, 0.0) + float(w)
        if event.event in _SENTIMENT:
            sentiment[event.item_id] = event.event
        if w > 0:
            positive += float(w)
            product = table.products[row]
            if product.brand:
                brands[product.brand.lower()] = brands.get(product.brand.lower(), 0.0) + w
            if product.category:
                types[product.category.lower()] = types.get(product.category.lower(), 0.0) + w
            if product.price is not None:
                prices.append(float(product.price))
                price_weights.append(float(w))
    norm = float(np.linalg.norm(total))
    kept = sorted(own.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[: cfg.top_items]
    latest = sorted(events, key=lambda e: (e.ts, e.id), reverse=True)[: cfg.recent_events]
    return Profile(
        user_id=user_id,
        vector=(total / norm).astype(np.float32) if norm > 1e-9 else None,
        item_weights={k: round(v, 5) for k, v in kept},
        disliked=frozenset(i for i, s in sentiment.items() if s is EventKind.DISLIKE),
        brands=_top(brands, cfg.top_affinities, positive),
        types=_top(types, cfg.top_affinities, positive),
        price_band=_band(prices, price_weights),
        recent=tuple(RecentEvent(e.event, e.item_id, e.query, e.ts) for e in latest),
        events=len(events),
        last_ts=float(ts.max()),
        digest=digest,
        skipped=skipped,
    )
