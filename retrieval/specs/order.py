"""How specifications reorder a ranked list (the whole pool the search ranked): items of the
asked type first when the query gives a hard spec, and the items with the features or values
asked for first when they are only preferences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from retrieval.ranking.type_lead import Head, Kind, TypeLead


class SpecOrder:
    def __init__(self, types: TypeLead, head: Callable[[str], Head | None],
                 same_type: Callable[[str], tuple[str, ...]]) -> None:
        """``head``: the type a query names (``SpecParser.head``); ``same_type``: the catalog's
        own words for it ("notebook" for "laptop"), as ``Searcher.same_type`` finds them."""
        self.types = types
        self.head = head
        self.same_type = same_type

    def typed(self, query: str, rows: np.ndarray) -> np.ndarray | None:
        """Per row: is it of the type ``query`` names (or the catalog's word for it)? None when
        the query names no catalog type."""
        head = self.head(query)
        if head is None:
            return None
        nouns = (head.noun, *self.same_type(query))
        return np.array([any(self.types.kind(int(r), Head(n, head.asked)) is Kind.TYPE
                             for n in nouns) for r in rows.tolist()], dtype=bool)

    def typed_first(self, query: str, rows: np.ndarray, order: np.ndarray) -> np.ndarray:
        """``order`` (indices into ``rows``) with the items of the asked type first, each group
        in its order. Only for a list a hard spec has filtered, where every item meets it: a
        "1tb hard drive" shows every 1 TB drive the search found before the notebooks with a
        1 TB disk."""
        typed = self.typed(query, rows[order])
        if typed is None or not typed.any():
            return order
        return np.concatenate([order[typed], order[~typed]])

    def preferred_first(self, query: str, rows: np.ndarray, order: np.ndarray,
                        meets: np.ndarray, features: bool) -> np.ndarray:
        """Items meeting every preference first, from the whole list, each group in its order:
        for yes/no features only those of the asked type ("bluetooth speakers": not a Bluetooth
        mouse), for values any (a laser printer whose title never says "printer" is still one).
        The rest keep their order: pushing down items whose attributes say "no" cost more than
        it gained on the judged queries."""
        lift = meets[rows[order]]
        if features:
            typed = self.typed(query, rows[order])
            if typed is not None:
                lift &= typed
        return np.concatenate([order[lift], order[~lift]])
