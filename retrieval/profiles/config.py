"""How events become a profile and how much a profile may move a ranking (fixed defaults).

The blend weights were chosen on a validation split of Online Retail (train before
2011-07-01, test July-August 2011), never on the reported test period (after 2011-09-01):
see docs/BENCHMARKS.md, "Personalisation (issue #4)".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from shopchat.records import EventKind

EVENT_WEIGHTS: dict[EventKind, float] = {
    EventKind.VIEW: 0.2,
    EventKind.CLICK: 0.3,
    EventKind.CART: 0.6,
    EventKind.PURCHASE: 1.0,
    EventKind.LIKE: 1.5,
    EventKind.DISLIKE: -1.5,
    EventKind.QUERY: 0.5,
}
"""Signed strength of one event of each kind (a purchase is the unit)."""


@dataclass(frozen=True, slots=True)
class ProfileConfig:
    event_weights: dict[EventKind, float] = field(default_factory=lambda: dict(EVENT_WEIGHTS))
    half_life_days: float = 90.0
    """Recency: an event this much older than the user's latest counts half (above the floor)."""
    recency_floor: float = 0.2
    """Old events never count less than this share: long histories still matter."""
    top_items: int = 200
    """Item weights kept in a profile (largest first)."""
    recent_events: int = 8
    top_affinities: int = 5
    pool: int = 100
    """Candidates a personalised search reorders: query intent picks them, the profile reorders."""
    own_weight: float = 0.1
    """Boost per log(1 + the user's own weight on the item): repeat purchases, likes."""
    cosine_weight: float = 0.05
    """Boost per unit of cos(profile, item) above the pool's mean."""
    affinity_weight: float = 0.05
    """Boost per unit of brand share + product-type share in the user's history."""

    def fingerprint(self) -> str:
        """Changes whenever a profile built with this config would come out different."""
        data = asdict(self)
        data["event_weights"] = {k.value: v for k, v in self.event_weights.items()}
        for key in ("pool", "own_weight", "cosine_weight", "affinity_weight"):
            data.pop(key)  # ranking-time only: profiles stay valid
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]

    def weight(self, event: EventKind) -> float:
        return self.event_weights.get(event, 0.0)
