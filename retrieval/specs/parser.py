"""Spec phrases in a shopper's words -> attribute constraints ("27 inch", "16gb ram", "with
hdmi", "not bluetooth", "IPS", "4K").

Which attribute a phrase means is decided per query from the catalog (``SpecVocabulary``): the
attributes measured in the phrase's unit, weighed by how many items of the asked product type
have them, how many of those have the asked value, and how often the words around the phrase
("ram", "ssd", "screen") stood next to that attribute's measures in titles. So "16gb" next to
"laptop" is memory, next to "usb stick" it is capacity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from retrieval.ranking.type_lead import Head, TypeLead, stem_words
from retrieval.specs.bounds import (
    Bound,
    Negative,
    attribute_words,
    nice,
    range_label,
    read_bounds,
    typical,
)
from retrieval.specs.constraint import SpecConstraint, SpecKind
from retrieval.specs.units import UNITS, measures, unit_label
from retrieval.specs.vocabulary import SpecVocabulary, compact, name_words
from retrieval.tokenize import STOPWORDS

RESOLUTIONS = {
    "8k": "7680 x 4320", "5k": "5120 x 2880", "4k": "3840 x 2160", "uhd": "3840 x 2160",
    "ultra hd": "3840 x 2160", "2160p": "3840 x 2160", "qhd": "2560 x 1440",
    "wqhd": "2560 x 1440", "1440p": "2560 x 1440", "2k": "2560 x 1440",
    "full hd": "1920 x 1080", "fhd": "1920 x 1080", "1080p": "1920 x 1080",
    "wuxga": "1920 x 1200", "hd ready": "1366 x 768", "720p": "1280 x 720",
}
"""Standard names of display resolutions (the same in every catalog); the attribute that holds
them is whichever has the value."""

_NEGATION = re.compile(r"(?:\b(?:no|not|without|non|except|excluding)\b[\s-]*)$", re.I)
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_MAY_HAVE_SPEC = re.compile(r"\d|[^\W\d_]{2,}")
_FAR = 3.0
"""A measure this many times beyond the catalog's largest (or below its smallest) value is no
product's: it is reported instead of matched."""
HARD_COVERAGE = 0.5
"""Share of the asked type's items that must list a yes/no or text attribute before asking
for it filters (below it, it is a preference)."""
AFFINITY = 10.0
"""Weight of the words next to a measure ("16 gb *memory*") against the type's coverage and
the values' fit."""
NAMED = 0.2
"""Affinity from the words next to a measure that ties it to its own attribute."""
MIN_TYPE_ITEMS = 3
"""Items of the asked type that must have an attribute before a phrase means it there."""
MIN_CHOICE_COVERAGE = 0.05
"""Share of the asked type's items that must have a text attribute before one of its values
in a query is read as a constraint ("IPS monitor": panel type)."""


