"""Is a model-written reason faithful to its own item? One job: judge a reason.

A small model happily explains item 3 with item 5's name, a price from the line above, or the
tail of its own JSON (``"Yamaha 5G SmartCard Reader 10 GB ($8.95)], ["`` for a Sony card
reader). Every number, brand, product name and attribute a reason states must be found in its
own item (title, brand, category, description, price, attribute values) or in the shopper's
own words; anything else makes the reason unfaithful, with a ``Cause`` and the words that broke
the rule. The caller replaces an unfaithful reason with one composed from the item's fields.

A Chinese reason for an English catalog item is held to the same facts: Han written against
Latin letters or digits splits there ("Logitech无线鼠标", "19.99美元"), "the cheapest" and "the
priciest" are read in Chinese too (最便宜, 价格最低, 最贵 ...), a brand written in Chinese (索尼)
is that brand, and an amount in yuan is refused unless the item is priced in yuan. The Chinese
words themselves are not checked: a reason with no Latin name, model or number of its own item
says nothing of it (the composed Chinese reason replaces it).

``ReasonJudge`` reads each product's facts once per page (a turn judges ten or twenty reasons
against the same candidates); ``judge_reason`` is the one-shot form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property, lru_cache

from assistant.faithful_chinese import WORD_END as _E
from assistant.faithful_chinese import WORD_START as _B
from assistant.faithful_chinese import han_brand_names, yuan_amount
from assistant.injection import carries_instructions
from shopchat.language import HAN_CHARS, has_han
from shopchat.records import Product


class Cause(StrEnum):
    """Why a reason was refused, most serious first (a reason gets the first that applies)."""

    INSTRUCTIONS = "instructions"
    """It repeats the system prompt, reads as instructions, or its item's text does."""
    FOREIGN_PRODUCT = "foreign_product"
    """It names another candidate (its model code, or its brand with its title words)."""
    FOREIGN_BRAND = "foreign_brand"
    """It names another candidate's brand."""
    MARKUP = "markup_or_json_debris"
    """Brackets, braces, tags, Markdown, escapes, stray quotes, or a prompt id (P3)."""
    FOREIGN_NUMBER = "foreign_number"
    """A number that is not in its item (nor a form of its price) nor in the request."""
    FALSE_COMPARISON = "false_comparison"
    """It calls the item the cheapest (or priciest) of the candidates, and it is not."""
    UNKNOWN_NAME = "unknown_name"
    """A name, model code or acronym found neither in its item nor in the request."""
    FOREIGN_ATTRIBUTE = "foreign_attribute"
    """A word that describes another candidate (its title, type or attributes), not this one."""
    NO_OWN_FACT = "no_own_fact"
    """It says nothing of its own item: no word or number of it."""


@dataclass(frozen=True, slots=True)
class Unfaithful:
    """The verdict on a refused reason: the cause and the words that broke the rule."""

    cause: Cause
    detail: str

    def __str__(self) -> str:
        return f"{self.cause}: {self.detail}"


# -- what a text states ------------------------------------------------------------------------

_TOKEN = re.compile(rf"[{HAN_CHARS}]+|[^\W_{HAN_CHARS}]+")
"""Letters and digits in a row; a run of Han characters is a token of its own, so Han written
against Latin letters or digits ("Logitech无线鼠标", "M185鼠标") splits there."""
_WORDS = re.compile(r"\w+")  # as ``injection.repeats`` splits text
_ECHO = 5  # words in a row that make a reason an echo of the instructions
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_ALIAS = re.compile(rf"{_B}P\d{{1,3}}{_E}")
# "the price is lowest/highest" (not 性价比 "value for money", not 评价 "rating")
_PRICE_WORD = "(?<![性评])(?:价格|价位|售价|价钱|定价|标价|价)(?:也|是|也是|为)?"
_CHEAPEST = re.compile(
    rf"{_B}(?:cheapest|least expensive|lowest[- ]pric)"
    rf"|最便宜|最实惠|最划算|最省钱|最低的?(?:价(?!值)|售价)|{_PRICE_WORD}最(?:低|便宜)",
    re.IGNORECASE)
_PRICIEST = re.compile(
    rf"{_B}(?:priciest|most expensive|highest[- ]pric|dearest)"
    rf"|最贵|最昂贵|最高的?(?:价(?!值)|售价)|{_PRICE_WORD}最(?:高|贵)",
    re.IGNORECASE)
