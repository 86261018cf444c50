"""What a chat turn asks for, decided by rules (never by the model): a new search, a refinement
of the last one, the next page, a question about shown items, or starting over."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Intent(StrEnum):
    """Every kind of turn, and so every ``Answer.intent`` (compares equal to its string)."""

    SEARCH = "search"
    """A new search."""
    REFINE = "refine"
    """The last search with changed constraints ("cheaper", "only Logitech", "wireless ones")."""
    MORE = "more"
    """The next page of the same search, never repeating an item."""
    WHY = "why"
    COMPARE = "compare"
    CHEAPEST = "cheapest"
    PRICIEST = "priciest"
    """Questions about the shown items, answered from their data."""
    RESET = "reset"
    RECOMMEND = "recommend"
    """An empty message from a shopper with history: picks from their profile."""
    EMPTY = "empty"
    """An empty message from a shopper without history."""
    TOO_LONG = "too_long"
    UNREADABLE = "unreadable"
    """A language the assistant does not read (Japanese kana): said, nothing searched."""
    BUSY = "busy"
    """Too many turns in flight: an immediate answer, no work done."""


@dataclass(frozen=True, slots=True)
class Turn:
    intent: Intent
    positions: list[int] = field(default_factory=list)
    """1-based positions of shown items the turn refers to (-1: the last one)."""
    price_direction: int = 0
    """-1: "cheaper", +1: "more expensive", 0: neither."""
    size_direction: int = 0
    """-1: "smaller", +1: "bigger", 0: neither."""


_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
    "9th": 9,
    "10th": 10,
    "last": -1,
    "top": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_POSITION = re.compile(
    r"(?:#|\bno\.?\s*|\bnumber\s+|\bitem\s+|\boption\s+|\bproduct\s+)?\b(\d{1,2}|"
    + "|".join(sorted(_ORDINALS, key=len, reverse=True))
    + r")\b",
    re.I,
)
_RESET = re.compile(
    r"^\s*(start\s+over|reset|restart|new\s+(search|conversation|chat)|"
    r"clear(\s+(all|everything|filters))?|forget\s+(it|that))\b",
    re.I,
)
_MORE = re.compile(
    r"^\s*(show\s+(me\s+)?)?(more|next(\s+page)?|more\s+(please|results|options)|"
    r"any\s*(thing)?\s*else|other\s+options|load\s+more)\s*[.!?]*\s*$",
    re.I,
)
_WHY = re.compile(r"\bwhy\b|\btell\s+me\s+(more\s+)?about\b|\bdetails?\s+(on|of|about)\b", re.I)
_COMPARE = re.compile(r"\bcompare\b|\bdifference\s+between\b|\bversus\b|\bvs\.?\b", re.I)
_CHEAPEST = re.compile(r"\b(cheapest|least\s+expensive|lowest\s+price|most\s+affordable)\b", re.I)
_PRICIEST = re.compile(r"\b(most\s+expensive|priciest|highest\s+price|dearest)\b", re.I)
_OF_SHOWN = re.compile(
    r"\b(these|those|them|shown|above|listed|here|of\s+the\s+\w+)\b|\?\s*$", re.I
)
_CHEAPER = re.compile(
    r"\b(cheaper|less\s+expensive|lower\s+price|more\s+affordable|budget)\b", re.I
)
_PRICIER = re.compile(r"\b(more\s+expensive|pricier|higher\s+end|premium|fancier)\b", re.I)
_BIGGER = re.compile(r"\b(bigger|larger|wider)\b", re.I)
_SMALLER = re.compile(r"\b(smaller|more\s+compact|narrower)\b", re.I)
# Words that carry no product meaning in a follow-up ("only wireless ones please").
FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "ones",
        "one",
        "only",
        "just",
        "please",
        "show",
        "me",
        "some",
        "something",
        "any",
        "anything",
        "but",
        "what",
        "about",
        "how",
        "instead",
        "then",
        "also",
        "with",
        "them",
        "those",
        "these",
        "they",
        "that",
        "it",
        "i",
        "want",
        "need",
        "like",
        "would",
        "prefer",
        "can",
        "you",
        "could",
        "give",
        "see",
        "and",
        "or",
        "of",
        "in",
        "for",
        "to",
        "on",
        "same",
        "kind",
        "ok",
        "okay",
        "thanks",
        "thank",
        "yes",
        "no",
        "cheaper",
        "less",
        "expensive",
        "lower",
        "price",
        "more",
        "affordable",
        "pricier",
        "higher",
        "end",
        "premium",
        "fancier",
        "bigger",
        "larger",
        "wider",
        "smaller",
        "compact",
        "narrower",
        "options",
        "option",
        "version",
        "versions",
        "models",
        "model",
        "items",
        "item",
        "products",
        "product",
        "?",
    ]
)


def positions(message: str) -> list[int]:
    out: list[int] = []
    previous_end = -1
    for m in _POSITION.finditer(message):
        token = m.group(1).lower()
        # "the second one": "one" is a pronoun after a position, not position 1
        pronoun = token == "one" and previous_end >= 0 and message[previous_end:m.start()].isspace()
        previous_end = m.end()
        if pronoun:
            continue
        pos = int(token) if token.isdigit() else _ORDINALS[token]
        if pos not in out and (pos == -1 or 1 <= pos <= 50):
            out.append(pos)
    return out


def residual_words(text: str) -> list[str]:
    """Product words left in a follow-up once filler is removed ("wireless ones" -> [wireless])."""
    return [w for w in re.findall(r"[^\W_][\w'-]*", text.lower()) if w not in FILLER]


def classify(message: str, remaining_text: str, *, has_results: bool) -> Turn:
    """A non-empty message's turn (empty, over-long and busy turns are decided before this).

    ``remaining_text``: the message with its constraint phrases removed by the query parser."""
    if _RESET.search(message):
        return Turn(Intent.RESET)
    if not has_results:  # "more" of nothing: a new or expired conversation, not a search
        return Turn(Intent.EMPTY if _MORE.search(message) else Intent.SEARCH)
    if _MORE.search(message):
        return Turn(Intent.MORE)
    if _COMPARE.search(message) and len(found := positions(message)) >= 2:
        return Turn(Intent.COMPARE, found)
    if _WHY.search(message) and (found := positions(message)):
        return Turn(Intent.WHY, found[:1])
    words = residual_words(remaining_text)
    short = not words
    if _CHEAPEST.search(message) and (short or _OF_SHOWN.search(message)):
        return Turn(Intent.CHEAPEST)
    if _PRICIEST.search(message) and (short or _OF_SHOWN.search(message)):
        return Turn(Intent.PRICIEST)
    direction = -1 if _CHEAPER.search(message) else 1 if _PRICIER.search(message) else 0
    size = 1 if _BIGGER.search(message) else -1 if _SMALLER.search(message) else 0
    follow_up = (
        direction != 0
        or size != 0
        or (
            len(words) <= 1
            and re.search(r"\b(ones?|only|just|instead|version|models?)\b", message, re.I)
            is not None
        )
        or not words
    )
    return Turn(Intent.REFINE if follow_up else Intent.SEARCH, price_direction=direction,
                size_direction=size)
