"""Shopper-like queries from product titles, as personalised product-search studies build them.

Colour, size, pattern and packaging words are dropped and the product-type head is kept:
"WHITE HANGING HEART T-LIGHT HOLDER" -> "t-light holder". The head is the right-most word
that ends at least ``min_count`` catalog titles once those words are gone (a data-driven list
of type nouns: holder, bag, cover, mug...), with the word before it; titles without such a
word keep their last two remaining words. Deterministic for a given catalog.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


COLOURS = _words("""
white black red pink blue green yellow orange purple ivory cream gold silver brown grey gray
beige turquoise aqua lilac lavender mauve peach teal navy khaki magenta copper bronze pastel
multi multicolour colour coloured colours clear natural blush chrome amber jade
""")
SIZES = _words("small large medium mini jumbo big giant tiny xl xxl tall short long wide slim "
               "cm mm x")
PATTERNS = _words("""
retrospot polkadot polka dot dots spotty spot spots spotted paisley floral gingham stripe
stripes striped stripey check checked tartan design designs pattern patterned print printed
motif
""")
FILLERS = _words("of and with the a in on for to w set sets pack packs box/set assorted ass asst "
                 "col new")
DROPPED = COLOURS | SIZES | PATTERNS | FILLERS
_TOKEN = re.compile(r"[a-z][a-z'/-]*[a-z]|[a-z]")


def content_words(title: str) -> list[str]:
    """Lower-cased words of ``title`` minus numbers, colours, sizes, patterns and fillers."""
    return [t for t in _TOKEN.findall(title.lower())
            if t not in DROPPED and not t.startswith("set/")]


class QueryBuilder:
    def __init__(self, titles: Iterable[str], min_count: int = 3) -> None:
        ends: Counter[str] = Counter()
        for title in titles:
            words = content_words(title)
            if words:
                ends[words[-1]] += 1
        self.heads = frozenset(w for w, n in ends.items() if n >= min_count)

    def query(self, title: str) -> str:
        """The shopper-like query for ``title`` ("" when nothing is left)."""
        words = content_words(title)
        if not words:
            return ""
        heads = [i for i, w in enumerate(words) if w in self.heads]
        end = heads[-1] if heads else len(words) - 1
        return " ".join(words[max(0, end - 1) : end + 1])
