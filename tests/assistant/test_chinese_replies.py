"""A Chinese shopper's replies are Chinese: the page's message, the composed reasons, the
answers about shown items, the fixed replies. Catalog text (titles, brands, spec labels) and
prices stay as the catalog has them, and the English replies to the same inputs are unchanged.
Pure functions over small pages, plus turns through the real pipeline with a scripted model."""

from __future__ import annotations

import dataclasses
import json
import re
import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from assistant import AnswerEvent
from assistant.answer import Answer, AnswerItem
from assistant.followups import compare, why
from assistant.intents import Intent
from assistant.llm.base import Message
from assistant.messages import (
    Findings,
    Relaxed,
    constraint_words,
    degraded_note,
    results_message,
)
from assistant.personal import recommend_message
from assistant.phrases import PHRASES, phrase
from assistant.prompts import REASON_PATTERN, ranking_schema, rerank_messages
from assistant.reasons import compose_reasons, short_title
from assistant.rerank import RerankConfig, rerank
from assistant.service import Assistant
from assistant.turn import TurnContext
from retrieval.specs.constraint import SpecConstraint, SpecKind
from retrieval.types import Candidate, Filters, Relaxation
from shopchat.language import Language, has_han
from shopchat.records import Product
from tests.fakes import ScriptedLLM


def item(pid: str, title: str, price: float | None, brand: str = "Acme", **attrs: str) -> Product:
    return Product(pid, title, brand=brand, price=None if price is None else Decimal(str(price)),
                   category="mice", attributes=attrs)


MICE = [
    item("m1", "Acme Wireless Optical Mouse", 24.99),
    item("m2", "Acme Optical Mouse USB", 12.0),
    item("m3", "Logitech Silent Gaming Mouse", 39.5, brand="Logitech"),
]
CABLES = [item("c1", "USB cable 1 m", 0.95), item("c2", "Gender adapter", 0.99)]
DIAGONAL = SpecConstraint("display_diagonal", SpecKind.NUMBER, "27 inch display diagonal")
NEAREST = dataclasses.replace(DIAGONAL, label="24 inch display diagonal")

ENGLISH_TEMPLATE_WORDS = ("Best match", "cheapest", "matches", "Nothing", "Closest", "Without",
                          "mention", "ask for", "price not listed", "Why it is here")
NAMES = sorted({*(p.title for p in MICE + CABLES), *(short_title(p.title) for p in MICE),
                "Acme", "Logitech", "mice", DIAGONAL.label, NEAREST.label,
                "SanDisk", "Hp", "Razer", "timeout: no answer in 5s", "dpi: 1600"},
               key=len, reverse=True)
"""Text the catalog, the shopper or the machinery wrote: said as it is in any language."""


def assert_chinese(text: str) -> None:
    """Han characters, no English template words, and no English left once the quoted words,
    the names (``NAMES``) and the prices are taken out."""
    assert has_han(text), text
    assert not [w for w in ENGLISH_TEMPLATE_WORDS if w in text], text
    rest = re.sub(r"\u201c[^\u201d]*\u201d", " ", text)
    for name in NAMES:
        rest = rest.replace(name, " ")
    assert not re.findall(r"[A-Za-z]{2,}", rest), (rest, text)
    assert not re.search(r"[A-Za-z0-9][.,:;] |\(|\)", rest), text  # Chinese punctuation


Render = Callable[[Language], str]

