"""The assistant's own words, in each language it answers in: one phrasebook.

Every sentence the assistant composes is a template here, looked up by key and language
(``phrase("zh", "best_match", scope=..., item=...)``); the code that decides what to say is
shared, only the words differ. Catalog text (titles, brands, attribute values, spec labels)
is filled in as the catalog has it, and prices keep the catalog's format ($19.99).

Chinese reads as a JD.com assistant writes: concise, with Chinese punctuation (，。：“”), no
spaces between sentences. Quotes are the same curly quotes in both languages.
"""
# ruff: noqa: RUF001, RUF002  (the Chinese phrases' punctuation is fullwidth by design)

from __future__ import annotations

from collections.abc import Iterable

from shopchat.language import Language

_COLUMN: dict[Language, int] = {"en": 0, "zh": 1}

PHRASES: dict[str, tuple[str, str]] = {
    # -- joining words ----------------------------------------------------------------------
    "or": (" or ", "或"),
    "and": (" and ", "，"),
    "comma": (", ", "，"),
    "enumeration": (", ", "、"),
    "sentence_gap": (" ", ""),
    "end": (".", "。"),
    "where": (" ({where})", "（{where}）"),
    # -- constraints, as a shopper says them ------------------------------------------------
    "price_between": ("between {pre}{low}{post} and {pre}{high}{post}",
                      "{pre}{low}到{pre}{high}{post}之间"),
    "price_under": ("under {pre}{amount}{post}", "{pre}{amount}{post}以下"),
    "price_over": ("over {pre}{amount}{post}", "{pre}{amount}{post}以上"),
    "by_brands": ("by {brands}", "只要{brands}"),
    "not_brands": ("not {brands}", "不要{brands}"),
    "in_categories": ("in {categories}", "只看{categories}"),
    "excluding_categories": ("excluding {categories}", "排除{categories}"),
    "constraint_price": ("price", "价格"),
    "constraint_brand": ("brand", "品牌"),
    "constraint_category": ("category", "类别"),
    "constraint_exclusions": ("exclusions", "排除"),
    # -- a page's message -------------------------------------------------------------------
    "any_products": ("products", "您的条件"),
    "best_match": ("Best match for {scope}: {item}.", "最符合{scope}的是：{item}。"),
    "more_lead": ("More for {scope}; the best of these: {item}.",
                  "更多符合{scope}的商品，其中最符合的是：{item}。"),
    "no_brand_lead": ("No {brands} products here; the closest to {scope}: {item}.",
                      "这里没有{brands}的商品，最接近{scope}的是：{item}。"),
    "closest": ("Closest: {item}.", "最接近的是：{item}。"),
    "close_only": ("No product here mentions {words}, so these are only close in meaning.",
                   "这里没有商品提到{words}，这些只是意思相近。"),
    "close_only_where": ("Nothing {where} mentions {words}, so these are only close in meaning.",
                         "符合条件（{where}）的商品都没有提到{words}，这些只是意思相近。"),
    "unknown_words": ("Nothing here mentions {words}.", "这里没有商品提到{words}。"),
    "none_mention": ("None of them mentions {words}.", "它们都没有提到{words}。"),
    "spec_problem": ("{problem}.", "这个规格无法匹配：{problem}。"),
    "spec_nearest": ("Nothing matches \u201c{asked}\u201d; the closest: {used}.",
                     "没有符合\u201c{asked}\u201d的商品，最接近的是：{used}。"),
    "spec_none": ("Nothing matches \u201c{asked}\u201d.", "没有符合\u201c{asked}\u201d的商品。"),
    "no_words": ("{said} has no words I can search for.", "{said}里没有可以搜索的词。"),
    "ask_what": ("Tell me what you are looking for, e.g. \u201cwireless mouse under $30\u201d.",
                 "请告诉我您想找什么，例如\u201c30美元以下的无线鼠标\u201d。"),
    "nothing_to_continue": (
        "There is nothing to show more of yet: tell me what you are looking for, e.g. "
        "\u201cwireless mouse under $30\u201d.",
        "还没有可以继续看的商品：请告诉我您想找什么，例如\u201c30美元以下的无线鼠标\u201d。"),
    "no_more": ("I found no more matches for {scope}.", "没有更多符合{scope}的商品了。"),
    "no_matches": ("I found no matches for {scope}.", "没有找到符合{scope}的商品。"),
    "nothing_even_relaxed": (
        "Nothing matches {scope}, even with one constraint dropped. Try fewer constraints, or "
        "say \u201cstart over\u201d.",
        "没有符合{scope}的商品，去掉任何一个条件也没有。请减少条件，或者说\u201c重新开始\u201d。"),
    "nothing_matches": ("Nothing matches {scope}.", "没有符合{scope}的商品。"),
    "without_price_cheapest": ("Without the price limit, the cheapest match is {item}",
                               "不限价格的话，最便宜的是{item}"),
    "without_price_priciest": ("Without the price limit, the priciest match is {item}",
                               "不限价格的话，最贵的是{item}"),
    "without_constraint": ("Without the {dropped} constraint, the best match is {item}",
                           "去掉{dropped}条件后，最符合的是{item}"),
    "ask_for": (": ask for \u201c{suggestion}\u201d to see more.",
                "。可以搜索\u201c{suggestion}\u201d查看更多。"),
    "cards_pointer_one": ("1 item under Recommendations: ask \u201cwhy this one?\u201d or "
                          "\u201cmore\u201d.",
                          "推荐列表里有1件商品：可以问\u201c为什么推荐这个\u201d或说\u201c再来一些\u201d。"),
    "cards_pointer": ("{count} items, numbered 1 to {count} under Recommendations: ask "
                      "\u201cwhy the second one?\u201d or \u201ccompare 1 and 2\u201d.",
                      "推荐列表里有{count}件商品，编号1到{count}：可以问\u201c为什么推荐第二个\u201d"
                      "或\u201c比较1和2\u201d。"),
    "yuan_rate": ("Amounts in yuan are converted at {rate} yuan to the dollar.",
                  "金额按1美元={rate}元换算。"),
    "unreadable": (
        "I read English and Chinese; \u201c{said}\u201d looks like Japanese. Tell me what you "
        "are looking for in English or Chinese, e.g. \u201cwireless mouse under $30\u201d.",
        "我能读懂中文和英文；\u201c{said}\u201d看起来是日文。请用中文或英文告诉我您想找什么，"
        "例如\u201c30美元以下的无线鼠标\u201d。"),
    "no_catalog_words": (
        "No product here is described by the words of \u201c{said}\u201d.",
        "本店没有商品用到\u201c{said}\u201d里的词，请换个说法，例如商品的类别或品牌。"),
    "degraded": ("\n\n_Ranked by search relevance only: the language model was not usable "
                 "({reason})._",
                 "\n\n_仅按搜索相关度排序：语言模型暂不可用（{reason}）。_"),
    # -- an item's reason -------------------------------------------------------------------
    "price_not_listed": ("price not listed", "未标价"),
    "fit": ("matches \u201c{words}\u201d", "符合\u201c{words}\u201d"),
    "fit_not": (" (not \u201c{words}\u201d)", "（未提到\u201c{words}\u201d）"),
    "fit_met": ("{spec}", "符合\u201c{spec}\u201d"),
    "fit_meaning": ("a match by meaning only", "意思相近"),
    "by_brand": ("by {brand}", "{brand}"),
    "at_price": ("at {price}", "{price}"),
    "brand_price_gap": (" ", "，"),
    "only_brand": ("the only {brand} here", "本页唯一的{brand}"),
    "only_mention": ("the only one here mentioning \u201c{word}\u201d",
                     "本页只有它提到\u201c{word}\u201d"),
    "two_mention": ("one of two here mentioning \u201c{word}\u201d",
                    "本页只有两件提到\u201c{word}\u201d"),
    "cheapest_here": ("the cheapest here", "本页最便宜"),
    "priciest_here": ("the priciest here", "本页最贵"),
    "most_capacity": ("the largest capacity here ({size})", "本页容量最大（{size}）"),
    "most_screen": ("the biggest screen here ({size})", "本页屏幕最大（{size}）"),
    "listed": ("Listed in the catalog.", "已列入商品目录。"),
    # -- the page's one trade-off -----------------------------------------------------------
    "also_matches": ("The {title} matches \u201c{words}\u201d too.",
                     "{title}也符合\u201c{words}\u201d。"),
    "also_matches_cheaper": ("The {title} matches \u201c{words}\u201d and is cheaper ({price}).",
                             "{title}也符合\u201c{words}\u201d，而且更便宜（{price}）。"),
    "also_matches_costs": ("The {title} matches \u201c{words}\u201d but costs {price}.",
                           "{title}也符合\u201c{words}\u201d，但售价{price}。"),
    "cheaper": ("The {title} is cheaper ({price}){gives_up}.",
                "{title}更便宜（{price}）{gives_up}。"),
    "gives_up_word": (" but does not mention \u201c{word}\u201d", "，但没有提到\u201c{word}\u201d"),
    "gives_up_capacity": (" but has less capacity ({size})", "，但容量更小（{size}）"),
    "gives_up_screen": (" but has a smaller screen ({size})", "，但屏幕更小（{size}）"),
    "matches_too": (" and matches \u201c{words}\u201d too", "，也符合\u201c{words}\u201d"),
    "bigger_capacity": ("The {title} has more capacity ({size}){costs}.",
                        "{title}容量更大（{size}）{costs}。"),
    "bigger_screen": ("The {title} has a bigger screen ({size}){costs}.",
                      "{title}屏幕更大（{size}）{costs}。"),
    "but_costs": (" but costs {price}", "，但售价{price}"),
    "also_cheapest": ("It is also the cheapest here.", "它也是本页最便宜的。"),
    # -- questions about items shown --------------------------------------------------------
    "why_header": ("**{label}** ({facts})", "**{label}**（{facts}）"),
    "why_reason": ("Why it is here: {reason}", "推荐理由：{reason}"),
    "why_about": ("From the catalog: {about}", "商品描述：{about}"),
    "why_details": ("Details: {details}", "参数：{details}"),
    "details_gap": ("; ", "；"),
    "row_title": ("title", "标题"),
    "row_brand": ("brand", "品牌"),
    "row_price": ("price", "价格"),
    "row_type": ("type", "类型"),
    "compare_cheapest": ("\n\nCheapest: #{pos}.", "\n\n最便宜：#{pos}。"),
    "cheapest_of": ("The cheapest of these is #{pos} {title} at {price}.",
                    "其中最便宜的是#{pos} {title}，售价{price}。"),
    "priciest_of": ("The most expensive of these is #{pos} {title} at {price}.",
                    "其中最贵的是#{pos} {title}，售价{price}。"),
    "no_prices": ("None of the shown items lists a price.", "展示的商品都没有标价。"),
    "no_such_item": ("I only showed {count} items; there is no #{pos}.",
                     "我只展示了{count}件商品，没有#{pos}。"),
    # -- turns answered in words ------------------------------------------------------------
    "too_long": ("That message is {length} characters long; the limit is {limit}.",
                 "这条消息有{length}个字符，超过了{limit}个字符的上限。"),
    "start_over": ("Starting over. What are you looking for?", "好的，重新开始。您想找什么？"),
    "session_expired": ("Your earlier conversation had expired, so this starts a new one.",
                        "之前的对话已过期，现在开始新的对话。"),
    "sessions_unavailable": ("This conversation cannot be saved right now; it continues on "
                             "this server for the moment.",
                             "暂时无法保存这段对话，目前仅在本服务器上继续。"),
    "session_not_saved": ("This turn was not saved: the conversation changed elsewhere at the "
                          "same time, so your next message continues from that.",
                          "本轮对话未保存：这段对话同时在别处有了变化，您的下一条消息将从那里继续。"),
    "busy": ("The assistant is busy right now; please try again in a moment.",
             "助手正忙，请稍后再试。"),
    # -- a shopper's own history ------------------------------------------------------------
    "recommend_none": ("I have nothing to recommend from your history yet.",
                       "您的历史记录里还没有可以推荐的商品。"),
    "recommend": ("Picked for you from your history: {count} items. Top pick: {title} \u2014 "
                  "{reason}",
                  "根据您的历史记录为您挑选了{count}件商品。首选：{title}\u2014\u2014{reason}"),
    "you_did_on": ("You {verb} this on {day}.", "您在{day}{verb}。"),
    "did_purchase": ("bought", "购买过这件商品"),
    "did_like": ("liked", "喜欢过这件商品"),
    "did_cart": ("put in your cart", "把这件商品加入过购物车"),
    "did_view": ("looked at", "浏览过这件商品"),
    "bought_or_liked": ("You have bought or liked this before.", "您以前购买或喜欢过这件商品。"),
    "similar_history": ("Similar to items in your history.", "与您历史记录中的商品相似。"),
    "past_purchase": ("one you bought before", "您买过"),
    "past_like": ("one you liked before", "您喜欢过"),
    "past_cart": ("one you put in your cart before", "您加入过购物车"),
    "past_history": ("one from your history", "在您的历史记录中"),
}

