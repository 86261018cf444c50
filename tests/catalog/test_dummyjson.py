"""DummyJSON loader: the real products and carts, and bad rows in small synthetic files."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.dummyjson import CART_EPOCH, CARTS_FILE, PRODUCTS_FILE, load_dummyjson
from shopchat.errors import DataError
from shopchat.records import Catalog, EventKind


def test_counts(dummyjson: Catalog) -> None:
    assert len(dummyjson.products) == 194
    assert dummyjson.report.rejected == 0
    assert len({p.category for p in dummyjson.products}) == 24
    assert sum(1 for p in dummyjson.products if not p.brand) == 92
    # 208 carts, one user each, 800 cart lines in all
    assert len({i.user_id for i in dummyjson.interactions}) == 208
    assert len({i.timestamp for i in dummyjson.interactions}) == 208
    assert len(dummyjson.interactions) == 800


def test_product_fields(dummyjson: Catalog) -> None:
    mascara = dummyjson.products[0]
    assert (mascara.id, mascara.brand, mascara.category) == ("1", "Essence", "beauty")
    assert mascara.price == Decimal("9.99")
    assert mascara.currency == "USD"
    assert mascara.attributes["tags"] == "beauty, mascara"
    assert mascara.image_url.endswith("thumbnail.webp")


def test_cart_interactions(dummyjson: Catalog) -> None:
    first = dummyjson.interactions[0]
    assert (first.user_id, first.item_id, first.quantity) == ("1", "162", 4)
    assert first.event is EventKind.CART
    assert first.timestamp == CART_EPOCH + timedelta(seconds=1)
    stamps = [i.timestamp for i in dummyjson.interactions]
    assert stamps == sorted(stamps)


def _write(tmp_path: Path, products: object, carts: object) -> Path:
    folder = tmp_path / "dummyjson"
    folder.mkdir()
    (folder / "products.json").write_text(json.dumps(products))
    (folder / "carts.json").write_text(json.dumps(carts))
    return tmp_path


def test_bad_rows(tmp_path: Path) -> None:
    products = {"products": [  # the API's wrapped form
        {"id": 1, "title": "Lamp", "price": 10, "images": ["a.png"]},
        {"id": 2, "title": "Free", "price": "NaN"},
        {"title": "No id", "price": 1},
        {"id": 4, "title": "Mug", "price": 3.5, "brand": None},
    ]}
    carts = [
        {"id": 1, "userId": 7, "products": [{"id": 1, "quantity": 2}, {"id": 99, "quantity": 1}]},
        {"id": 2, "products": [{"id": 1, "quantity": 1}]},
        {"id": 3, "userId": 8, "products": [{"id": 4, "quantity": 0}]},
    ]
    catalog = load_dummyjson(_write(tmp_path, products, carts))
    assert [p.id for p in catalog.products] == ["1", "4"]
    assert catalog.products[0].image_url == "a.png"
    assert catalog.products[1].brand == ""
    assert [(i.user_id, i.item_id, i.quantity) for i in catalog.interactions] == [("7", "1", 2)]
    issues = [(i.file, i.row, i.field, i.reason.split(":")[0]) for i in catalog.report.issues]
    assert issues == [
        (PRODUCTS_FILE, 2, "price", "bad price"),
        (PRODUCTS_FILE, 3, "id", "missing id"),
        (CARTS_FILE, 1, "products[1].id", "unknown product"),
        (CARTS_FILE, 2, "userId", "missing userId"),
        (CARTS_FILE, 3, "products[0].quantity", "bad quantity"),
    ]


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"dummyjson/products\.json"):
        load_dummyjson(tmp_path)


def test_invalid_json_names_the_file(tmp_path: Path) -> None:
    data_dir = _write(tmp_path, [], [])
    (data_dir / "dummyjson" / "carts.json").write_text("[{")
    with pytest.raises(DataError, match=r"carts\.json: invalid JSON"):
        load_dummyjson(data_dir)
