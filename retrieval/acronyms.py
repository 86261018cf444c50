"""Acronyms a catalog uses and what they stand for, learned from its own text.

An *acronym* is a short word of letters that the catalog's titles write in capitals most of the
times they use it ("SSD", "UPS", "NAS"); its *expansion* is the run of words whose initials spell
it, most often found in the text of items that also name the acronym ("solid state drive",
"uninterruptible power supply"). Nothing is listed by hand, so any catalog teaches its own.

A query naming either form searches for both: "ssd" also finds the items titled "internal solid
state drive", and "solid state drive" the ones that only say "SSD".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from shopchat.records import Product

MIN_LETTERS, MAX_LETTERS = 2, 5
MIN_USES = 3
"""Title uses a word needs before its capitalisation says anything."""
CAPITAL_SHARE = 0.6
"""Share of those uses written in capitals that makes the word an acronym."""
MIN_EXPANSIONS = 3
"""Items whose text must spell an expansion out before it is trusted."""
MIN_EXPANDED = 3
"""Letters an acronym needs before it is expanded (two-letter ones mean too many things)."""
MIN_WORD = 3
"""Letters each word of an expansion needs ("at aa" spells nothing)."""
DESCRIPTION_CHARS = 600
"""How much of each description is read for expansions (they are spelled out early)."""

_WORD = re.compile(r"[A-Za-z]+")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Acronyms:
    """A catalog's acronyms (lower-case) and their expansions (lower-case words)."""

    expansions: dict[str, tuple[str, ...]]
    """Acronym -> the words it stands for; only acronyms with a trusted expansion."""
    known: frozenset[str]
    """Every acronym the catalog writes, with or without a known expansion."""

    @classmethod
    def learn(cls, products: Sequence[Product]) -> Acronyms:
        uses: Counter[str] = Counter()
        capitals: Counter[str] = Counter()
        for p in products:
            for word in _WORD.findall(p.title):
                if MIN_LETTERS <= len(word) <= MAX_LETTERS:
                    low = word.lower()
                    uses[low] += 1
                    capitals[low] += word.isupper()
        known = frozenset(w for w, n in uses.items()
                          if n >= MIN_USES and capitals[w] / n >= CAPITAL_SHARE)
        return cls(_expansions(products, known), known)

    def expand(self, words: Sequence[str]) -> list[str]:
        """Extra words to search for beside ``words`` (lower-case, in order): each acronym's
        expansion and each spelled-out expansion's acronym, once; [] when there are none."""
        extra: list[str] = []
        present = set(words)
        for word in words:
            extra += [w for w in self.expansions.get(word, ()) if w not in present]
        text = " ".join(words)
        for acronym, spelled in self.expansions.items():
            if acronym not in present and re.search(rf"\b{' '.join(spelled)}\b", text):
                extra.append(acronym)
        return list(dict.fromkeys(extra))


def _expansions(products: Sequence[Product], known: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Per acronym, the word run spelling it that the most items naming it spell out."""
    by_initials: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for p in products:
        words = [w.lower() for w in _LETTERS.findall(p.title)]
        named = {w for w in known.intersection(
            _LETTERS.findall(f"{p.title} {p.description[:DESCRIPTION_CHARS]}".lower()))
            if len(w) >= MIN_EXPANDED}
        if not named:
            continue
        seen: set[tuple[str, ...]] = set()
        for size in range(MIN_LETTERS, MAX_LETTERS + 1):
            for i in range(len(words) - size + 1):
                run = tuple(words[i : i + size])
                initials = "".join(w[0] for w in run)
                if (initials in named and run not in seen and len(set(run)) == size
                        and all(len(w) >= MIN_WORD and w not in known for w in run)
                        and not run[-1].endswith("ing")):  # a noun phrase: "hard drive docking"
                    seen.add(run)
                    by_initials[initials][run] += 1
    out: dict[str, tuple[str, ...]] = {}
    for acronym, runs in by_initials.items():
        run, count = runs.most_common(1)[0]
        if count >= MIN_EXPANSIONS:
            out[acronym] = run
    return out
