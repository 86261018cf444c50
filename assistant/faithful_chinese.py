"""The Chinese side of ``assistant.faithful``: word bounds that Han characters also make, brand
names written in Chinese, and amounts in yuan (which a dollar price cannot confirm)."""

from __future__ import annotations

import re

from retrieval.chinese.shop_words import BRANDS
from shopchat.language import HAN_CHARS

WORD_START = rf"(?<![^\W{HAN_CHARS}])"  # ``\b`` before a word, where a Han character also bounds it
WORD_END = rf"(?![^\W{HAN_CHARS}])"  # ``\b`` after a word, likewise

_AMOUNT = r"(\d+(?:[.,]\d+)*)"
_YUAN = re.compile(
    rf"(?:[¥￥]|人民币|{WORD_START}(?:rmb|cny))\s*{_AMOUNT}"
    rf"|{_AMOUNT}\s*(?:块钱|元(?![件素])|人民币|(?:rmb|cny){WORD_END})",
    re.IGNORECASE)
"""An amount in yuan (19.99元, ￥19.99, 人民币 20); 美元 (US dollars) is not one."""
_YUAN_CURRENCIES = {"CNY": "", "RMB": "", "JPY": "¥￥"}  # currency -> the yuan forms it reads
_ORDINARY_HAN = frozenset(re.findall(r"\S+", """
    美的 兄弟 博士 公牛 樱桃 长城 先锋 精工 荣耀 蓝宝石 得力 晨光 一加 创见 爱国者 宏达 七彩虹
    联想 真我 铁三角 飞毛腿 天龙 超威 富士 劲量 理光 长虹 中兴 海盗船 先马 美光 冰豹 双飞燕"""))
"""Chinese brand names that are also everyday words (美的 "beautiful", 联想 "to think of"):
not read as brands in a reason."""
_HAN_BRAND = re.compile("|".join(re.escape(w) for w in sorted(
    (w for w in BRANDS if w not in _ORDINARY_HAN), key=len, reverse=True)))


def han_brand_names(reason: str) -> list[tuple[str, str]]:
    """(as written, in Latin letters) for each brand ``reason`` names in Chinese, once each."""
    return [(han, BRANDS[han]) for han in dict.fromkeys(_HAN_BRAND.findall(reason))]


def yuan_amount(reason: str, currency: str) -> str:
    """An amount in yuan said of an item priced in another ``currency`` (a dollar price cannot
    confirm it): what was said, or empty."""
    currency = currency.strip().upper()
    for m in _YUAN.finditer(reason):
        said = m.group(0).strip()
        read = _YUAN_CURRENCIES.get(currency)
        if read is not None and (not read or said[0] in read):
            continue  # the item's own currency: its number is checked as any other
        return f"{said}: an amount in yuan, the item is priced in {currency or 'another currency'}"
    return ""
