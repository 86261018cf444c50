"""Chinese numerals in a shopper's words ("五十块", "两千", "第三个") as Arabic digits."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
NUMERAL = "[零〇一二两三四五六七八九十百千万]+"
# Only numerals before a unit, a currency or an ordinal's 个/号 are numbers: 一些 ("some"),
# 十分 ("very") and 万一 ("in case") are words.
_BEFORE = (r"(?=\s*(?:美元|美金|刀|块钱|块|元|人民币|寸|吋|英寸|号|核|米|厘米|毫米|"
           r"瓦|伏|毫安|赫兹|[gGtTkKmM]|[到至~-]\s*[零〇一二两三四五六七八九十百千万\d]))")
_COUNTED = re.compile(
    rf"(?:(?<![\u4e00-\u9fff])|(?<=[到至过于在低高超多少约近内下上要]))({NUMERAL}){_BEFORE}"
    rf"|(?<=第)({NUMERAL})")
_AFTER_COMPARE = re.compile(rf"(?<=[比较对比和与跟])({NUMERAL})(?=[和与跟个号]|$|\s)")


def chinese_number(text: str) -> int | None:
    """"五十" -> 50, "两千五百" -> 2500, "一万二" -> 12000, "十五" -> 15; None if not a number."""
    if not text or any(c not in _DIGITS and c not in _SCALES for c in text):
        return None
    total, section, digit = 0, 0, None
    last_scale = 1
    for char in text:
        if char in _DIGITS:
            if digit is not None:  # "一二" is no number
                return None
            digit = _DIGITS[char]
        else:
            scale = _SCALES[char]
            if scale == 10_000:
                total += (section + (digit or 0)) * scale
                section, digit, last_scale = 0, None, scale
                continue
            section += (1 if digit is None else digit) * scale
            digit, last_scale = None, scale
    if digit is not None:  # "两千五" = 2500: a trailing digit counts a tenth of the last scale
        section += digit * (last_scale // 10 if last_scale >= 100 else 1)
    return total + section


def with_digits(text: str) -> str:
    """Numerals that count something become digits; other uses of the characters stay."""
    def convert(m: re.Match[str]) -> str:
        value = chinese_number(m.group(0))
        return m.group(0) if value is None else str(value)

    return _AFTER_COMPARE.sub(convert, _COUNTED.sub(convert, text))