MESSAGES: list[tuple[str, Render, str, str]] = [
    (
        "best match and its trade-off",
        lambda lang: results_message("wireless mouse", Filters(price_max=50.0), MICE,
                                     lang=lang),
        "Best match for \u201cwireless mouse\u201d (under $50): Acme Wireless Optical Mouse "
        "($24.99). The Acme Optical Mouse USB is cheaper ($12.00) but does not mention "
        "\u201cwireless\u201d.",
        "最符合\u201cwireless mouse\u201d（50美元以下）的是：Acme Wireless Optical Mouse"
        "（$24.99）。Acme Optical Mouse USB更便宜（$12.00），但没有提到\u201cwireless\u201d。",
    ),
    (
        "the shopper's own words quoted",
        lambda lang: results_message("wireless mouse", Filters(price_max=50.0), MICE[:1],
                                     lang=lang, said="无线鼠标" if lang == "zh" else ""),
        "Best match for \u201cwireless mouse\u201d (under $50): Acme Wireless Optical Mouse "
        "($24.99).",
        "最符合\u201c无线鼠标\u201d（50美元以下）的是：Acme Wireless Optical Mouse（$24.99）。",
    ),
    (
        "a brand the catalog lacks",
        lambda lang: results_message("usb mouse", Filters(), MICE, lang=lang,
                                     findings=Findings(unknown_brands=("SanDisk",))),
        "No SanDisk products here; the closest to \u201cusb mouse\u201d: Acme Wireless Optical "
        "Mouse ($24.99). The Acme Optical Mouse USB matches \u201cusb\u201d and is cheaper "
        "($12.00).",
        "这里没有SanDisk的商品，最接近\u201cusb mouse\u201d的是：Acme Wireless Optical Mouse"
        "（$24.99）。Acme Optical Mouse USB也符合\u201cusb\u201d，而且更便宜（$12.00）。",
    ),
    (
        "brands asked for and excluded",
        lambda lang: results_message(
            "mouse Logitech", Filters(price_min=100.0, price_max=200.0,
                                      brands=frozenset({"logitech"}),
                                      exclude_brands=frozenset({"hp"})),
            MICE[2:], lang=lang, findings=Findings(unknown_excluded=("Razer",))),
        "Best match for \u201cmouse\u201d (between $100 and $200, by Logitech, not Hp or Razer): "
        "Logitech Silent Gaming Mouse ($39.50).",
        "最符合\u201cmouse\u201d（100到200美元之间，只要Logitech，不要Hp或Razer）的是：Logitech "
        "Silent Gaming Mouse（$39.50）。",
    ),
    (
        "words no product has",
        lambda lang: results_message("netflix", Filters(), MICE, lang=lang, findings=Findings(
            unknown_words=("netflix",), catalog_words=False)),
        "No product here mentions \u201cnetflix\u201d, so these are only close in meaning. "
        "Closest: Acme Wireless Optical Mouse ($24.99). The Acme Optical Mouse USB is cheaper "
        "($12.00).",
        "这里没有商品提到\u201cnetflix\u201d，这些只是意思相近。最接近的是：Acme Wireless Optical "
        "Mouse（$24.99）。Acme Optical Mouse USB更便宜（$12.00）。",
    ),
    (
        "no words at all",
        lambda lang: results_message("???", Filters(), [], lang=lang,
                                     findings=Findings(catalog_words=False)),
        "\u201c???\u201d has no words I can search for. Tell me what you are looking for, e.g. "
        "\u201cwireless mouse under $30\u201d.",
        "\u201c???\u201d里没有可以搜索的词。请告诉我您想找什么，例如\u201c30美元以下的无线鼠标\u201d。",
    ),
    (
        "the price emptied the page",
        lambda lang: results_message(
            "wireless mouse", Filters(price_max=5.0), [], lang=lang,
            findings=Findings(relaxed=Relaxed("price", MICE, "wireless mouse under $12"))),
        "Nothing matches \u201cwireless mouse\u201d (under $5). Without the price limit, the "
        "cheapest match is Acme Optical Mouse USB ($12.00): ask for \u201cwireless mouse under "
        "$12\u201d to see more.",
        "没有符合\u201cwireless mouse\u201d（5美元以下）的商品。不限价格的话，最便宜的是Acme "
        "Optical Mouse USB（$12.00）。可以搜索\u201cwireless mouse under $12\u201d查看更多。",
    ),
    (
        "the brand emptied the page",
        lambda lang: results_message(
            "mouse Logitech", Filters(price_max=50.0, brands=frozenset({"logitech"})), [],
            lang=lang, findings=Findings(relaxed=Relaxed("brand", MICE[:1], ""))),
        "Nothing matches \u201cmouse\u201d (under $50, by Logitech). Without the brand "
        "constraint, the best match is Acme Wireless Optical Mouse ($24.99).",
        "没有符合\u201cmouse\u201d（50美元以下，只要Logitech）的商品。去掉品牌条件后，最符合的是"
        "Acme Wireless Optical Mouse（$24.99）。",
    ),
    (
        "nothing even relaxed",
        lambda lang: results_message("mouse", Filters(price_max=5.0), [], lang=lang),
        "Nothing matches \u201cmouse\u201d (under $5), even with one constraint dropped. Try "
        "fewer constraints, or say \u201cstart over\u201d.",
        "没有符合\u201cmouse\u201d（5美元以下）的商品，去掉任何一个条件也没有。请减少条件，或者说"
        "\u201c重新开始\u201d。",
    ),
    (
        "items, none with a word asked for",
        lambda lang: results_message(
            "wireless mouse", Filters(price_max=1.0), CABLES, lang=lang,
            findings=Findings(relaxed=Relaxed("price", MICE, "wireless mouse under $12"))),
        "Nothing under $1 mentions \u201cwireless\u201d or \u201cmouse\u201d, so these are only "
        "close in meaning. Closest: USB cable 1 m ($0.95). Without the price limit, the cheapest "
        "match is Acme Optical Mouse USB ($12.00): ask for \u201cwireless mouse under $12\u201d "
        "to see more.",
        "符合条件（1美元以下）的商品都没有提到\u201cwireless\u201d或\u201cmouse\u201d，这些只是意思"
        "相近。最接近的是：USB cable 1 m（$0.95）。不限价格的话，最便宜的是Acme Optical Mouse USB"
        "（$12.00）。可以搜索\u201cwireless mouse under $12\u201d查看更多。",
    ),
    (
        "more, and words none of them has",
        lambda lang: results_message("quiet mouse", Filters(), MICE[1:], more=True, lang=lang),
        "More for \u201cquiet mouse\u201d; the best of these: Acme Optical Mouse USB ($12.00). "
        "None of them mentions \u201cquiet\u201d.",
        "更多符合\u201cquiet mouse\u201d的商品，其中最符合的是：Acme Optical Mouse USB（$12.00）。"
        "它们都没有提到\u201cquiet\u201d。",
    ),
    (
        "no more",
        lambda lang: results_message("mouse", Filters(), [], more=True, lang=lang),
        "I found no more matches for \u201cmouse\u201d.",
        "没有更多符合\u201cmouse\u201d的商品了。",
    ),
    (
        "a spec met only by the nearest value",
        lambda lang: results_message("monitor", Filters(), [], lang=lang, findings=Findings(
            spec_relaxed=(Relaxation(DIAGONAL, NEAREST), Relaxation(DIAGONAL, None)))),
        "Nothing matches \u201c27 inch display diagonal\u201d; the closest: 24 inch display "
        "diagonal. Nothing matches \u201c27 inch display diagonal\u201d. I found no matches for "
        "\u201cmonitor\u201d.",
        "没有符合\u201c27 inch display diagonal\u201d的商品，最接近的是：24 inch display diagonal。"
        "没有符合\u201c27 inch display diagonal\u201d的商品。"
        "没有找到符合\u201cmonitor\u201d的商品。",
    ),
    (
        "degraded note",
        lambda lang: degraded_note("timeout: no answer in 5s", lang),
        "\n\n_Ranked by search relevance only: the language model was not usable (timeout: no "
        "answer in 5s)._",
        "\n\n_仅按搜索相关度排序：语言模型暂不可用（timeout: no answer in 5s）。_",
    ),
    (
        "why this item",
        lambda lang: why(2, item("m2", "Acme Optical Mouse USB", 12.0, dpi="1600"), "", lang),
        "**#2 Acme Optical Mouse USB** (by Acme, $12.00, mice)\n\nDetails: dpi: 1600",
        "**#2 Acme Optical Mouse USB**（Acme，$12.00，mice）\n\n参数：dpi: 1600",
    ),
    (
        "compare",
        lambda lang: compare([(1, MICE[0]), (2, item("x", "Acme Pad", None))], lang),
        "| | #1 | #2 |\n|---|---|---|\n| title | Acme Wireless Optical Mouse | Acme Pad |\n"
        "| brand | Acme | Acme |\n| price | $24.99 | price not listed |\n| type | mice | mice |",
        "| | #1 | #2 |\n|---|---|---|\n| 标题 | Acme Wireless Optical Mouse | Acme Pad |\n"
        "| 品牌 | Acme | Acme |\n| 价格 | $24.99 | 未标价 |\n| 类型 | mice | mice |",
    ),
]


