"""How a follow-up changes the active constraints ("cheaper", "only Logitech", "not Apple")."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from retrieval.specs.follow import merge_specs
from retrieval.types import Filters


def refine_filters(
    current: Filters, said: Filters, price_direction: int, shown_prices: Sequence[float]
) -> Filters:
    """New explicit bounds replace old ones; exclusions accumulate; "only X" replaces inclusions;
    a spec on an attribute replaces the one before it ("without bluetooth"), others accumulate.

    "cheaper" caps the price just under the median of what was shown ("pricier": floor above).
    """
    price_min = said.price_min if said.price_min is not None else current.price_min
    price_max = said.price_max if said.price_max is not None else current.price_max
    if price_direction and shown_prices:
        median = statistics.median(shown_prices)
        if price_direction < 0:
            cap = round(median - 0.01, 2)
            price_max = cap if price_max is None else min(price_max, cap)
        else:
            floor = round(median + 0.01, 2)
            price_min = floor if price_min is None else max(price_min, floor)
    exclude_brands = (current.exclude_brands - said.brands) | said.exclude_brands
    brands = (said.brands or current.brands) - exclude_brands
    exclude_categories = (current.exclude_categories - said.categories) | said.exclude_categories
    categories = (said.categories or current.categories) - exclude_categories
    return Filters(
        price_min=price_min,
        price_max=price_max,
        brands=brands,
        exclude_brands=exclude_brands,
        categories=categories,
        exclude_categories=exclude_categories,
        specs=merge_specs(current.specs, said.specs),
    )
