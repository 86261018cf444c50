"""Icecat loader: the real 19,406 products, and bad rows in a small synthetic part."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.icecat import PARTS, load_icecat
from shopchat.errors import DataError
from shopchat.records import Catalog


def test_loads_every_product(icecat: Catalog) -> None:
    assert len(icecat.products) == 19_406
    assert icecat.report.rows_read == 19_406
    assert icecat.report.rejected == 0
    assert len({p.id for p in icecat.products}) == 19_406


def test_price_cents_become_dollars(icecat: Catalog) -> None:
    xerox = next(p for p in icecat.products if p.id == "3920564")
    assert xerox.price == Decimal("49.95")  # source: 4995 cents
    assert xerox.currency == "USD"
    assert xerox.brand == "Xerox"
    assert xerox.description == "Toner (6 Per Box) for CopyCentre C65 Digital Copier"
    assert xerox.attributes["quantity_per_pack"] == "6"  # 6.0 in the source
    assert xerox.attributes["model"] == "006R90321"
    assert xerox.attributes["ean"] == "0095205603217"
    assert xerox.image_url.startswith("http://images.icecat.biz/img/gallery_mediums/")
    assert all(p.price is not None and p.price > 0 for p in icecat.products)


def test_category_from_product_type(icecat: Catalog) -> None:
    assert sum(1 for p in icecat.products if p.category) == 1_532


def test_html_is_cleaned(icecat: Catalog) -> None:
    texts = [t for p in icecat.products for t in (p.title, p.description)]
    assert not any("&deg;" in t or "&reg;" in t or "<br" in t or "<li>" in t for t in texts)
    assert any("90° Down Angled" in t for t in texts)


def _write_part(directory: Path, number: int, records: list[object]) -> None:
    path = directory / f"icecat/products-{number}.json.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{number}.json", json.dumps(records))


def test_bad_rows_are_reported_and_good_rows_load(tmp_path: Path) -> None:
    good = {"id": "1", "title": "Mouse", "price": "1999", "supplier": "Acme",
            "ean": "['123', '456']", "attr_t_product_type": "mouse", "attr_b_wireless": True,
            "img_500x500": "", "img_high": "http://x/high.jpg"}
    _write_part(tmp_path, 1, [good, {"id": "2", "title": "", "price": "100"},
                              {"id": "3", "title": "Cheap", "price": "-5"}])
    _write_part(tmp_path, 2, [{"id": "1", "title": "Again", "price": "100"},
                              {"id": "4", "title": "Pen", "price": 250}])
    for n in (3, 4):
        _write_part(tmp_path, n, [])
    catalog = load_icecat(tmp_path)
    assert [p.id for p in catalog.products] == ["1", "4"]
    mouse = catalog.products[0]
    assert mouse.price == Decimal("19.99")
    assert mouse.category == "mouse"
    assert mouse.attributes["ean"] == "123 456"
    assert mouse.attributes["wireless"] == "yes"
    assert mouse.image_url == "http://x/high.jpg"
    issues = [(i.file, i.row, i.field, i.reason.split(":")[0]) for i in catalog.report.issues]
    assert issues == [
        (PARTS[0], 2, "title", "missing title"),
        (PARTS[0], 3, "price", "negative price"),
        (PARTS[1], 1, "id", "duplicate id"),
    ]


def test_missing_part_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"products-1\.json\.zip"):
        load_icecat(tmp_path)