@pytest.mark.parametrize(("render", "english", "chinese"),
                         [pytest.param(*case[1:], id=case[0]) for case in MESSAGES])
def test_each_message_in_both_languages(render: Render, english: str, chinese: str) -> None:
    assert render("en") == english
    said = render("zh")
    assert said == chinese
    assert_chinese(said.replace("Acme Pad", ""))


def test_reasons_are_composed_in_chinese_from_the_same_facts() -> None:
    past = {"m3": "one you bought before"}
    english = compose_reasons("wireless mouse", MICE, past)
    chinese = compose_reasons("wireless mouse", MICE, {"m3": "您买过"}, lang="zh")
    assert english == [
        "Matches \u201cwireless mouse\u201d, by Acme at $24.99, the only one here mentioning "
        "\u201cwireless\u201d.",
        "Matches \u201cmouse\u201d (not \u201cwireless\u201d), by Acme at $12.00, the cheapest "
        "here.",
        "Matches \u201cmouse\u201d (not \u201cwireless\u201d), by Logitech at $39.50, one you "
        "bought before and the priciest here.",
    ]
    assert chinese == [
        "符合\u201cwireless mouse\u201d，Acme，$24.99，本页只有它提到\u201cwireless\u201d。",
        "符合\u201cmouse\u201d（未提到\u201cwireless\u201d），Acme，$12.00，本页最便宜。",
        "符合\u201cmouse\u201d（未提到\u201cwireless\u201d），Logitech，$39.50，您买过，本页最贵。",
    ]
    for reason in chinese:
        assert_chinese(reason)
    met = compose_reasons("monitor", MICE[:1], met=[DIAGONAL.label], lang="zh")
    assert met == ["符合\u201c27 inch display diagonal\u201d，Acme，$24.99。"]
    assert compose_reasons("", [item("x", "Thing", None, brand="")], lang="zh") == [
        "已列入商品目录。"]