_DEBRIS = re.compile(
    r"""[\[\]{}<>\\|`*\#~^]        # brackets, braces, tags, escapes, pipes, Markdown
    | "\s*[:,]                    # the end of a JSON string
    | ^\s*[",:]                   # a reason that starts inside JSON
    | [",:]\s*$                   # ... or ends there (the model ran into the next pair)
    | """ + _B + "(?:id|reason|ranking)" + _E + r"""\s*["':]
    | \\[ntu]|&[a-z]+;|&\#\d+;    # escapes and HTML entities
    | https?://|www\.""",
    re.VERBOSE | re.IGNORECASE,
)
UNITS = frozenset(re.findall(r"\S+", """
    b kb mb gb tb pb bit kbit mbit gbit bps kbps mbps gbps hz khz mhz ghz mm cm m km in inch ft
    g kg lb lbs oz w kw v mah wh ah ma rpm dpi ppm px mp fps ms s min h x p k db dbi lm nm ml l
    pcs pc gen"""))
"""Units and suffixes that follow a number; written in capitals they are not names."""
_STOP_WORDS = re.findall(r"\S+", """
    a an and are as at be been being but by can do does for from has have how if in into is it
    its it's of on one or so than that the their them these this those to too very was were what
    which while who will with you your yours its my our me i we us all any both each every more
    most other some such only own same just also not no nor new up down out over off again then
    there here when where why about above below after before under between through during great
    good best better nice perfect ideal excellent awesome amazing top quality value option
    choice pick product products item items fit fits fitting match matches matching request
    requested shopper price priced cost costs affordable cheap cheaper cheapest budget deal
    offer offers buy use used using need needs want wants like looking great reliable solid well
    high low many much lot lots features feature design designed""")


