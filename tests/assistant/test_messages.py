"""A page's message: the best match and one trade-off, honest about what the catalog lacks, and
escaped. Pure functions over small pages; the relaxed search runs against a fake search."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.findings import relax, relaxations
from assistant.messages import Findings, Relaxed, results_message
from retrieval.types import Filters
from shopchat.records import Product


def item(pid: str, title: str, price: float, brand: str = "Acme") -> Product:
    return Product(pid, title, brand=brand, price=Decimal(str(price)))


MICE = [
    item("m1", "Acme Wireless Optical Mouse", 24.99),
    item("m2", "Acme Optical Mouse USB", 12.0),
    item("m3", "Logitech Silent Gaming Mouse", 39.5, brand="Logitech"),
]
CABLES = [item("c1", "USB cable 1 m", 0.95), item("c2", "Gender adapter", 0.99)]
UNDER_5 = Filters(price_max=5.0)
LOGITECH = Filters(brands=frozenset({"logitech"}))

CASES = [
    (  # the lead and the one trade-off that matters
        "wireless mouse", Filters(price_max=50.0), MICE, Findings(),
        "Best match for \u201cwireless mouse\u201d (under $50): Acme Wireless Optical Mouse "
        "($24.99). The Acme Optical Mouse USB is cheaper ($12.00) but does not mention "
        "\u201cwireless\u201d.",
    ),
    (  # a brand the catalog does not carry is named, never dropped
        "usb mouse", Filters(), MICE, Findings(unknown_brands=("SanDisk",)),
        "No SanDisk products here; the closest to \u201cusb mouse\u201d: Acme Wireless Optical "
        "Mouse ($24.99). The Acme Optical Mouse USB matches \u201cusb\u201d and is cheaper "
        "($12.00).",
    ),
    (  # an exclusion of a brand the catalog lacks is kept in the words
        "mouse", UNDER_5, MICE[:1], Findings(unknown_excluded=("Razer",)),
        "Best match for \u201cmouse\u201d (under $5, not Razer): Acme Wireless Optical Mouse "
        "($24.99).",
    ),
    (  # the brand a filter kept in the text is said once
        "mouse Logitech", LOGITECH, MICE[2:], Findings(),
        "Best match for \u201cmouse\u201d (by Logitech): Logitech Silent Gaming Mouse ($39.50).",
    ),
    (
        "netflix", Filters(), MICE, Findings(unknown_words=("netflix",), catalog_words=False),
        "No product here mentions \u201cnetflix\u201d, so these are only close in meaning. "
        "Closest: Acme Wireless Optical Mouse ($24.99). The Acme Optical Mouse USB is cheaper "
        "($12.00).",
    ),
    (
        "mx518 mouse", Filters(), MICE[:1], Findings(unknown_words=("mx518",)),
        "Nothing here mentions \u201cmx518\u201d. Best match for \u201cmx518 mouse\u201d: Acme "
        "Wireless Optical Mouse ($24.99).",
    ),
    (
        "???", Filters(), [], Findings(catalog_words=False),
        "\u201c???\u201d has no words I can search for. Tell me what you are looking for, e.g. "
        "\u201cwireless mouse under $30\u201d.",
    ),
    (  # the price emptied the page: say so and offer the relaxed search
        "wireless mouse", UNDER_5, [],
        Findings(relaxed=Relaxed("price", MICE, "wireless mouse under $12")),
        "Nothing matches \u201cwireless mouse\u201d (under $5). Without the price limit, the "
        "cheapest match is Acme Optical Mouse USB ($12.00): ask for \u201cwireless mouse under "
        "$12\u201d to see more.",
    ),
    (
        "mouse Logitech", Filters(price_max=50.0, brands=frozenset({"logitech"})), [],
        Findings(relaxed=Relaxed("brand", MICE[:1], "mouse, under $50")),
        "Nothing matches \u201cmouse\u201d (under $50, by Logitech). Without the brand "
        "constraint, the best match is Acme Wireless Optical Mouse ($24.99): ask for "
        "\u201cmouse, under $50\u201d to see more.",
    ),
    (
        "mouse", UNDER_5, [], Findings(),
        "Nothing matches \u201cmouse\u201d (under $5), even with one constraint dropped. Try "
        "fewer constraints, or say \u201cstart over\u201d.",
    ),
    (  # items, but none with a word asked for: said, with the relaxed search
        "wireless mouse", Filters(price_max=1.0), CABLES,
        Findings(relaxed=Relaxed("price", MICE, "wireless mouse under $12")),
        "Nothing under $1 mentions \u201cwireless\u201d or \u201cmouse\u201d, so these are only "
        "close in meaning. Closest: USB cable 1 m ($0.95). Without the price limit, the cheapest "
        "match is Acme Optical Mouse USB ($12.00): ask for \u201cwireless mouse under $12\u201d "
        "to see more.",
    ),
]


@pytest.mark.parametrize(("text", "filters", "products", "found", "expected"), CASES)
def test_results_message(text: str, filters: Filters, products: list[Product], found: Findings,
                         expected: str) -> None:
    assert results_message(text, filters, products, findings=found) == expected


def test_more_pages_and_absent_words() -> None:
    message = results_message("quiet mouse", Filters(), MICE[1:], more=True)
    assert message.startswith("More for \u201cquiet mouse\u201d; the best of these: Acme Optical")
    assert message.endswith("None of them mentions \u201cquiet\u201d.")
    assert results_message("mouse", Filters(), [], more=True) == (
        "I found no more matches for \u201cmouse\u201d.")


def test_shopper_and_catalog_text_are_escaped() -> None:
    evil = item("e", "<script>alert(1)</script> **Mouse** [x](javascript:y)", 9.0, "<b>E</b>")
    message = results_message("**bold** <i>mouse</i>", Filters(), [evil, *MICE],
                              findings=Findings(unknown_brands=("<Evil>",)))
    assert "<script>" not in message and "\\<script\\>" in message
    assert "\\*\\*bold\\*\\*" in message and "\\<i\\>mouse" in message and "\\<Evil\\>" in message
    assert "](" not in message.replace("\\](", "")


def test_relaxations_drop_one_constraint_each_price_first() -> None:
    filters = Filters(price_max=5.0, brands=frozenset({"logitech"}),
                      categories=frozenset({"mice"}), exclude_brands=frozenset({"hp"}))
    dropped = [(name, looser) for name, looser in relaxations(filters)]
    assert [name for name, _ in dropped] == ["price", "brand", "category", "exclusions"]
    assert dropped[0][1] == Filters(brands=filters.brands, categories=filters.categories,
                                    exclude_brands=filters.exclude_brands)
    assert relaxations(Filters()) == []


def test_relax_offers_the_first_relaxation_that_finds_a_match() -> None:
    asked: list[tuple[str, Filters]] = []

    def search(text: str, filters: Filters) -> list[Product]:
        asked.append((text, filters))
        return [p for p in MICE if filters.accepts(p)]

    filters = Filters(price_max=5.0, brands=frozenset({"logitech"}))
    found = relax(search, "mouse Logitech", filters)
    assert found is not None and found.dropped == "price"
    assert [p.id for p in found.products] == ["m3"]
    assert found.suggestion == "mouse under $40, by Logitech"
    assert asked == [("mouse Logitech", Filters(brands=filters.brands))]

    razer = Filters(price_max=30.0, brands=frozenset({"razer"}))
    found = relax(search, "mouse Razer", razer)
    assert found is not None and found.dropped == "brand"  # no Razer at any price
    assert found.suggestion == "mouse, under $30"
    assert asked[-1][0] == "mouse"  # the brand's name leaves the text with its filter

    # only items with a word asked for count, unless the request has no catalog word at all
    assert relax(search, "keyboard", UNDER_5) is None
    nearest = relax(search, "keyboard", UNDER_5, by_words=False)
    assert nearest is not None and len(nearest.products) == 3
