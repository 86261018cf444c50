"""A Chinese shopper's message read as the English query the rest of shopchat understands.

Steps: fold the text (full-width forms, traditional characters and Taiwanese shop words to
simplified mainland ones), numerals to digits, whole-message follow-ups ("便宜点" -> "cheaper"),
prices and measures to English phrases, brand names to the catalog's, include/exclude words,
then the remaining Chinese segmented (jieba) and glossed word by word in catalog vocabulary.
Words with no catalog word are reported, never guessed.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from retrieval.chinese.glossary import CatalogGlossary
from retrieval.chinese.numbers import with_digits
from retrieval.chinese.phrases import PriceRewriter, follow_up, measures, triggers
from retrieval.chinese.reading import Reading
from retrieval.chinese.shop_words import BRANDS, NO_MEANING, SHOP_WORDS
from shopchat.language import HAN_CHARS
from shopchat.records import Product

if TYPE_CHECKING:
    import jieba

log = logging.getLogger(__name__)

_HAN_RUN = re.compile(f"[{HAN_CHARS}]+")
_PUNCTUATION = str.maketrans({"。": ". ", "、": ", ", "“": " ", "”": " ", "‘": " ", "’": " ",
                              "【": " ", "】": " ", "《": " ", "》": " ", "·": " ", "～": "~"})
_WHOLE_FIRST = re.compile("|".join(re.escape(w) for w in sorted(
    (w for w in SHOP_WORDS if re.search("[A-Za-z]", w) or any(b in w for b in BRANDS)),
    key=len, reverse=True)), re.I)
"""Shop words spelt with a Latin letter ("U盘", "TF卡") or holding a brand's name ("苹果手机" is
an iPhone): read whole, before brand names and the split into Chinese runs."""
_WHOLE_FIRST_KEYS = {w.lower(): w for w in SHOP_WORDS}  # as matched (any case) -> as listed
_IPHONE = re.compile(r"苹果\s*(\d{1,2}|x[rs]?|se)(?![\w.])", re.I)
""""苹果7", "苹果XR": how shoppers name iPhones."""
_JOINERS = {"带": "with", "和": "and", "与": "and", "跟": "and", "或": "or", "或者": "or",
            "还是": "or"}
MAX_SUBWORD = 4


@cache
def _converters() -> tuple[Any, Any]:
    from opencc import OpenCC

    # t2s finds traditional characters; tw2sp also turns Taiwanese shop words ("滑鼠") into
    # mainland ones, but only on traditional text (on simplified text it turns 么 into 幺).
    return OpenCC("t2s"), OpenCC("tw2sp")


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation to ASCII; traditional to simplified."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    to_simplified, from_taiwan = _converters()
    if to_simplified.convert(text) == text:
        return text
    return str(from_taiwan.convert(text))


_TOKENIZER_LOCK = threading.Lock()


@cache
def _tokenizer() -> jieba.Tokenizer:
    """jieba with the shop words and brand names as whole words (its own dictionary ships in
    the package)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in [*SHOP_WORDS, *BRANDS]:
        tokenizer.add_word(word, freq=100_000)
    return tokenizer


class ChineseReader:
    """Reads Chinese messages for one catalog; ``yuan_rate``: yuan per unit of its currency."""

    def __init__(self, glossary: CatalogGlossary, yuan_rate: float) -> None:
        self.glossary = glossary
        self.prices = PriceRewriter(yuan_rate)
        self._brand_names = re.compile("|".join(
            re.escape(b) for b in sorted(glossary.brands, key=len, reverse=True)))

    def read(self, message: str) -> Reading:
        text = with_digits(fold(message))
        if (english := follow_up(text)) is not None:
            return Reading(message, english, follow_up=True)
        text = _IPHONE.sub(lambda m: f" iphone {m.group(1)} ", text)
        text = _WHOLE_FIRST.sub(lambda m: f" {self._whole_word(m.group(0))} ", text)
        priced = self.prices.rewrite(measures(text))
        text = self._brand_names.sub(lambda m: f" {self.glossary.brands[m.group(0)]} ",
                                     priced.text)
        text = triggers(text)
        words: list[str] = []
        unknown: list[str] = []
        last = 0
        for run in _HAN_RUN.finditer(text):
            words.append(text[last:run.start()])
            last = run.end()
            words += [self._gloss(token, unknown) for token in self._segment(run.group(0))]
        words.append(text[last:])
        return Reading(message, " ".join(" ".join(words).split()), tuple(unknown),
                       priced.yuan_rate)

    def _whole_word(self, word: str) -> str:
        return self.glossary.english(_WHOLE_FIRST_KEYS[word.lower()]) or word

    @staticmethod
    def _segment(run: str) -> list[str]:
        with _TOKENIZER_LOCK:
            return _tokenizer().lcut(run, HMM=False)

    def _gloss(self, token: str, unknown: list[str]) -> str:
        if token in NO_MEANING:
            return ""
        if token in _JOINERS:
            return _JOINERS[token]
        if (english := self.glossary.english(token)) is not None:
            return english
        return " ".join(self._pieces(token, unknown))

    def _pieces(self, token: str, unknown: list[str]) -> list[str]:
        """A word with no gloss of its own, read as its longest glossed parts ("蓝牙音响" ->
        "bluetooth speakers"); characters no part covers are unknown."""
        out: list[str] = []
        i, stray = 0, ""
        while i < len(token):
            for size in range(min(MAX_SUBWORD, len(token) - i), 0, -1):
                piece = token[i:i + size]
                english = "" if piece in NO_MEANING else self.glossary.english(piece)
                if english is not None and (size > 1 or piece in SHOP_WORDS or english == ""):
                    if stray:
                        unknown.append(stray)
                        stray = ""
                    if english:
                        out.append(english)
                    i += size
                    break
            else:
                stray += token[i]
                i += 1
        if stray:
            unknown.append(stray)
        return out


class LazyReader:
    """One catalog's ``ChineseReader``, built on the first Chinese message (about 1 s: the
    glossary and, once per process, jieba and CC-CEDICT), thread-safe."""

    def __init__(self, products: Sequence[Product], yuan_rate: float) -> None:
        self._products = products
        self._yuan_rate = yuan_rate
        self._reader: ChineseReader | None = None
        self._lock = threading.Lock()

    def reader(self) -> ChineseReader:
        with self._lock:
            if self._reader is None:
                self._reader = ChineseReader(CatalogGlossary(self._products), self._yuan_rate)
            return self._reader

