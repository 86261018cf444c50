"""Facets over candidates: brands counted, price bands that partition the priced items, and
specification values whose follow-up the parser reads back as the same attribute; applied in
a conversation, a value's follow-up returns only items that have it."""

from __future__ import annotations

import time
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest

from assistant import Assistant
from retrieval import Searcher
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.facets import Facet, FacetValue, facets_for
from retrieval.query_parser import QueryParser
from retrieval.ranking.type_lead import TypeLead
from retrieval.specs import SpecKind, SpecParser, SpecVocabulary
from shopchat.records import Catalog, LoadReport, Product
from shopchat.settings import Settings
from tests.conftest import indexed_searcher

BRANDS = ["Acme", "Globex", "Initech", "Umbrella"]


def shop() -> list[Product]:
    """Monitors (diagonal in inches, panel type, HDMI yes/no) and laptops (memory in GB, SSD
    in GB, diagonal), their titles stating the sizes as real catalogs do."""
    out = []
    for i in range(24):
        size = (24, 27, 32)[i % 3]
        panel = ("IPS", "OLED")[i % 2]
        out.append(Product(
            f"mon-{i}", f"{BRANDS[i % 4]} Vision {size}\" {panel} monitor M{i}",
            "A desktop monitor.", brand=BRANDS[i % 4], price=Decimal(f"{120 + 23 * i}.99"),
            attributes={"display_diagonal": str(size), "panel_type": panel,
                        "hdmi": "yes" if i % 4 else "no", "ean": f"40000000{i:04d}",
                        "model": f"M{i}"}))
    for i in range(24):
        ram, ssd, screen = (8, 16, 32)[i % 3], (256, 512, 1000)[(i // 3) % 3], (14, 15.6)[i % 2]
        out.append(Product(
            f"lap-{i}", f"{BRANDS[(i + 1) % 4]} Book {screen:g}\" laptop {ram}GB RAM {ssd}GB SSD",
            "A light laptop.", brand=BRANDS[(i + 1) % 4], price=Decimal(f"{600 + 41 * i}.00"),
            attributes={"display_diagonal": f"{screen:g}", "internal_memory": str(ram),
                        "ssd_capacity": str(ssd), "ean": f"50000000{i:04d}"}))
    return out


@pytest.fixture(scope="module")
def products() -> list[Product]:
    return shop()


@pytest.fixture(scope="module")
def vocabulary(products: list[Product]) -> SpecVocabulary:
    return SpecVocabulary.learn(products)


@pytest.fixture(scope="module")
def parser(products: list[Product], vocabulary: SpecVocabulary) -> QueryParser:
    """The searcher's parser over ``products``, without the embedder (types from titles)."""
    brands = {p.brand.lower() for p in products}
    specs = SpecParser(vocabulary, TypeLead(products), len(products), brands)
    return QueryParser(brands, specs=specs)


def facet(facets: list[Facet], name: str) -> Facet:
    found = [f for f in facets if f.name == name]
    assert found, [f.name for f in facets]
    return found[0]


def kind(products: list[Product], prefix: str) -> list[Product]:
    return [p for p in products if p.id.startswith(prefix)]


@pytest.mark.parametrize(("prefix", "expected"), [
    ("mon-", [("Acme", 6), ("Globex", 6), ("Initech", 6), ("Umbrella", 6)]),
    ("lap-", [("Acme", 6), ("Globex", 6), ("Initech", 6), ("Umbrella", 6)]),
])
def test_brands_are_counted(products: list[Product], vocabulary: SpecVocabulary, prefix: str,
                            expected: list[tuple[str, int]]) -> None:
    brand = facet(facets_for(kind(products, prefix), vocabulary), "brand")
    assert [(v.label, v.count) for v in brand.values] == expected
    assert [v.query for v in brand.values] == [f"only {name}" for name, _ in expected]


def test_brands_top_values_by_count_then_name(vocabulary: SpecVocabulary) -> None:
    items = [Product(str(i), "thing", brand=b) for i, b in enumerate(
        ["hp", "HP", "HP", "Zeta", "Zeta", "Alpha", "Beta", "Gamma"])]
    brand = facet(facets_for(items, vocabulary, max_values=3), "brand")
    assert [(v.label, v.count) for v in brand.values] == [("HP", 3), ("Zeta", 2), ("Alpha", 1)]
    assert facets_for(items[:3], vocabulary) == []  # one brand: nothing to choose between


PRICE_SETS = {
    "three items": [199.99, 299.99, 899.99],
    "ties at the bottom": [9.99] * 10 + [10.0] * 5 + [19.99] * 5,
    "narrow": [20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
    "cheap": [0.85, 1.25, 1.65, 2.1, 2.95, 3.75, 4.95, 5.95, 7.5, 12.5],
    "skewed": [5.5 * 1.17 ** i for i in range(50)],
    "two prices": [5, 5, 5, 6],
    "with unpriced": [10, 20, 30, 40, 50, None, None, 60, 70, 80, 90],
}


@pytest.mark.parametrize("name", sorted(PRICE_SETS))
def test_price_bands_partition_the_priced_items(name: str, vocabulary: SpecVocabulary,
                                                parser: QueryParser) -> None:
    prices = PRICE_SETS[name]
    items = [Product(str(i), "thing", price=None if p is None else Decimal(f"{p:.2f}"))
             for i, p in enumerate(prices)]
    band = facet(facets_for(items, vocabulary), "price")
    priced = [float(f"{p:.2f}") for p in prices if p is not None]
    assert 2 <= len(band.values) <= 5
    assert len(band.values) >= min(3, len(set(priced)))
    assert all(v.count > 0 for v in band.values), band
    assert sum(v.count for v in band.values) == len(priced)
    bounds = []
    for value in band.values:  # each band's follow-up is read back as its price range
        filters = parser.parse(value.query).filters
        assert filters.price_min is not None or filters.price_max is not None, value
        bounds.append((filters.price_min, filters.price_max))
        inside = [p for p in priced if (filters.price_min or 0) <= p <= (filters.price_max
                                                                         or float("inf"))]
        assert len(inside) >= value.count, value
    assert bounds[0][0] is None and bounds[-1][1] is None
    assert all(a[1] == b[0] for a, b in pairwise(bounds))  # contiguous


def test_price_labels_use_the_currency(vocabulary: SpecVocabulary) -> None:
    items = [Product(str(i), "mug", price=Decimal(p), currency="GBP")
             for i, p in enumerate(["2.50", "4.95", "7.50", "12.00", "15.00", "1250.00"])]
    band = facet(facets_for(items, vocabulary), "price")
    assert all("£" in v.label and "$" not in v.label for v in band.values)
    assert band.values[-1].label.startswith("over £")
    dollars = facet(facets_for(items, vocabulary, currency_symbol="$"), "price")
    assert dollars.values[0].query.startswith("under $")


@pytest.mark.parametrize(("prefix", "context", "attribute", "labels"), [
    ("mon-", "monitor", "display_diagonal", ["24 inch", "27 inch", "32 inch"]),
    ("lap-", "laptop", "internal_memory", ["8 GB", "16 GB", "32 GB"]),
    ("lap-", "laptop", "ssd_capacity", ["256 GB", "512 GB", "1 TB"]),
])
def test_numeric_values_parse_back_to_their_attribute(
    products: list[Product], vocabulary: SpecVocabulary, parser: QueryParser, prefix: str,
    context: str, attribute: str, labels: list[str],
) -> None:
    items = kind(products, prefix)
    shown = facet(facets_for(items, vocabulary, max_specs=5), attribute)
    assert [v.label for v in shown.values] == labels  # ascending, in the unit titles use
    for value in shown.values:
        parsed = parser.parse(value.query, context)
        specs = [s for s in parsed.filters.specs if s.kind is SpecKind.NUMBER]
        assert [s.attribute for s in specs] == [attribute], value
        having = [p for p in items if specs[0].holds(p)]
        assert len(having) == value.count, value


def test_flag_and_choice_values(products: list[Product], vocabulary: SpecVocabulary) -> None:
    monitors = kind(products, "mon-")
    shown = {f.name: f for f in facets_for(monitors, vocabulary, max_specs=5)}
    assert [(v.label, v.count, v.query) for v in shown["hdmi"].values] == [
        ("yes", 18, "with hdmi"), ("no", 6, "without hdmi")]
    assert [(v.label, v.count, v.query) for v in shown["panel_type"].values] == [
        ("IPS", 12, "IPS ones"), ("OLED", 12, "OLED ones")]
    assert not {"ean", "model"} & set(shown)  # bookkeeping, not specifications


def test_specs_best_split_first_and_single_values_skipped(
    products: list[Product], vocabulary: SpecVocabulary,
) -> None:
    monitors = kind(products, "mon-")
    names = [f.name for f in facets_for(monitors, vocabulary)]
    # three sizes evenly (log2 3) beat two panel types (1 bit) beat HDMI 18/6
    assert names == ["brand", "price", "display_diagonal", "panel_type", "hdmi"]
    only_27 = [p for p in monitors if p.attributes["display_diagonal"] == "27"]
    assert "display_diagonal" not in [f.name for f in facets_for(only_27, vocabulary)]
    assert facets_for(monitors, vocabulary, max_specs=1)[-1].name == "display_diagonal"


def test_rarely_listed_attributes_are_skipped(vocabulary: SpecVocabulary,
                                              products: list[Product]) -> None:
    monitors = kind(products, "mon-")
    few = [Product(p.id, p.title, brand=p.brand, price=p.price,
                   attributes=p.attributes if n < 6 else {}) for n, p in enumerate(monitors)]
    assert [f.name for f in facets_for(few, vocabulary)] == ["brand", "price"]  # 25% listed


def test_deterministic_and_fast(products: list[Product], vocabulary: SpecVocabulary) -> None:
    items = products[:50]
    first = facets_for(items, vocabulary)
    assert facets_for(list(reversed(items)), vocabulary) == first
    assert all(isinstance(v, FacetValue) for f in first for v in f.values)
    started = time.perf_counter()
    for _ in range(20):
        facets_for(items, vocabulary)
    assert (time.perf_counter() - started) / 20 < 0.005
    assert facets_for([], vocabulary) == []


@pytest.fixture(scope="module")
def shop_searcher(embedder: SentenceTransformerEmbedder, data_dir: Path,
                  tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> Searcher:
    catalog = Catalog("facets-shop", shop(), [], LoadReport("facets-shop"))
    return indexed_searcher(catalog, "embedded", embedder, data_dir, tmp_path_factory, request)


@pytest.mark.parametrize(("first", "attribute"), [
    ("monitor", "display_diagonal"),
    ("monitor", "brand"),
    ("monitor", "price"),
    ("laptop", "internal_memory"),
    ("monitor", "panel_type"),
    ("monitor", "hdmi"),
])
def test_a_value_applied_as_a_follow_up_keeps_only_items_that_have_it(
    shop_searcher: Searcher, tmp_path: Path, first: str, attribute: str,
) -> None:
    """The whole assistant: search, then send the first and the last value's follow-up."""
    bot = Assistant(shop_searcher, None, Settings(home=tmp_path))
    table = shop_searcher.table
    answer = bot.ask("facets", first)
    shown = [p for i in answer.items if (p := table.get(i.id)) is not None]
    values = facet(facets_for(shown, shop_searcher.spec_vocabulary, max_specs=5),
                   attribute).values
    for value in (values[0], values[-1]):
        session = bot.ask("facets", first).session_id
        refined = bot.ask("facets", value.query, session_id=session)
        assert refined.intent == "refine" and refined.items, (value, refined.message)
        items = [p for i in refined.items if (p := table.get(i.id)) is not None]
        assert all(has(p, attribute, value, shop_searcher) for p in items), value
        assert attribute in ("brand", "price") or attribute in items[0].attributes


def has(product: Product, attribute: str, value: FacetValue, searcher: Searcher) -> bool:
    """Does ``product`` have ``value`` of the facet ``attribute``? An item without a yes/no or
    text attribute is judged by its text ("without hdmi": a laptop that never says HDMI)."""
    if attribute == "brand":
        return value.query == f"only {product.brand}"
    if attribute == "price":
        filters = searcher.parse(value.query).filters
        price = float(product.price or -1)
        return (filters.price_min or 0) <= price <= (filters.price_max or float("inf"))
    raw = product.attributes.get(attribute)
    if attribute in ("panel_type", "hdmi"):
        return raw is None or raw == value.label
    # stored in the unit shown (inch, GB)
    return raw is not None and float(raw) == float(value.label.split()[0])


def test_a_size_facet_reads_each_item_in_the_scale_its_title_shows() -> None:
    """Memory modules store MB while notebooks store GB: "1GB" in a title is a 1 GB value."""
    from retrieval.specs import SpecVocabulary
    from tests.spec_catalog import spec_products

    products = spec_products()
    modules = [p for p in products if p.id.startswith("ram")]
    facets = {f.label: f for f in facets_for(modules, SpecVocabulary.learn(products))}
    values = [v.label for v in facets["Internal memory"].values]
    assert values == ["1 GB", "2 GB", "4 GB", "8 GB", "16 GB"]