_CURRENCY_NAMES = {"$": "美元", "£": "英镑", "€": "欧元"}
"""Chinese says an amount's currency after it ("50美元"); other symbols stay in front."""


def phrase(lang: Language, key: str, /, **fields: object) -> str:
    """The template ``key`` in ``lang``, with ``fields`` filled in."""
    return PHRASES[key][_COLUMN[lang]].format(**fields)


def joined(lang: Language, how: str, parts: Iterable[str]) -> str:
    """``parts`` joined by the phrase ``how`` ("or", "and", "comma", "enumeration")."""
    return phrase(lang, how).join(parts)


def sentences(lang: Language, parts: Iterable[str]) -> str:
    """Whole sentences one after another (a space between English ones, none in Chinese)."""
    return joined(lang, "sentence_gap", parts)


def capitalised(lang: Language, text: str) -> str:
    """``text`` starting a sentence: an English one with a capital, others as they are."""
    return text[:1].upper() + text[1:] if lang == "en" else text


def currency(lang: Language, symbol: str) -> dict[str, str]:
    """The ``pre`` and ``post`` fields around an amount: "$" before it in English, "美元"
    after it in Chinese."""
    if lang == "zh" and symbol in _CURRENCY_NAMES:
        return {"pre": "", "post": _CURRENCY_NAMES[symbol]}
    return {"pre": symbol, "post": ""}


__all__ = ["PHRASES", "capitalised", "currency", "joined", "phrase", "sentences"]
