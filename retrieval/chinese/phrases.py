"""Chinese follow-ups, prices and measures rewritten into the English phrases the English
parsers already read ("便宜点" -> "cheaper", "100到200美元之间" -> "between $100 and $200",
"27寸" -> "27 inch"): Chinese constraints are parsed and enforced by the same code as English
ones. Amounts in yuan are converted to the catalog's currency at a stated rate."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_N = r"(\d+(?:\.\d+)?)"
_YUAN = r"(?:块钱|块|元|人民币|rmb|cny|¥|￥)"
_DOLLAR = r"(?:美元|美金|刀|usd|\$)"
_CUR = rf"(?:{_YUAN}|{_DOLLAR})"
_UNIT_AHEAD = (r"(?!\s*(?:寸|吋|英寸|g|gb|t|tb|m|mb|k|核|米|厘米|毫米|瓦|w|毫安|mah|赫兹|hz|号|"
               r"p\b|%))")
"""A number before one of these is a measure ("27寸"), never a price."""

_ORDINAL = r"(?:第\s*)?(-?\d{1,2})\s*(?:个|号|款|件)?"

FOLLOW_UPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"^(?:{pattern})[吗呢吧啊呀的了?？!！。.\s]*$", re.I), english)
    for pattern, english in (
        (r"重新开始|重来|从头开始|从头再来|清空|重置|换个话题", "start over"),
        (r"(?:再来|再给我|再推荐|再看)(?:一些|一点|点|几个|几款|更多)?|还有吗|还有别的|还有其他的?|"
         r"更多|换一批|下一页|继续|还有没有", "more"),
        (r"(?:有没有|要|来点|给我)?(?:再|更)?便宜(?:一)?点(?:的)?|更便宜(?:的|一些|些)?|便宜些|"
         r"(?:有没有)?更实惠的?|再便宜(?:一)?点", "cheaper"),
        (r"(?:有没有)?(?:再|更)?贵(?:一)?点(?:的)?|更贵(?:的|一些|些)?|更高端(?:的)?|好一点的?",
         "more expensive"),
        (r"(?:有没有)?(?:再|更)?大(?:一)?点(?:的)?|更大(?:的|一些|些)?", "bigger"),
        (r"(?:有没有)?(?:再|更)?小(?:一)?点(?:的)?|更小(?:的|一些|些)?", "smaller"),
        (r"(?:这些|这几个|这几款)?(?:里|中|里面|当中)?(?:哪个|哪款|哪一个)?最便宜(?:的)?(?:是哪个|是哪款)?",
         "which is the cheapest of these?"),
        (r"(?:这些|这几个|这几款)?(?:里|中|里面|当中)?(?:哪个|哪款|哪一个)?最贵(?:的)?(?:是哪个|是哪款)?",
         "which is the most expensive of these?"),
    )
)
_WHY = re.compile(rf"为什么(?:推荐|选|要)?(?:了)?{_ORDINAL}|{_ORDINAL}(?:为什么|怎么样|有什么好|"
                  r"的?(?:详情|详细信息|介绍)|好在哪)|(?:介绍|说说|讲讲)(?:一下)?" + _ORDINAL)
_LAST = re.compile(r"最后(?:一个|一款|那个)")
_COMPARE = re.compile(
    rf"(?:比较|对比|比一下|比一比)(?:一下)?\s*{_ORDINAL}\s*(?:和|与|跟|还有|、|,)\s*{_ORDINAL}"
    rf"|{_ORDINAL}\s*(?:和|与|跟)\s*{_ORDINAL}\s*(?:比较|对比|有什么区别|有啥区别|的区别|哪个好|哪个更好)")


def follow_up(text: str) -> str | None:
    """A whole message that is a follow-up, as its English form; None if it is none."""
    text = _LAST.sub("第-1个", text.strip())
    for pattern, english in FOLLOW_UPS:
        if pattern.match(text):
            return english
    if (m := _COMPARE.search(text)) is not None:
        a, b = [_position(g) for g in m.groups() if g is not None][:2]
        return f"compare {a} and {b}"
    if (m := _WHY.search(text)) is not None:
        (n,) = [_position(g) for g in m.groups() if g is not None][:1]
        return f"why {n}?"
    if "第-1个" in text and re.search(r"为什么|介绍|说说", text):
        return "why the last one?"
    return None


def _position(number: str) -> str:
    return "the last one" if number == "-1" else f"#{number}"


@dataclass(frozen=True, slots=True)
class Prices:
    text: str
    """The message with its price phrases in English ("under $50")."""
    yuan_rate: float | None
    """The rate a yuan amount was converted at (None: no amount was in yuan)."""


class PriceRewriter:
    """Price phrases -> English; ``rate``: yuan per unit of the catalog's currency."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def rewrite(self, text: str) -> Prices:
        used = False
        # "¥700" -> "700¥"; "$50" only beside Chinese ("$50以下"): "under $50" is English
        text = re.sub(rf"({_YUAN})\s*{_N}", r"\2\1", text, flags=re.I)
        text = re.sub(rf"(?<=[\u4e00-\u9fff])\s*(\$)\s*{_N}|(\$)\s*{_N}(?=\s*[\u4e00-\u9fff])",
                      lambda m: f"{m.group(2) or m.group(4)}$", text)

        def amount(number: str, currency: str | None) -> str:
            nonlocal used
            value = float(number)
            if currency is not None and re.fullmatch(_YUAN, currency, re.I):
                used = True
                value = round(value / self.rate, 2)
            return f"${value:g}"

        def rule(pattern: str, english: Callable[[re.Match[str]], str]) -> None:
            nonlocal text
            text = re.sub(pattern, lambda m: f" {english(m)} ", text, flags=re.I)

        cur = rf"\s*({_CUR})?"
        low_high = rf"{_N}{cur}{_UNIT_AHEAD}\s*(?:到|至|-|~|～|—)\s*{_N}{cur}{_UNIT_AHEAD}"
        rule(rf"(?:在|价格|价位|预算)?\s*{low_high}\s*(?:之间|以内|范围内|的)?",
             lambda m: _between(m, amount))
        rule(rf"(?:不超过|不高于|不到|低于|少于|小于|最多|最高|顶多|控制在|预算|在)\s*{_N}{cur}{_UNIT_AHEAD}"
             rf"\s*(?:以内|以下|之内|内)?",
             lambda m: f"under {amount(m.group(1), m.group(2))}")
        rule(rf"{_N}{cur}{_UNIT_AHEAD}\s*(?:以下|以内|之内|内|之下)",
             lambda m: f"under {amount(m.group(1), m.group(2))}")
        rule(rf"(?:超过|高于|多于|至少|不低于|大于|起码|最低)\s*{_N}{cur}{_UNIT_AHEAD}\s*(?:以上)?",
             lambda m: f"over {amount(m.group(1), m.group(2))}")
        rule(rf"{_N}{cur}{_UNIT_AHEAD}\s*(?:以上|起)",
             lambda m: f"over {amount(m.group(1), m.group(2))}")
        rule(rf"(?:大约|大概|差不多|约)?\s*{_N}\s*({_CUR})\s*(?:左右|上下)?|(?:大约|大概|差不多|约)\s*"
             rf"{_N}{_UNIT_AHEAD}(?:\s*(?:左右|上下))?|{_N}{_UNIT_AHEAD}\s*(?:左右|上下)",
             lambda m: _around(m, amount))
        return Prices(text, self.rate if used else None)


