# ruff: noqa: RUF001
"""Chinese reasons for English catalog items (``assistant.faithful``): the same facts are
checked as in an English reason (a price, another product's name or model, "the cheapest"),
Han written against Latin letters or digits splits there ("Logitech无线鼠标", "19.99美元"),
a yuan amount is refused for an item priced in dollars, and a brand written in Chinese (索尼)
is read as that brand."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from assistant.faithful import Cause, ReasonJudge, judge_reason
from assistant.prompts import INSTRUCTIONS
from shopchat.records import Product

M185 = Product(
    "m185", "Logitech M185 Wireless Mouse", "Compact wireless mouse, 12-month battery life",
    brand="Logitech", category="mouse", price=Decimal("19.99"), attributes={"colour": "Grey"})
MX = Product("mx3s", "Logitech MX Master 3S Mouse", "Quiet clicks, 8000 dpi sensor",
             brand="Logitech", category="mouse", price=Decimal("99.99"))
SONY = Product("vgp", "Sony VAIO VGP-BMS15 Mouse", brand="Sony", category="mouse",
               price=Decimal("29.50"))
DELL = Product("wm126", "Dell WM126 Wireless Mouse", brand="Dell", category="mouse",
               price=Decimal("9.99"), attributes={"colour": "Black"})
PAGE = [M185, MX, SONY, DELL]  # Dell is the cheapest, the MX Master the priciest
REQUEST = "无线鼠标"
XIAOMI = Product("mi", "Xiaomi Mi Wireless Mouse", brand="Xiaomi", category="mouse",
                 price=Decimal("69"), currency="CNY")


@dataclass(frozen=True)
class Case:
    name: str
    reason: str
    item: Product
    cause: Cause | None  # None: faithful
    request: str = REQUEST


CASES = [
    # "the cheapest": true of Dell, false of the M185
    *(Case(f"cheapest, true: {claim}", f"Dell WM126无线鼠标，{claim}", DELL, None)
      for claim in ("最便宜", "价格最低", "最低价", "最实惠", "最划算", "价格是最低的")),
    *(Case(f"cheapest, false: {claim}", f"Logitech M185无线鼠标，{claim}", M185,
           Cause.FALSE_COMPARISON)
      for claim in ("最便宜", "价格最低", "最低价", "最实惠", "最划算", "价格是最低的")),
    Case("cheapest, false, glued to the brand", "Logitech最便宜", M185, Cause.FALSE_COMPARISON),
    # "the priciest": true of the MX Master, false of the M185
    *(Case(f"priciest, true: {claim}", f"MX Master 3S，{claim}", MX, None)
      for claim in ("最贵", "价格最高", "最高价", "最昂贵")),
    *(Case(f"priciest, false: {claim}", f"M185鼠标，{claim}", M185, Cause.FALSE_COMPARISON)
      for claim in ("最贵", "价格最高", "最高价", "最昂贵")),
    Case("best value is no price claim", "M185无线鼠标，性价比最高", M185, None),
    Case("best reviewed is no price claim", "M185无线鼠标，评价最高", M185, None),
    # prices: its own, in dollars, glued or apart; a wrong one; a yuan amount
    Case("own price in 美元, glued", "无线鼠标 19.99美元", M185, None),
    Case("own price in 美元, apart", "Logitech M185，19.99 美元", M185, None),
    Case("own price with a dollar sign", "罗技M185，仅$19.99", M185, None),
    Case("own price rounded", "M185无线鼠标，约20美元", M185, None),
    Case("a wrong price in 美元", "M185无线鼠标，25美元", M185, Cause.FOREIGN_NUMBER),
    Case("another candidate's price", "M185无线鼠标，只要$9.99", M185, Cause.FOREIGN_NUMBER),
    Case("a yuan amount", "无线鼠标 19.99元", M185, Cause.FOREIGN_NUMBER),
    Case("a yuan amount, apart", "Logitech M185，19.99 元", M185, Cause.FOREIGN_NUMBER),
    Case("a yuan sign", "M185无线鼠标 ￥19.99", M185, Cause.FOREIGN_NUMBER),
    Case("人民币", "M185无线鼠标，人民币20", M185, Cause.FOREIGN_NUMBER),
    Case("块钱", "M185无线鼠标，20块钱", M185, Cause.FOREIGN_NUMBER),
    Case("RMB", "M185无线鼠标，20 RMB", M185, Cause.FOREIGN_NUMBER),
    Case("own yuan price of a CNY item", "小米无线鼠标，69元", XIAOMI, None),
    Case("own yuan price with a sign", "Xiaomi鼠标，￥69", XIAOMI, None),
    Case("a wrong yuan price of a CNY item", "Xiaomi鼠标，59元", XIAOMI, Cause.FOREIGN_NUMBER),
    # names: its own brand and model glued to Chinese; another candidate's
    Case("own brand glued", "Logitech无线鼠标", M185, None),
    Case("own model glued", "M185无线鼠标", M185, None),
    Case("own model glued after", "无线鼠标M185，续航12个月", M185, None),
    Case("own brand in Chinese and its model", "罗技M185无线鼠标", M185, None),
    Case("own brand in Chinese and Latin", "罗技Logitech鼠标", M185, None),
    Case("another candidate's model glued", "WM126无线鼠标", M185, Cause.FOREIGN_PRODUCT),
    Case("another candidate's model and brand", "Dell WM126无线鼠标", M185,
         Cause.FOREIGN_PRODUCT),
    Case("another candidate's brand glued", "Dell无线鼠标", M185, Cause.FOREIGN_BRAND),
    Case("another candidate's brand in Chinese", "M185，比索尼更轻巧", M185, Cause.FOREIGN_BRAND),
    Case("a brand in Chinese that is not on the page", "M185，华为同款", M185, Cause.UNKNOWN_NAME),
    Case("a brand in Chinese the shopper named", "M185，比索尼更轻巧", M185, None, "索尼鼠标"),
    Case("a brand name that is an everyday word", "Logitech M185，精美的设计", M185, None),
    Case("an invented name glued", "Gamera无线鼠标", M185, Cause.UNKNOWN_NAME),
    Case("a prompt id glued", "Logitech鼠标，比P3更好", M185, Cause.MARKUP),
    Case("another candidate's colour glued", "Black无线鼠标", M185, Cause.FOREIGN_ATTRIBUTE),
    Case("own colour glued", "Grey无线鼠标，Logitech", M185, None),
    # all Chinese, nothing of its own item: refused (a composed Chinese reason replaces it)
    Case("all Chinese", "罗技无线鼠标，价格实惠", M185, Cause.NO_OWN_FACT),
    Case("all Chinese, no brand", "小巧轻便，适合办公", M185, Cause.NO_OWN_FACT),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_chinese_reason_is_judged_against_its_own_item(case: Case) -> None:
    others = [p for p in PAGE if p is not case.item]
    verdict = judge_reason(case.reason, case.item, others, case.request, INSTRUCTIONS)
    assert (verdict.cause if verdict else None) == case.cause, verdict
    if verdict is not None:
        assert verdict.detail


def test_a_yuan_amount_says_what_was_said() -> None:
    verdict = judge_reason("无线鼠标 19.99元", M185, [DELL], REQUEST)
    assert verdict is not None and verdict.detail.startswith("19.99元")
    assert "USD" in verdict.detail


def test_a_chinese_brand_names_the_candidate() -> None:
    verdict = judge_reason("M185，比索尼更轻巧", M185, PAGE[1:], REQUEST)
    assert verdict is not None and "索尼 (Sony)" in verdict.detail and "VAIO" in verdict.detail


ENGLISH = [
    # the English checks are unchanged (the same reasons as in test_faithful)
    ("The cheapest Sony mouse", SONY, Cause.FALSE_COMPARISON),
    ("Cheapest Dell WM126 mouse", DELL, None),
    ("Most expensive Logitech M185", M185, Cause.FALSE_COMPARISON),
    ("Dell mouse", M185, Cause.FOREIGN_BRAND),
    ("Logitech M185 for $9.99", M185, Cause.FOREIGN_NUMBER),
    ("Logitech M185 for $19.99", M185, None),
    ("Logitech M185, better than P3", M185, Cause.MARKUP),
]


@pytest.mark.parametrize(("reason", "item", "cause"), ENGLISH, ids=[r for r, _, _ in ENGLISH])
def test_english_reasons_on_the_same_page(reason: str, item: Product, cause: Cause | None) -> None:
    verdict = ReasonJudge("wireless mouse", PAGE, INSTRUCTIONS).judge(reason, item)
    assert (verdict.cause if verdict else None) == cause, verdict