def test_the_chinese_constraints_read_as_a_shopper_says_them() -> None:
    filters = Filters(price_max=50.0, categories=frozenset({"mice", "laptops"}),
                      exclude_categories=frozenset({"tablets"}))
    assert constraint_words(filters, lang="zh") == [
        "50美元以下", "只看laptops、mice", "排除tablets"]
    assert constraint_words(Filters(price_min=20.0), "£", lang="zh") == ["20英镑以上"]
    assert constraint_words(Filters(price_min=20.0), lang="en") == ["over $20"]


def test_every_phrase_has_both_languages_with_the_same_fields() -> None:
    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for key, (english, chinese) in PHRASES.items():
        assert fields(english) == fields(chinese), key
        if key != "and" and re.search(r"[A-Za-z]{3,}", english.format_map(_Blank())):
            assert has_han(chinese), key  # words get Chinese words; joints get punctuation


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def test_recommendations_and_the_busy_reply_in_chinese() -> None:
    top = AnswerItem(id="m1", title="Acme Wireless Optical Mouse", reason="您买过。")
    assert recommend_message([top], "zh") == (
        "根据您的历史记录为您挑选了1件商品。首选：Acme Wireless Optical Mouse\u2014\u2014您买过。")
    assert recommend_message([], "zh") == phrase("zh", "recommend_none")
    assert phrase("zh", "busy") == "助手正忙，请稍后再试。"


