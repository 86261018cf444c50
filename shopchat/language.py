"""Which language a shopper writes: the script decides, no setting needed.

A message with any Han character is Chinese ("zh"): a Chinese shopper mixes in Latin brand
names and model numbers ("罗技 MX Master 鼠标"), an English one never writes Han. Japanese kana
is not Chinese (it is reported as a language the assistant does not read)."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "zh"]

HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
"""The Han character ranges, for a regex character class (``[{HAN_CHARS}]``)."""
_HAN = re.compile(f"[{HAN_CHARS}]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def has_kana(text: str) -> bool:
    return _KANA.search(text) is not None


def language_of(text: str) -> Language:
    """"zh" when ``text`` has a Han character and no kana, else "en"."""
    return "zh" if has_han(text) and not has_kana(text) else "en"
