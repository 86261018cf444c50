"""Which Online Retail lines are not product sales: fee codes and stock-keeping notes.

Built from looking at the data (UCI Online Retail, 541,909 lines):

* Fee and service stock codes: postage (POST, DOT, C2), manual entries (M), discounts (D),
  samples (S), bank charges, Amazon fees, CRUK commission, cushion pads given at 0.001
  (PADS), bad-debt adjustments (B) and gift vouchers (``gift_0001_*``); and the same
  services under ordinary codes, known by their description ("Next Day Carriage").
* Real products are written in CAPITALS ("WHITE HANGING HEART T-LIGHT HOLDER", sometimes
  with lower-case units: "BAG 125g SWIRLY MARBLES"). Warehouse staff wrote stock-keeping
  notes on zero-price lines without a customer instead: "?", "check", "damaged", "wet
  pallet", "thrown away", "sold as set on dotcom", "CHECK", "OOPS ! adjustment"...
  ``is_note_text`` spots those from the text; ``is_note`` adds the row's price.
"""

from __future__ import annotations

import re

NON_PRODUCT_CODES = frozenset({
    "POST", "DOT", "C2", "M", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS",
})
NON_PRODUCT_PREFIXES = ("GIFT_",)
# The same services sold under ordinary-looking codes (23444 is "Next Day Carriage").
FEE_DESCRIPTIONS = frozenset({
    "POSTAGE", "DOTCOM POSTAGE", "CARRIAGE", "NEXT DAY CARRIAGE", "PACKING CHARGE",
    "AMAZON FEE", "BANK CHARGES", "CRUK COMMISSION", "MANUAL", "DISCOUNT",
})

# Stems of words that only occur in notes (matched at the start of a word, any case).
_NOTE_STEMS = (
    "damage", "dagamed", "breakage", "broken", "cracked", "crushed", "smashed", "faulty",
    "mould", "rusty", "wet", "thrown", "throw", "unsaleable", "destroyed", "lost", "missing",
    "found", "check", "counted", "adjust", "wrong", "incorrect", "mix", "mixed", "barcode",
    "sold", "amazon", "ebay", "dotcom", "sample", "display", "showroom", "given", "returned",
    "test", "mailout", "oops", "error", "credit", "stock", "allocate", "label", "mystery",
    "historic", "can't", "cant",
)
_NOTE_WORD = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in _NOTE_STEMS) + ")",
                        re.IGNORECASE)
_FILLER = frozenset({"a", "and", "as", "by", "for", "from", "in", "of", "on", "or", "the",
                     "to", "with", "possible", "some", "more", "away", "put"})
_CAPITALS_WORD = re.compile(r"\b[A-Z]{2,}\S*")
_LETTERS = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-z']+")


def is_non_product_code(code: str) -> bool:
    """True for fee/service codes (postage, fees, vouchers...), given an upper-cased code."""
    return code in NON_PRODUCT_CODES or code.startswith(NON_PRODUCT_PREFIXES)


def is_fee_text(text: str) -> bool:
    """True for descriptions of services rather than goods (postage, fees, gift vouchers)."""
    upper = text.upper()
    return upper in FEE_DESCRIPTIONS or "GIFT VOUCHER" in upper


def is_note_text(text: str) -> bool:
    """True when a (whitespace-normalised, non-empty) description is a stock-keeping note.

    A note has no letters ("?", "20713"); or consists only of note words ("CHECK",
    "Damaged", "wet damaged"); or uses a note word outside the CAPITALS product words
    ("OOPS ! adjustment", "damages/credits from ASOS."); or is written all in lower case
    ("michel oops", "had been put aside").
    """
    if not _LETTERS.search(text):
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    if all(w in _FILLER or _NOTE_WORD.match(w) for w in words) and any(
            _NOTE_WORD.match(w) for w in words):
        return True
    if _NOTE_WORD.search(_CAPITALS_WORD.sub(" ", text)):
        return True
    return text == text.lower()


def has_capitals_word(text: str) -> bool:
    """True when ``text`` has a word written in CAPITALS, as product names do."""
    return _CAPITALS_WORD.search(text) is not None