# -- the model stage ---------------------------------------------------------------------------


def _lines(messages: list[Message]) -> list[tuple[str, str]]:
    """(alias, title) of each product line the model was shown."""
    lines = json.loads(messages[-1]["content"])["products"]
    return [(alias, rest.split(" (")[0]) for alias, rest in (ln.split(": ", 1) for ln in lines)]


def english_ranker(messages: list[Message], schema: dict[str, Any]) -> str:
    """Faithful English reasons (the title's first words), in retrieval order."""
    return json.dumps({"ranking": [[a, " ".join(t.split()[:2])] for a, t in _lines(messages)]})


def chinese_ranker(messages: list[Message], schema: dict[str, Any]) -> str:
    """Faithful Chinese reasons: the title's first word and Chinese words around it."""
    return json.dumps({"ranking": [[a, f"{t.split()[0]} 值得购买"] for a, t in _lines(messages)]})


def test_the_prompt_and_schema_ask_a_chinese_shopper_for_chinese_reasons() -> None:
    pool = [(f"P{i}", Candidate(p, 1.0, i)) for i, p in enumerate(MICE, start=1)]
    english = rerank_messages("wireless mouse", {}, pool)
    chinese = rerank_messages("wireless mouse", {}, pool, lang="zh")
    assert "Chinese" not in english[0]["content"]
    assert chinese[0]["content"].startswith(english[0]["content"])  # the cached prefix stays
    assert "Simplified Chinese" in chinese[0]["content"] and chinese[1] == english[1]
    pattern = ranking_schema(["P1"], 1, "zh")["properties"]["ranking"]["items"][
        "prefixItems"][1]["pattern"]
    assert pattern != REASON_PATTERN
    assert re.fullmatch(pattern, "Acme 无线鼠标，$24.99") and not re.fullmatch(pattern, "无" * 26)
    assert not re.fullmatch(pattern, "\u201c无线\u201d")  # no quotes: no JSON debris


@pytest.mark.parametrize(("ranker", "source"), [(english_ranker, "composed"),
                                                (chinese_ranker, "model")])
def test_rerank_keeps_only_chinese_reasons_for_a_chinese_shopper(ranker: Any,
                                                                 source: str) -> None:
    pool = [Candidate(p, 1.0 - i / 10, i + 1) for i, p in enumerate(MICE)]
    ranked = rerank(ScriptedLLM([ranker]), "wireless mouse", {}, pool, RerankConfig(),
                    timeout_s=5, max_tokens=512, lang="zh")
    assert not ranked.degraded and not ranked.refused
    assert all(has_han(r.reason) for r in ranked.items)
    assert {("composed" if r.composed else "model") for r in ranked.items} == {source}
    if source == "composed":  # the English reasons were good, only not Chinese
        assert all("not Chinese" in p for p in ranked.problems)
        english = rerank(ScriptedLLM([ranker]), "wireless mouse", {}, pool, RerankConfig(),
                         timeout_s=5, max_tokens=512)
        assert not any(r.composed for r in english.items)


def _turn(bot: Assistant, text: str, language: Language, session_id: str | None = None) -> Answer:
    """One turn through the pipeline, routed as usual and then read as ``language`` (route
    translates a Chinese message; these tests give it the English reading)."""
    pipeline = bot.pipeline
    session = bot.sessions.load("zh-user", session_id).session
    ctx: TurnContext = dataclasses.replace(pipeline.route(session, text), language=language)
    events = list(pipeline.handle(ctx))
    assert isinstance(events[-1], AnswerEvent)
    return events[-1].answer