@dataclass(slots=True)
class SpecParse:
    constraints: list[SpecConstraint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What cannot be matched, in plain words ("no display diagonal near 900 inch ...")."""
    spans: list[tuple[int, int]] = field(default_factory=list)
    """Character spans of the phrases read that leave the search text (measures, negations)."""
    kept: list[str] = field(default_factory=list)
    """Features and values asked for that stay in the search text ("bluetooth", "IPS")."""


class SpecParser:
    def __init__(self, vocabulary: SpecVocabulary, type_lead: TypeLead, catalog_size: int,
                 brands: Iterable[str] = ()) -> None:
        """``brands``: names that are never a feature or a value ("by Apple")."""
        self.vocab = vocabulary
        self.type_lead = type_lead
        self.size = max(catalog_size, 1)
        self.brands = frozenset(b.lower() for b in brands)

    def parse(self, text: str, context: str = "",
              about: Callable[[str], np.ndarray] | None = None,
              prefer: frozenset[str] = frozenset()) -> SpecParse:
        """``context``: the conversation's search so far, for a follow-up that names no product
        type ("at least 16gb" after "laptop"); ``prefer``: the attributes it constrains, which
        a measure no word ties elsewhere keeps to. ``about``: the rows a search for a text
        finds (the searcher's nearest items by meaning): with it, "laptop" also means the
        catalog's notebooks, and a type's items that do not name it count too."""
        out = SpecParse()
        if not _MAY_HAVE_SPEC.search(text):
            return out
        head = self.head(text) or (self.head(context) if context else None)
        typed = self.type_lead.type_rows(head.noun) if head else None
        rows = typed
        if measures(text) and about is not None:
            found = about(f"{context} {text}".strip())
            rows = found if rows is None else np.union1d(rows, found)
        if rows is not None and rows.size == 0:
            rows = None
        self._numbers(text, rows, head.noun if head else "", prefer, out)
        taken = _taken(out.spans, len(text))
        # Features and values are read only for a type the catalog's titles name: a word that
        # merely equals some attribute's value elsewhere ("power", "night") is no spec.
        self._names(text, head.noun if head else "", typed, taken, out)
        out.spans.sort()
        return out

    def head(self, text: str) -> Head | None:
        """The product type ``text`` asks for (``TypeLead.head``), read past a trailing value
        that is more often a value than a type ("printer silver", "monitor black")."""
        head = self.type_lead.head(text)
        if head is None:
            return None
        words = list(_WORD.finditer(text))
        for n in (2, 1):  # "monitor full hd", "printer silver"
            tail = words[-n:] if len(words) > n else []
            said = " ".join(m.group(0).lower() for m in tail)
            if not tail or stem_words([tail[-1].group(0).lower()])[0] != head.noun:
                continue
            value = RESOLUTIONS.get(said, said)
            if self._value_count(value) > self.type_lead.type_rows(head.noun).size:
                return self.type_lead.head(text[: tail[0].start()]) or head
        return head

    def _value_count(self, word: str) -> int:
        return sum(self.vocab.choices[n].counts[word] for n in self.vocab.choice_values.get(
            word, ()))

    # -- measures ---------------------------------------------------------------------------

    def _numbers(self, text: str, type_rows: np.ndarray | None, head: str,
                 prefer: frozenset[str], out: SpecParse) -> None:
        by_attribute: dict[str, list[Bound]] = {}
        read: list[tuple[Bound, dict[str, float], bool]] = []
        for bound in read_bounds(text):
            if isinstance(bound, Negative):
                out.problems.append(f"{bound.said} cannot be matched: a size must be more "
                                    "than 0")
                out.spans.append(bound.span)
                continue
            names = self.vocab.by_dimension.get(bound.measure.dimension)
            if not names:
                continue  # a unit this catalog never states: the words stay in the search
            near = [w for w in _near(text, bound.span) if stem_words([w])[0] != head]
            scores, named = self._scores(names, bound, type_rows, near, prefer)
            if (said := _named_attribute(text[bound.span[1]:], names, head)) is not None:
                scores, named = {said: 1.0}, True  # "2.53 ghz l3 cache speed"
            read.append((bound, scores, named))
        # Measures of one dimension that no word ties to an attribute mean the same one ("at
        # least 8gb and at most 4gb"): picked together.
        joint: dict[str, dict[str, float]] = {}
        for bound, scores, named in read:
            if not named:
                total = joint.setdefault(bound.measure.dimension, {})
                for name, score in scores.items():
                    total[name] = total.get(name, 0.0) + score
        for bound, scores, named in read:
            pool = scores if named else joint[bound.measure.dimension]
            attr = max(sorted(pool), key=pool.__getitem__)
            out.spans.append(self._with_noun(text, bound.span, attr, head))
            if bound.measure.value <= 0 or (bound.low is not None and bound.low < 0):
                out.problems.append(f"{bound.phrase.strip()} cannot be matched: a size must be "
                                    "more than 0")
                continue
            far = self._out_of_range(attr, bound)
            if far:
                out.problems.append(far)
                continue
            by_attribute.setdefault(attr, []).append(bound)
        for attr, bounds in by_attribute.items():
            low = max((b.low for b in bounds if b.low is not None), default=None)
            high = min((b.high for b in bounds if b.high is not None), default=None)
            if low is not None and high is not None and low > high:
                said = " and ".join(b.phrase.strip() for b in bounds)
                out.problems.append(f"{said} cannot both hold for the "
                                    f"{attribute_words(attr)}")
                continue
            numeric = self.vocab.numeric[attr]
            unit = bounds[0].measure.unit
            out.constraints.append(SpecConstraint(
                attribute=attr, kind=SpecKind.NUMBER,
                label=range_label(bounds, low, high, unit, attr),
                low=low, high=high, scales=numeric.scales, dimension=numeric.dimension,
                unit=unit, title_units=numeric.title_units,
                rivals=self.vocab.rivals(attr),
            ))

    def _scores(self, names: list[str], bound: Bound, type_rows: np.ndarray | None,
                near: list[str], prefer: frozenset[str]) -> tuple[dict[str, float], bool]:
        """How likely ``bound`` constrains each attribute (see the module's docstring), and
        whether a word next to it names one ("16gb *ram*"). ``prefer``: attributes the
        conversation already constrains ("at least 32gb" after "16gb ram")."""
        out: dict[str, float] = {}
        affinity = self._affinity(near, names)
        for name in names:
            attr = self.vocab.numeric[name]
            rows, values = attr.rows, attr.bases
            if type_rows is not None:
                inside = np.isin(rows, type_rows, assume_unique=False)
                if int(inside.sum()) >= MIN_TYPE_ITEMS:
                    rows, values = rows[inside], values[inside]
                    coverage = rows.size / max(type_rows.size, 1)
                else:
                    coverage = 0.01 * rows.size / self.size
            else:
                coverage = rows.size / self.size
            fit = _share_within(values, *typical(bound))
            score = coverage * (0.2 + fit) * (1.0 + AFFINITY * affinity.get(name, 0.0))
            out[name] = score
        named = max(affinity.values(), default=0.0) >= NAMED
        if not named and prefer & set(names):  # the conversation's own attribute decides
            out = {name: score if name in prefer else 0.0 for name, score in out.items()}
        return out, named

    def _with_noun(self, text: str, span: tuple[int, int], attr: str,
                   head: str) -> tuple[int, int]:
        """The phrase's span with the word after the measure when that word names the attribute
        ("16gb *ram*", "15 inch *screen*"), so it leaves the search text too; not when it is
        the product asked for ("1tb *ssd*")."""
        after = re.match(r"\s*([^\W\d_]+)", text[span[1]:])
        if after is None:
            return span
        word = after.group(1).lower()
        if stem_words([word])[0] == head or word in STOPWORDS:
            return span
        counts = self.vocab.word_attribute.get(word)
        if not counts or counts.get(attr, 0) < NAMED * sum(counts.values()) \
                or not self.vocab.labels_measures(word):
            return span
        return span[0], span[1] + after.end()

    def _affinity(self, near: Iterable[str], names: list[str]) -> dict[str, float]:
        """P(attribute | word), summed over the words around the phrase."""
        out: dict[str, float] = {}
        wanted = set(names)
        for word in near:
            counts = self.vocab.word_attribute.get(word)
            if not counts:
                continue
            total = sum(counts.values())
            for name, n in counts.items():
                if name in wanted:
                    out[name] = out.get(name, 0.0) + n / total
        return out

    def _out_of_range(self, attr: str, bound: Bound) -> str:
        smallest, largest = self.vocab.numeric[attr].base_range()
        if largest <= 0:
            return ""
        too_big = bound.low is not None and bound.low > _FAR * largest
        too_small = bound.high is not None and bound.high < smallest / _FAR
        if too_big or too_small:
            size = UNITS[bound.measure.unit][1]
            unit = unit_label(bound.measure.unit)
            return (f"no product here has a {attribute_words(attr)} near "
                    f"{bound.measure.value:g} {unit} (the catalog's range is "
                    f"{nice(smallest / size)}\u2013{nice(largest / size)} {unit})")
        return ""

    # -- named features and values ----------------------------------------------------------

    def _names(self, text: str, head: str, type_rows: np.ndarray | None, taken: np.ndarray,
               out: SpecParse) -> None:
        tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
        used = np.zeros(len(tokens), dtype=bool)
        for size in (3, 2, 1):
            for i in range(len(tokens) - size + 1):
                if used[i:i + size].any():
                    continue
                start, end = tokens[i][1], tokens[i + size - 1][2]
                if taken[start:end].any():
                    continue
                words = [t[0] for t in tokens[i:i + size]]
                if self._not_a_spec(words, head):
                    continue
                negated = bool(_NEGATION.search(text[:start]))
                query_words = [t[0] for t in tokens]
                if " ".join(words) in RESOLUTIONS:  # "full hd" is a resolution, not a flag
                    found = self._choice(words, type_rows, negated)
                else:
                    found = (self._flag(words, type_rows, negated, query_words, head)
                             or self._choice(words, type_rows, negated))
                if found is None:
                    continue
                out.constraints.append(found)
                used[i:i + size] = True
                neg = _NEGATION.search(text[:start]) if negated else None
                if neg is not None:  # "without bluetooth" leaves the search text
                    out.spans.append((neg.start(), end))
                else:  # "bluetooth headphones": the word still helps to rank
                    out.kept.append(text[start:end])

    def _not_a_spec(self, words: list[str], head: str) -> bool:
        """Stopwords, numbers, brands and the asked product type are no feature of it."""
        if all(w in STOPWORDS or w.isdigit() for w in words):
            return True
        return " ".join(words) in self.brands or head in stem_words(words)

    def _more_a_type(self, words: list[str], evidence: int) -> bool:
        """Do more items have this word as their product type ("iphone") than have the feature
        or value it names (``evidence`` items)?"""
        return len(words) == 1 and self.type_lead.type_rows(stem_words(words)[0]).size > evidence

    def _flag(self, words: list[str], type_rows: np.ndarray | None, negated: bool,
              query_words: list[str], head: str) -> SpecConstraint | None:
        """A yes/no attribute the words name. A name that goes on to say the asked product
        ("gaming_mouse_pad" for "gaming mouse pad") is what the item is, not a feature."""
        phrase = compact(" ".join(words))
        names = self.vocab.flag_names.get(phrase)
        if not names:
            return None
        best, best_score = None, 0.0
        asked = {w[:5] for w in query_words} | {w[:5] for w in self.brands} | {
            w[:5] for w in STOPWORDS}
        for name in names:
            flag = self.vocab.flags[name]
            if compact(name) == phrase:
                score = 2.0 * self._flag_coverage(flag.rows, type_rows)
            elif type_rows is not None and _names_feature(name, phrase, asked - {head[:5]}):
                # a part of its name ("backlit"): only where the asked type lists it
                score = self._coverage(flag.rows, type_rows)
            else:
                continue
            if score > best_score:
                best, best_score = name, score
        if best is None or self._more_a_type(words, self.vocab.flags[best].rows.size):
            return None
        flag = self.vocab.flags[best]
        said = " ".join(words)
        return SpecConstraint(
            attribute=best, kind=SpecKind.FLAG, wanted=not negated,
            label=("no " if negated else "with ") + said,
            words=tuple(dict.fromkeys((said, *flag.words))),
            hard=negated or self._listed(flag.rows, type_rows),
        )

    def _choice(self, words: list[str], type_rows: np.ndarray | None,
                negated: bool) -> SpecConstraint | None:
        said = " ".join(words)
        value = RESOLUTIONS.get(said, said)
        names = self.vocab.choice_values.get(value)
        if not names or type_rows is None or (value == said and len(said) < 3):
            return None
        best, best_score = None, 0.0
        for name in names:
            choice = self.vocab.choices[name]
            if len(choice.counts) < 2:
                continue  # one value only: nothing to choose between
            if self._coverage(choice.rows, type_rows) < MIN_CHOICE_COVERAGE:
                continue  # the type's items seldom say: the word is better left to search
            with_value = choice.rows[[value in v for v in choice.values]]
            score = self._coverage(with_value, type_rows, least=1 if value != said else 2)
            if score > best_score:
                best, best_score = name, score
        evidence = sum(self.vocab.choices[n].counts[value] for n in names)
        if best is None or (value == said and self._more_a_type(words, evidence)):
            return None  # a standard name ("4k") is a value, whatever titles call a type
        fallback = (said,) if value == said else (said, value)
        return SpecConstraint(
            attribute=best, kind=SpecKind.CHOICE, wanted=not negated,
            values=frozenset({value}),
            label=("not " if negated else "") + (said if value == said else f"{said} ({value})"),
            words=fallback,
            hard=negated or self._listed(self.vocab.choices[best].rows, type_rows),
        )

    @staticmethod
    def _listed(rows: np.ndarray, type_rows: np.ndarray | None) -> bool:
        """Do most items of the asked type list the attribute? Then a feature asked for is a
        filter; otherwise titles and descriptions say too little to drop the items that do
        not mention it, and it only puts the ones that do first ("bluetooth headphones")."""
        if type_rows is None or not type_rows.size:
            return False
        return float(np.isin(type_rows, rows).mean()) >= HARD_COVERAGE

    def _coverage(self, rows: np.ndarray, type_rows: np.ndarray | None,
                  least: int = MIN_TYPE_ITEMS) -> float:
        """How many items of the asked type (else of the catalog) ``rows`` holds, as a share;
        0 when the type has fewer than ``least`` of them."""
        if type_rows is None:
            return rows.size / self.size if rows.size >= MIN_TYPE_ITEMS else 0.0
        inside = int(np.isin(rows, type_rows).sum())
        return inside / max(type_rows.size, 1) if inside >= least else 0.0

    def _flag_coverage(self, rows: np.ndarray, type_rows: np.ndarray | None) -> float:
        """``_coverage``, falling back to a small share of the whole catalog: a feature the
        asked type's items do not list is still read from their titles and descriptions."""
        inside = self._coverage(rows, type_rows)
        if inside or type_rows is None:
            return inside
        return 0.01 * rows.size / self.size if rows.size >= MIN_TYPE_ITEMS else 0.0


def _share_within(bases: np.ndarray, low: float | None, high: float | None) -> float:
    if not bases.size:
        return 0.0
    inside = np.ones(bases.size, dtype=bool)
    if low is not None:
        inside &= bases >= low
    if high is not None:
        inside &= bases <= high
    return float(inside.mean())


def _named_attribute(after: str, names: list[str], head: str) -> str | None:
    """The attribute whose whole name the words after a measure spell ("... l3 cache speed"),
    the longest such name; not when those words, or the word after them, name the product
    ("500w power supply")."""
    words = _words(after)[:6]
    spelled: dict[str, int] = {}
    for n in range(1, len(words) + 1):
        spelled["".join(words[:n])] = n
    stems = stem_words(words)
    found = [n for n in names if compact(n) in spelled
             and head not in stems[: spelled[compact(n)] + 1]]
    return max(found, key=len) if found else None


def _names_feature(name: str, phrase: str, asked: set[str]) -> bool:
    """Does ``phrase`` (compact) name flag ``name`` by the words it starts or ends with, when
    the rest of its name is in the query, a brand, a stopword or a generic name word ("duplex
    printer" -> duplex_printing, "backlit keyboard" -> keyboard_backlit, "g-sync" ->
    nvidia_g_sync; not "tablet" -> tablet_compartment, "phone" ->
    edit_user_status_on_the_phone)? ``asked``: the first five letters of each such word."""
    words = name_words(name)
    for i in range(1, len(words)):
        if "".join(words[i:]) == phrase:
            return all(w[:5] in asked or w in GENERIC_NAME_WORDS for w in words[:i])
        if "".join(words[:i]) == phrase:
            return all(w[:5] in asked or w in GENERIC_NAME_WORDS for w in words[i:])
    return False


GENERIC_NAME_WORDS = frozenset({
    "port", "ports", "support", "supported", "ready", "function", "functionality",
    "technology", "interface", "connection", "connectivity", "capable", "capability", "lan",
    "built", "in", "integrated", "internal", "mode", "feature", "features", "s", "compatible",
})
"""Words attribute names add to a feature without changing it ("dvi_port", "raid_support",
"built_in_speaker_s_"): a generic English lexicon."""


def _taken(spans: list[tuple[int, int]], length: int) -> np.ndarray:
    taken = np.zeros(length + 1, dtype=bool)
    for start, end in spans:
        taken[start:end] = True
    return taken


def _near(text: str, span: tuple[int, int]) -> list[str]:
    """The two words before a phrase and the two after it ("16gb *ram*", "*ssd* 512gb")."""
    return _words(text[: span[0]])[-2:] + _words(text[span[1]:])[:2]


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