@lru_cache(maxsize=1 << 16)  # catalog words repeat: a turn folds thousands of them
def _norm(word: str) -> str:
    """Lower-cased, with a plural or possessive folded (``speakers`` -> ``speaker``)."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


STOP = frozenset(_norm(w) for w in _STOP_WORDS)
"""Words that state no fact of a product (function words, praise, the prompt's own words)."""
_NO_FACT = STOP | UNITS  # a unit states nothing alone; the number before it is checked
_COMMON_WORDS = re.findall(r"\S+", """
    compact portable lightweight light slim thin sleek stylish elegant durable rugged sturdy
    robust powerful fast quick speedy quiet silent comfortable ergonomic versatile simple easy
    handy practical premium professional classic modern smart wireless wired cordless fine
    large small big long short bright clear sharp crisp rich deep loud strong secure safe
    efficient waterproof rechargeable adjustable flexible foldable universal compatible
    genuine original official latest basic standard advanced extra dual double single multi
    full wide tiny huge heavy soft hard warm cool fun beautiful stunning vivid decent popular
    trusted sound picture image screen display color colour black white grey gray silver blue
    red green pink gold yellow purple orange brown clean fresh everyday daily home office
    travel outdoor indoor gaming work school kids family personal work works read reads play
    plays fits offers includes supports comes holds connects charges stores prints scans keeps
    protects lets gives provides delivers brings makes stands sits runs lasts
    cheapest priciest largest smallest biggest lightest fastest lowest highest newest better
    less least still even really truly always plenty perfectly""")
COMMON = STOP | frozenset(_norm(w) for w in _COMMON_WORDS)
"""Ordinary words a reason may start with a capital ("Compact", "Reads"): not names."""


def _number(raw: str) -> str | None:
    """``1,299.00`` -> ``1299``, ``8.950`` -> ``8.95``, ``3,5`` -> ``3.5``; None if not one."""
    if raw.isdigit():
        return raw.lstrip("0") or "0"
    text = raw.replace(",", "") if _THOUSANDS.match(raw) else raw.replace(",", ".")
    if text.count(".") > 1:  # a version or a date (1.2.3): compare it as written
        return text
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return _plain(value)


def _plain(value: Decimal) -> str:
    out = format(value.normalize(), "f")
    return out.rstrip("0").rstrip(".") if "." in out else out


def numbers_in(text: str) -> set[str]:
    return {n for raw in _NUMBER.findall(text) if (n := _number(raw)) is not None}


def price_forms(price: Decimal | None) -> set[str]:
    """Every way a reason may state ``price``: as written (8.95) and rounded (9)."""
    if price is None:
        return set()
    return {_plain(price), _plain(price.quantize(Decimal(1), rounding=ROUND_HALF_UP))}


def _squash(text: str) -> str:
    """Letters and digits only, lower-cased: ``WH-1000XM4`` and ``wh1000xm4`` read the same."""
    return "".join(_TOKEN.findall(text.lower()))


def _is_code(token: str) -> bool:
    """A model code or spec: letters and digits mixed (5G, MX500, S8), not a plain quantity."""
    if token.isalpha() or token.isdigit() or not any(c.isdigit() for c in token):
        return False
    letters = "".join(c for c in token if c.isalpha()).lower()
    return not (token[0].isdigit() and letters in UNITS)  # 10GB, 2.4GHz are quantities


def _is_model(token: str) -> bool:
    """A model name or code in a title: MX500, INCRMULTI, SmartCard (not USB, not Wireless)."""
    if token.isalpha() and token[1:].islower():  # a word: mouse, Wireless
        return False
    return _is_code(token) or (len(token) >= 4 and token.isupper() and token.isalpha()) or (
        token[:1].isalpha() and any(c.isupper() for c in token[1:]) and not token.isupper())


def _is_name(token: str) -> bool:
    """Written like a name: a code, an acronym, inner capitals, or a capital on a word that is
    not a common one (the first word of "Compact stick" is common; of "Gamera 2.0" it is not)."""
    if _is_code(token):
        return True
    if not token[:1].isalpha() or len(token) < 2:
        return False
    if token.isupper():
        return token.lower() not in UNITS
    if any(c.isupper() for c in token[1:]):  # iPhone, SmartCard
        return True
    return token[0].isupper() and _norm(token) not in COMMON


class Facts:
    """What a text (an item, a request) states: its words, its numbers, its letters run
    together. ``more`` (an item's description and attribute values, often kilobytes) is read
    only when a reason says something its title, brand and type do not."""

    def __init__(self, texts: Iterable[str], extra_numbers: Iterable[str] = (),
                 more: Iterable[str] = ()) -> None:
        self.text = " ".join(t for t in texts if t)
        self.tokens = _TOKEN.findall(self.text)
        self.words = frozenset(map(_norm, self.tokens))
        self._extra = frozenset(extra_numbers)
        self._more = [t for t in more if t]

    @cached_property
    def rest(self) -> Facts | None:
        return Facts(self._more) if self._more else None

    @cached_property
    def numbers(self) -> frozenset[str]:
        return frozenset(numbers_in(self.text)) | self._extra

    @cached_property
    def squashed(self) -> str:
        return "".join(self.tokens).lower()

    def has_word(self, word: str) -> bool:
        """``word`` (folded by ``_norm``) is one of these words."""
        return word in self.words or (self.rest is not None and self.rest.has_word(word))

    def says(self, token: str) -> bool:
        """``token`` is one of these words, or part of the text with spaces and punctuation
        taken out (``WH1000XM4`` in "WH-1000XM4"; a title word the prompt cut short)."""
        if _norm(token) in self.words:
            return True
        long_enough = len(token) >= 4 or (len(token) == 3 and any(c.isdigit() for c in token))
        if long_enough and _squash(token) in self.squashed:
            return True
        return self.rest is not None and self.rest.says(token)

    def lacks_numbers(self, numbers: set[str]) -> set[str]:
        """Those of ``numbers`` this text does not state."""
        missing = numbers - self.numbers
        if missing and self.rest is not None:
            return self.rest.lacks_numbers(missing)
        return missing


def item_facts(product: Product) -> Facts:
    head = [product.title, product.brand, product.category]
    more = [product.description, *product.attributes.values(),
            *(k.replace("_", " ") for k in product.attributes)]
    return Facts(head, price_forms(product.price), more)


MAX_ATTRIBUTE_CHARS = 40


@dataclass(frozen=True, slots=True)
class _Other:
    """What names another candidate: its brand words and its title words."""

    title: str
    brand: frozenset[str]
    title_words: frozenset[str]
    codes: frozenset[str]
    described: frozenset[str]
    """Words of its title, type and attribute values: the attributes it has."""


def _other(product: Product) -> _Other:
    title_tokens = _TOKEN.findall(product.title)
    brand = frozenset(_norm(w) for w in _TOKEN.findall(product.brand)) - STOP
    # an attribute a shopper compares is a short value (a colour, an interface); long ones
    # are lists (compatible systems, package contents) that say little about the item itself
    short = [v for v in product.attributes.values() if len(v) <= MAX_ATTRIBUTE_CHARS]
    described = " ".join([product.title, product.category, *short])
    return _Other(
        product.title,
        brand,
        frozenset(_norm(w) for w in title_tokens) - STOP,
        frozenset(_norm(w) for w in title_tokens if _is_model(w)),
        frozenset(_norm(w) for w in _TOKEN.findall(described)) - STOP,
    )


# -- the judge ---------------------------------------------------------------------------------


class ReasonJudge:
    """Judges reasons for the items of one page against that page and the shopper's request.

    ``candidates``: every product the model saw (the reason's own item among them).
    ``instructions``: the system prompt, which a reason must never repeat.
    """

    def __init__(self, request: str, candidates: Sequence[Product], instructions: str = "") -> None:
        self.request = Facts([request])
        words = _WORDS.findall(instructions.lower())
        self._prompt = {tuple(words[i : i + _ECHO]) for i in range(len(words) - _ECHO + 1)}
        self.candidates = list(candidates)
        self._facts: dict[int, Facts] = {}
        self._others: dict[int, _Other] = {}

    def _own(self, product: Product) -> Facts:
        key = id(product)
        if key not in self._facts:
            self._facts[key] = item_facts(product)
        return self._facts[key]

    def _another(self, product: Product) -> _Other:
        key = id(product)
        if key not in self._others:
            self._others[key] = _other(product)
        return self._others[key]

    def judge(self, reason: str, product: Product) -> Unfaithful | None:
        """None when ``reason`` is faithful to ``product``; else why not."""
        if self._echoes_prompt(reason) or carries_instructions(reason):
            return Unfaithful(Cause.INSTRUCTIONS, "reads as instructions or repeats the prompt")
        own = self._own(product)
        request = self.request
        tokens = _TOKEN.findall(reason)
        novel = {_norm(t) for t in tokens if not t.isdigit() and _norm(t) not in _NO_FACT
                 and not own.says(t) and not request.says(t)}
        verdict = self._foreign(novel, set(tokens), product) if novel else None
        han_brands = self._han_brands(reason, product)  # 索尼: Sony written in Chinese
        if verdict is None and han_brands and han_brands[0].cause is Cause.FOREIGN_BRAND:
            verdict = han_brands[0]
        if verdict is not None:
            return verdict
        invented = _name_run(tokens, novel) if novel else ""
        if invented:
            return Unfaithful(Cause.FOREIGN_PRODUCT, f"names {invented!r}, not this item")
        debris = _DEBRIS.search(reason)
        found = debris.group(0) if debris is not None else None
        if found is None and reason.count('"') % 2:
            found = '"'
        if found is None:  # a prompt id (P3), unless the item's own name has it (Huawei P10)
            found = next((a for a in _ALIAS.findall(reason) if _norm(a) not in own.words), None)
        if found is not None:
            return Unfaithful(Cause.MARKUP, repr(found))
        yuan = yuan_amount(reason, product.currency)
        if yuan:
            return Unfaithful(Cause.FOREIGN_NUMBER, yuan)
        said_numbers = numbers_in(reason)
        foreign_numbers = sorted(request.lacks_numbers(own.lacks_numbers(said_numbers))) \
            if said_numbers else []
        if foreign_numbers:
            return Unfaithful(Cause.FOREIGN_NUMBER, ", ".join(foreign_numbers[:3]))
        compared = self._false_comparison(reason, product)
        if compared:
            return Unfaithful(Cause.FALSE_COMPARISON, compared)
        names = [t for t in tokens if _is_name(t) and _norm(t) in novel]
        if names:
            return Unfaithful(Cause.UNKNOWN_NAME, ", ".join(dict.fromkeys(names[:3])))
        if han_brands:
            return han_brands[0]
        described = self._described_elsewhere(novel, product)
        if described:
            return Unfaithful(Cause.FOREIGN_ATTRIBUTE, ", ".join(sorted(described)[:3]))
        if not any(_norm(t) not in STOP and own.has_word(_norm(t)) for t in tokens) and not (
            said_numbers and own.lacks_numbers(said_numbers) != said_numbers
        ):
            return Unfaithful(Cause.NO_OWN_FACT, f"nothing of its own item in {reason[:40]!r}")
        return None

    def _false_comparison(self, reason: str, product: Product) -> str:
        """What is wrong with "the cheapest"/"the priciest" said of ``product`` (empty: true,
        or no such claim)."""
        for pattern, pick, word in ((_CHEAPEST, min, "cheapest"), (_PRICIEST, max, "priciest")):
            if pattern.search(reason):
                prices = [c.price for c in self.candidates if c.price is not None]
                if product.price is None or not prices or product.price != pick(prices):
                    return f"not the {word} of the {len(self.candidates)} candidates"
        return ""

    def _han_brands(self, reason: str, product: Product) -> list[Unfaithful]:
        """Brands written in Chinese (索尼 for Sony) that are not the item's own nor the
        shopper's: another candidate's first (``FOREIGN_BRAND``), then any other
        (``UNKNOWN_NAME``). Brand names that are everyday words (美的, 联想) are not read."""
        if not has_han(reason):
            return []
        own = self._own(product)
        found: list[Unfaithful] = []
        for han, latin in han_brand_names(reason):
            words = _TOKEN.findall(latin)
            if han in self.request.text or all(own.says(w) or self.request.says(w)
                                               for w in words):
                continue
            key = _squash(latin)
            other = next((o for o in self.candidates if o is not product and o.brand.strip()
                          and _squash(o.brand) == key), None)
            if other is not None:
                found.insert(0, Unfaithful(Cause.FOREIGN_BRAND,
                                           f"{han} ({latin}) of {other.title[:60]!r}"))
            else:
                found.append(Unfaithful(Cause.UNKNOWN_NAME, f"{han} ({latin})"))
        return found

    def _echoes_prompt(self, reason: str) -> bool:
        """Five words in a row from the instructions (``injection.repeats``, precomputed)."""
        if not self._prompt:
            return False
        words = _WORDS.findall(reason.lower())
        return any(tuple(words[i : i + _ECHO]) in self._prompt
                   for i in range(len(words) - _ECHO + 1))

    def _foreign(self, novel: set[str], written: set[str], product: Product) -> Unfaithful | None:
        """Another candidate named: its code, or its brand (with its title words, a product)."""
        best: tuple[int, Unfaithful] | None = None
        own_brand = product.brand.strip().lower()
        for other in self.candidates:
            if other is product or other.title == product.title:
                continue
            o = self._another(other)
            brand = (novel & o.brand) if other.brand.strip().lower() != own_brand else set()
            title = (novel & o.title_words) - o.brand
            codes = novel & o.codes
            named = {t for t in written if _norm(t) in title and _is_name(t)}
            if codes or (brand and title) or len(named) >= 2:
                hit = sorted(brand | title)
                verdict = Unfaithful(Cause.FOREIGN_PRODUCT,
                                     f"{', '.join(hit[:4])} of {o.title[:60]!r}")
            elif brand:
                hit = sorted(brand)
                verdict = Unfaithful(Cause.FOREIGN_BRAND, f"{', '.join(hit)} of {o.title[:60]!r}")
            else:
                continue
            rank = len(hit) + (10 if verdict.cause is Cause.FOREIGN_PRODUCT else 0)
            if best is None or rank > best[0]:
                best = (rank, verdict)
        return best[1] if best else None

    def _described_elsewhere(self, novel: set[str], product: Product) -> set[str]:
        found: set[str] = set()
        for other in self.candidates:
            if other is not product:
                found |= novel & self._another(other).described
        return {w for w in found if not w.isdigit()}


def _name_run(tokens: list[str], novel: set[str]) -> str:
    """Two or more adjacent names that are not the item's own ("Yamaha 5G SmartCard"): a
    product name from elsewhere."""
    run: list[str] = []
    best: list[str] = []
    for token in tokens:
        run = [*run, token] if _norm(token) in novel and _in_name(token) else []
        if len(run) > len(best):
            best = run
    return " ".join(best) if len(best) >= 2 else ""


def _in_name(token: str) -> bool:
    """A name, or letters and digits mixed (5G reads as a quantity alone, a name in a run)."""
    return _is_name(token) or (
        any(c.isdigit() for c in token) and any(c.isalpha() for c in token))


def judge_reason(
    reason: str,
    product: Product,
    others: Sequence[Product],
    request: str,
    instructions: str = "",
) -> Unfaithful | None:
    """``ReasonJudge(request, [product, *others], instructions).judge(reason, product)``."""
    return ReasonJudge(request, [product, *others], instructions).judge(reason, product)


__all__ = ["Cause", "Facts", "ReasonJudge", "Unfaithful", "item_facts", "judge_reason"]