def _between(m: re.Match[str], amount: Callable[[str, str | None], str]) -> str:
    low, low_cur, high, high_cur = m.groups()
    currency = high_cur or low_cur  # "100到200美元": both are dollars
    return f"between {amount(low, low_cur or currency)} and {amount(high, currency)}"


def _around(m: re.Match[str], amount: Callable[[str, str | None], str]) -> str:
    groups = m.groups()
    number = next(g for g in (groups[0], groups[2], groups[3]) if g is not None)
    currency = groups[1]
    return f"around {amount(number, currency)}"


_MEASURES = (
    (r"(?:英寸|寸|吋)", " inch"), (r"(?:毫安时|毫安)", " mah"), (r"赫兹", " hz"), (r"瓦", " w"),
    (r"核", " core"), (r"厘米", " cm"), (r"毫米", " mm"), (r"米", " m"), (r"(?:千克|公斤)", " kg"),
    (r"(?:g|gb|G|GB)(?=[\u4e00-\u9fff\s]|$)", "gb"),
    (r"(?:t|tb|T|TB)(?=[\u4e00-\u9fff\s]|$)", "tb"),
)
_BATTERY = {"1": "d", "2": "c", "5": "aa", "7": "aaa"}


def measures(text: str) -> str:
    """"27寸" -> " 27 inch ", "16G内存" -> " 16gb 内存", "5号电池" -> " aa 电池"."""
    for unit, english in _MEASURES:
        text = re.sub(rf"{_N}\s*{unit}", rf" \1{english} ", text)
    return re.sub(r"(?<!\d)([1257])\s*号(?=\s*电池)",
                  lambda m: f" {_BATTERY[m.group(1)]} ", text)


_TRIGGERS = (
    (r"(?:不要|不想要|别要|别给我|除了|排除|不含|不考虑)", " not "),
    (r"(?:只要|只看|只想要|仅限|只买|就要|只选)", " only "),
    (r"(?:不带|没有|无需|不需要|不用)", " without "),
)


def triggers(text: str) -> str:
    """Chinese include/exclude words as the English ones the parser reads ("不要" -> "not")."""
    for pattern, english in _TRIGGERS:
        text = re.sub(pattern, english, text)
    return text
