"""Text cleaning shared by every loader: whitespace, HTML entities and tags, broken encodings.

Text files are decoded with ``errors="surrogateescape"``, so bytes that are not valid UTF-8
survive as lone surrogates (U+DC80..U+DCFF) instead of crashing the read. ``clean_text``
refuses such values, so the loader can reject just that row and name the field.
"""

from __future__ import annotations

import html
import math
import re

from shopchat.text import single_spaced

_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
_SURROGATE = re.compile("[\ud800-\udfff]")


class BrokenEncodingError(ValueError):
    """A text value holds bytes that were not valid UTF-8 in the source file."""


def has_broken_encoding(text: str) -> bool:
    """True when ``text`` holds lone surrogates, i.e. undecodable bytes from the source."""
    return _SURROGATE.search(text) is not None


def clean_text(value: object, *, html_markup: bool = False) -> str:
    """Return ``value`` as a single-spaced, stripped string ("" for None/NaN), with control and
    format characters (NUL, ESC, zero-width) turned into spaces.

    With ``html_markup`` the value is treated as an HTML fragment: tags become spaces and
    entities (``&deg;``, ``&#1057;``) are unescaped. Integral floats lose their ``.0`` (ids
    read from parquet columns with missing values come back as floats).
    Raises ``BrokenEncodingError`` for values holding undecodable bytes.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        text = str(int(value)) if value.is_integer() else repr(value)
    else:
        text = str(value)
    if not text.isascii() and has_broken_encoding(text):
        raise BrokenEncodingError(_show_bytes(text))
    if html_markup:
        if "<" in text:
            text = _TAG.sub(" ", text)
        if "&" in text:
            text = html.unescape(text)
    return single_spaced(text)


def _show_bytes(text: str) -> str:
    """The undecodable bytes of ``text`` in hex, for a reject reason."""
    raw = bytes(ord(ch) - 0xDC00 for ch in text if 0xDC80 <= ord(ch) <= 0xDCFF)
    return f"bytes {raw[:8].hex(' ')}" if raw else "lone surrogates"


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (an optional BOM is dropped), keeping bad bytes as lone surrogates."""
    return data.decode("utf-8-sig", errors="surrogateescape")