def test_a_chinese_turn_composes_chinese_reasons_for_english_model_reasons(
        make_assistant: Any) -> None:
    bot = make_assistant(ScriptedLLM([english_ranker] * 2))
    english = _turn(bot, "smartphone under $1000", "en")
    chinese = _turn(bot, "smartphone under $1000", "zh")
    assert [i.id for i in chinese.items] == [i.id for i in english.items]
    assert english.message.startswith("Best match for \u201csmartphone\u201d (under $1000, in ")
    assert all(i.reason_source == "model" for i in english.items)
    assert chinese.message.startswith(
        "最符合\u201csmartphone\u201d（1000美元以下，只看smartphones）的是：")
    assert chinese.items and all(i.reason_source == "composed" and has_han(i.reason)
                                 for i in chinese.items)
    assert not chinese.degraded and not chinese.refused_reasons
    for text in (chinese.message, *(i.reason for i in chinese.items)):
        assert has_han(text) and not [w for w in ENGLISH_TEMPLATE_WORDS if w in text], text
        assert all(f"${i.price:,.2f}" in chinese.message for i in chinese.items[:1])


def test_a_chinese_shopper_gets_chinese_fixed_replies(make_assistant: Any) -> None:
    bot = make_assistant(None)
    first = _turn(bot, "smartphone under $1000", "zh")
    assert has_han(first.message)  # no model: composed reasons, no degraded note
    assert all(has_han(i.reason) for i in first.items)
    sid = first.session_id
    replies = {
        Intent.WHY: _turn(bot, "why #1", "zh", sid).message,
        Intent.COMPARE: _turn(bot, "compare 1 and 2", "zh", sid).message,
        Intent.CHEAPEST: _turn(bot, "what is the cheapest of these?", "zh", sid).message,
        Intent.PRICIEST: _turn(bot, "which is the most expensive?", "zh", sid).message,
        Intent.TOO_LONG: _turn(bot, "x" * 2000, "zh", sid).message,
        "missing": _turn(bot, "why #20", "zh", sid).message,
        Intent.RESET: _turn(bot, "start over", "zh", sid).message,
    }
    assert replies[Intent.WHY].startswith("**#1 ") and "推荐理由：" in replies[Intent.WHY]
    assert "| 价格 |" in replies[Intent.COMPARE]
    assert replies[Intent.CHEAPEST].startswith("其中最便宜的是#")
    assert replies[Intent.PRICIEST].startswith("其中最贵的是#")
    assert replies["missing"] == f"我只展示了{len(first.items)}件商品，没有#20。"
    assert replies[Intent.RESET] == "好的，重新开始。您想找什么？"
    for key, message in replies.items():
        assert has_han(message), key
        assert not [w for w in ENGLISH_TEMPLATE_WORDS if w in message], (key, message)
    # an empty message has no language of its own: the shopper's last message decides
    assert _turn(bot, "", "en", sid).message == phrase("en", "ask_what")  # "start over"
    bot.sessions.load("zh-user", sid).session.remember("手机", "…", 8)
    assert _turn(bot, "", "en", sid).message == phrase("zh", "ask_what")


def test_llama_cpp_builds_a_grammar_from_the_chinese_schema() -> None:
    """The local backend turns the schema into a llama.cpp grammar (as ``LocalLLM`` does)."""
    from llama_cpp import LlamaGrammar

    schema = json.dumps(ranking_schema(["P1", "P2"], 2, "zh"), sort_keys=True)
    grammar = LlamaGrammar.from_json_schema(schema, verbose=False)
    assert "\u4e00-\u9fff" in grammar._grammar  # the Han range reached the grammar


def test_a_chinese_message_is_answered_in_chinese_end_to_end(make_assistant: Any) -> None:
    """Route reads the Chinese (``retrieval.chinese``); the reply quotes the shopper's own
    words when they are all request, else the English reading beside the constraints."""
    bot = make_assistant(ScriptedLLM([english_ranker] * 2))
    phone = bot.ask("zh-user", "手机")
    assert phone.message.startswith("最符合\u201c手机\u201d（只看smartphones）的是：")
    under = bot.ask("zh-user", "1000美元以下的手机")
    assert under.message.startswith(
        "最符合\u201csmartphone\u201d（1000美元以下，只看smartphones）的是：")
    for answer in (phone, under):
        assert answer.items and all(i.reason_source == "composed" and has_han(i.reason)
                                    for i in answer.items)
        assert not [w for w in ENGLISH_TEMPLATE_WORDS if w in answer.message]
