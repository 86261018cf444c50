"""The asked-for product type leads: head nouns, what an item is, and the rule stage in search."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.ranking.type_lead import WINDOW, Kind, Title, TypeLead, query_words
from retrieval.searcher import Searcher
from shopchat.records import Product

OTHER, TYPE, ACCESSORY = Kind.OTHER, Kind.TYPE, Kind.ACCESSORY


@pytest.mark.parametrize(
    ("title", "brand", "head", "query", "kind"),
    [
        # mouse vs mouse pad
        ("HP Voodoo Laser Gaming mouse USB Type-A 3200 DPI", "HP", "mous", "gaming mouse", TYPE),
        ("HyperX FURY S Pro Gaming mouse pad", "HyperX", "mous", "gaming mouse", ACCESSORY),
        ("HyperX FURY S Pro Gaming mouse pad", "HyperX", "pad", "gaming mouse pad", TYPE),
        ("Gigabyte GM-M6800 mouse USB", "Gigabyte", "pad", "gaming mouse pad", OTHER),
        # laptop vs laptop bag; a "laptop bag" query asks for bags
        ("Lenovo IdeaPad 3 laptop 39.6 cm 8 GB", "Lenovo", "laptop", "laptop", TYPE),
        ("Urban Factory Laptop Bag 15.6\" Black", "Urban Factory", "laptop", "laptop", ACCESSORY),
        ("Urban Factory Laptop Bag 15.6\" Black", "Urban Factory", "bag", "laptop bag", TYPE),
        ("Lenovo IdeaPad 3 laptop 39.6 cm 8 GB", "Lenovo", "bag", "laptop bag", OTHER),
        ("Sandberg FireWire for Laptop (3 ports)", "Sandberg", "laptop", "laptop", ACCESSORY),
        # ssd vs ssd enclosure vs a PC whose spec names an SSD
        ("Samsung 870 EVO SSD 2.5\" 500 GB", "Samsung", "ssd", "ssd", TYPE),
        ("StarTech.com SSD enclosure USB 3.0", "StarTech.com", "ssd", "ssd", ACCESSORY),
        ("DELL OptiPlex 8 GB DDR4 512 GB SSD Tower PC", "DELL", "ssd", "ssd", OTHER),
        ("HP ProDesk 8GB 256GB SSD PC", "HP", "ssd", "ssd", OTHER),
        # a "usb cable" query keeps cables; a cable is an accessory of a mouse
        ("C2G USB A Male to A Male Cable, Black 1m", "C2G", "cabl", "usb cable", TYPE),
        ("Logitech mouse cable", "Logitech", "mous", "mouse", ACCESSORY),
        # the device an accessory serves, after "for"; named after the accessory: unclear
        ("HP screen protector for smartphone", "HP", "smartphon", "smartphone", ACCESSORY),
        ("PanzerGlass screen protector Mobile phone/Smartphone", "PanzerGlass", "smartphon",
         "smartphone", OTHER),
        ("LUNCH BAG VINTAGE LEAF DESIGN", "", "leaf", "vintage leaf", OTHER),
        # an accessory word right before the type only says which one; extras do not count
        ("StarTech.com Computer Case Fan w/ LP4 Connector", "StarTech.com", "fan", "fan", TYPE),
        ("Sony Portable Bluetooth docking speaker", "Sony", "speaker", "speaker", TYPE),
        ("V7 8GB Micro SDHC Card + Adapter", "V7", "card", "card", TYPE),
        ("APC Rack Appliance with Camera", "APC", "camera", "camera", OTHER),
        # the leading brand is not read ("Case Logic")
        ("Case Logic CL504 mobile phone Black", "Case Logic", "phone", "phone", TYPE),
    ],
)
def test_what_an_item_is(title: str, brand: str, head: str, query: str, kind: Kind) -> None:
    asked = query_words(query)[1]
    assert Title.of(title, brand).kind(head, asked) is kind


def test_a_category_names_the_type() -> None:
    assert Title.of("Asus Zenbook Pro Dual Screen", "Asus", "laptops").kind("laptop") is TYPE
    assert Title.of("Apple iPhone Charger", "Apple", "mobile-accessories").kind(
        "iphon") is ACCESSORY


CATALOG = [
    Product("m1", "Logitech G305 gaming mouse", brand="Logitech"),
    Product("m2", "Razer Viper gaming mouse", brand="Razer"),
    Product("m3", "HP X500 wired mouse", brand="HP"),
    Product("p1", "HyperX FURY gaming mouse pad", brand="HyperX"),
    Product("p2", "3M mouse pad Gray", brand="3M"),
    Product("p3", "SteelSeries QcK mouse pad", brand="SteelSeries"),
    Product("n1", "be quiet! Noise Absorber Kit", brand="be quiet!"),
    Product("b1", "Targus laptop bag 15.6", brand="Targus"),
    Product("s1", "SanDisk Ultra usb stick 64 GB", brand="SanDisk"),
]


@pytest.fixture(scope="module")
def lead() -> TypeLead:
    return TypeLead(CATALOG)


@pytest.mark.parametrize(
    ("query", "head"),
    [
        ("a quiet gaming mouse, not Razer", "mous"),
        ("gaming mouse pad", "pad"),
        ("mouse pads for gaming", "pad"),
        ("wireless mouse 2", "mous"),
        ("razer", None),  # a brand, not a product type
        ("laptop", None),  # only a bag mentions it: the catalog has no laptops
        ("usb stick by SanDisk", None),  # one stick, fewer than MIN_TYPE_ITEMS (3)
        ("netflix", None),
        ("", None),
    ],
)
def test_the_head_noun_is_a_catalog_type(lead: TypeLead, query: str, head: str | None) -> None:
    found = lead.head(query)
    assert (found.noun if found else None) == head


def _reordered(lead: TypeLead, query: str, ids: list[str]) -> list[str]:
    rows = np.array([lead.row_of[i] for i in ids])
    return [ids[i] for i in lead.reorder(query, rows, np.arange(len(ids))).tolist()]


def test_the_asked_type_leads_and_others_keep_their_places(lead: TypeLead) -> None:
    ranked = ["m1", "p1", "n1", "p2", "m3", "m2", "p3"]
    assert _reordered(lead, "a quiet gaming mouse, not Razer", ranked) == [
        "m1", "m3", "n1", "m2", "p1", "p2", "p3"]


def test_a_query_for_the_accessory_keeps_it_first(lead: TypeLead) -> None:
    ranked = ["p1", "m1", "p2", "m2"]
    assert _reordered(lead, "gaming mouse pad", ranked) == ranked


def test_only_the_first_window_is_reordered(lead: TypeLead) -> None:
    ranked = ["p1", *(["n1"] * WINDOW), "m1"]
    assert _reordered(lead, "mouse", ranked) == ranked


def test_search_puts_the_asked_type_first(dummy_searcher: Searcher) -> None:
    """dummyjson: iPhones (category smartphones) before iPhone chargers and cases."""
    lead = dummy_searcher.type_lead
    assert lead is not None
    head = lead.head("iphone")
    assert head is not None and head.noun == "iphon"
    result = dummy_searcher.search("iphone", k=WINDOW)
    kinds = [lead.kind_of(pid, head) for pid in result.ids]
    assert TYPE in kinds and ACCESSORY in kinds
    assert max(i for i, k in enumerate(kinds) if k is TYPE) < kinds.index(ACCESSORY)
    assert "type_lead" in result.timings_ms
    scores = [c.score for c in result.candidates]  # a moved item takes its new place's score,
    assert scores == sorted(scores, reverse=True)  # so re-sorting by score keeps the order
    assert dummy_searcher.search("iphone", k=3).ids == result.ids[:3]  # k only cuts

    charger = dummy_searcher.search("iphone charger", k=5)
    assert "Charger" in charger.candidates[0].product.title

    plain = dummy_searcher.without_type_lead().search("iphone", k=WINDOW)
    assert "type_lead" not in plain.timings_ms
    assert sorted(plain.ids) == sorted(result.ids)  # the same items, maybe reordered
