"""Whole turns on the real dummyjson index, no model: composed reasons, and replies that name
what the catalog lacks (a brand, every word, the constraint that emptied the page)."""

from __future__ import annotations

import re

from assistant.personal import past_clauses
from retrieval.profiles.profile import Profile, RecentEvent
from shopchat.records import EventKind


def test_replies_are_honest_about_the_catalog(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(None, personalise=False)

    sandisk = bot.ask("h1", "lipstick by SanDisk")  # dummyjson has no SanDisk
    assert sandisk.items and sandisk.constraints == {} and sandisk.query == "lipstick"
    assert sandisk.message.startswith(
        "No SanDisk products here; the closest to \u201clipstick\u201d:")

    echoed = bot.ask("h2", "a red lipstick under $50, not Razer")
    assert "\u201ca red lipstick\u201d (under $50, not Razer)" in echoed.message
    assert echoed.constraints == {"price_max": 50.0}

    emptied = bot.ask("h3", "lipstick under $0.01")
    assert emptied.items == [] and emptied.constraints == {"price_max": 0.01}  # constraints hold
    assert emptied.message.startswith("Nothing matches \u201clipstick\u201d (under $0.01). "
                                      "Without the price limit, the cheapest match is ")
    offered = re.search(r"ask for \u201c(lipstick under \$\d+)\u201d", emptied.message)
    assert offered, emptied.message
    again = bot.ask("h3", offered.group(1), emptied.session_id)  # the offer finds something
    assert again.items and all(i.price is not None and i.price <= again.constraints["price_max"]
                               for i in again.items)

    nothing = bot.ask("h4", "netflix")
    assert nothing.items
    assert nothing.message.startswith("No product here mentions \u201cnetflix\u201d, so these are "
                                      "only close in meaning.")
    assert "Here are" not in nothing.message

    no_words = bot.ask("h5", "???")
    assert no_words.items == [] and "has no words I can search for" in no_words.message


def test_reasons_without_a_model_are_one_sentence_each(make_assistant) -> None:  # type: ignore[no-untyped-def]
    bot = make_assistant(None, personalise=False)
    answer = bot.ask("r1", "smartphone under $500")
    assert answer.message.startswith(
        "Best match for \u201csmartphone\u201d (under $500, in smartphones): ")
    assert len(answer.items) >= 3
    for item in answer.items:
        assert item.reason.endswith(".") and ";" not in item.reason
        assert len(item.reason.split()) <= 25 and item.reason_source == "composed"
        assert item.price is not None and f"${item.price:,.2f}" in item.reason
    cheapest = min(answer.items, key=lambda i: i.price or 0)
    assert "the cheapest here" in cheapest.reason


def test_past_events_become_clauses() -> None:
    profile = Profile("u", None, item_weights={"a": 1.0, "b": 0.5, "c": 0.2},
                      recent=(RecentEvent(EventKind.VIEW, "a", "", 1.0),
                              RecentEvent(EventKind.PURCHASE, "b", "", 2.0),
                              RecentEvent(EventKind.LIKE, "a", "", 3.0)))
    assert past_clauses(profile) == {"a": "one you liked before", "b": "one you bought before",
                                     "c": "one from your history"}
    assert past_clauses(None) == {}
