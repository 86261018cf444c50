"""Online Retail loader: the real 541,909 lines, and each quirk in a small synthetic file."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from catalog.online_retail import FILE, load_online_retail
from shopchat.errors import DataError
from shopchat.records import Catalog, EventKind


def test_counts(online_retail: Catalog) -> None:
    notes = online_retail.report.notes
    assert online_retail.report.rows_read == 541_909
    assert notes["customers in the file"] == 4_372
    # 33 customers only ever cancelled and 4 more only bought postage/fees: no purchases.
    assert len({i.user_id for i in online_retail.interactions}) == 4_335
    assert notes["customers with purchases"] == 4_335
    assert 3_700 <= len(online_retail.products) <= 4_070
    assert len({p.id for p in online_retail.products}) == len(online_retail.products)


def test_quirks_are_counted(online_retail: Catalog) -> None:
    notes = online_retail.report.notes
    assert notes["cancellation lines (InvoiceNo C..., negative quantity)"] == 9_288
    assert notes["lines without CustomerID"] == 135_080
    assert notes["zero-price lines"] == 2_515
    assert notes["lines without a description"] == 1_454
    assert notes["lines whose stock code was upper-cased (e.g. 85123a)"] > 0
    assert any(note.startswith("stock-keeping note lines") for note in notes)
    assert any(note.startswith("fee/service lines") for note in notes)


def test_products_and_prices(online_retail: Catalog) -> None:
    products = {p.id: p for p in online_retail.products}
    heart = products["85123A"]
    assert heart.title == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert heart.price == Decimal("2.95")
    assert heart.currency == "GBP"
    for code in ("POST", "DOT", "M", "C2", "D", "S", "BANK CHARGES", "AMAZONFEE", "CRUK",
                 "PADS", "B", "23444", "gift_0001_20", "GIFT_0001_20"):
        assert code not in products
    assert not any(p.id != p.id.upper() for p in products.values())


def test_interactions(online_retail: Catalog) -> None:
    interactions = online_retail.interactions
    products = {p.id for p in online_retail.products}
    assert all(i.event is EventKind.PURCHASE for i in interactions)
    assert all(i.quantity >= 1 for i in interactions)
    assert all(i.item_id in products for i in interactions)
    assert all(i.user_id.isdigit() for i in interactions)
    first = interactions[0]
    assert (first.user_id, first.item_id, first.quantity) == ("17850", "85123A", 6)
    assert first.timestamp == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)  # GMT in December


def _write(tmp_path: Path, rows: list[tuple[object, ...]]) -> Path:
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "Description", "Quantity",
                                        "InvoiceDate", "UnitPrice", "CustomerID"])
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    path = tmp_path / FILE
    path.parent.mkdir(parents=True)
    frame.to_parquet(path)
    return tmp_path


def test_synthetic_quirks(tmp_path: Path) -> None:
    t = "2011-06-01 10:00"
    data_dir = _write(tmp_path, [
        ("1", "85123A", "WHITE HEART", 6, t, 2.55, 1.0),
        ("2", "85123a", "WHITE HEART", 2, t, 2.95, 2.0),       # lower-case code: same item
        ("2", "85123A", "WHITE  HEART ", 1, t, 3.00, 2.0),     # whitespace: same title
        ("C3", "85123A", "WHITE HEART", -6, t, 2.55, 1.0),     # cancellation
        ("4", "85123A", "WHITE HEART", 1, t, 2.55, None),      # no customer
        ("5", "22000", "damaged", -3, t, 0.0, None),           # stock-keeping note
        ("6", "22000", "CHECK", 5, t, 0.0, 3.0),               # note in capitals
        ("7", "22000", "RED MUG", 1, t, 0.0, 3.0),             # zero price, still bought
        ("8", "POST", "POSTAGE", 1, t, 18.0, 3.0),             # fee code
        ("9", "23444", "Next Day Carriage", 1, t, 15.0, 3.0),  # fee by description
        ("10", "33000", "?", 4, t, 0.0, None),                 # only notes: no product
        ("11", "44000", "BLUE BOWL", 1, None, 1.0, 4.0),       # no date: rejected
        ("12", "44000", "BLUE BOWL", 1, t, float("nan"), 4.0),  # no price: rejected
    ])
    catalog = load_online_retail(data_dir)
    products = {p.id: p for p in catalog.products}
    assert sorted(products) == ["22000", "85123A"]
    assert products["85123A"].title == "WHITE HEART"
    assert products["85123A"].price == Decimal("2.75")  # median of 2.55, 2.95, 3.00, 2.55
    assert products["22000"].title == "RED MUG"
    assert products["22000"].price is None
    bought = [(i.user_id, i.item_id, i.quantity) for i in catalog.interactions]
    assert bought == [("1", "85123A", 6), ("2", "85123A", 2), ("2", "85123A", 1),
                      ("3", "22000", 1)]
    # 2011-06-01 10:00 in London is 09:00 UTC (summer time).
    assert catalog.interactions[0].timestamp == datetime(2011, 6, 1, 9, 0, tzinfo=UTC)
    notes = catalog.report.notes
    assert notes["cancellation lines (InvoiceNo C..., negative quantity)"] == 1
    assert notes["lines without CustomerID"] == 3
    assert notes["stock-keeping note lines (description like '?', 'damaged', 'check')"] == 3
    assert notes["fee/service lines (POST, DOT, M, D, S, BANK CHARGES, gift vouchers, ...)"] == 2
    assert notes["zero-price lines"] == 4
    assert notes["stock codes with no product description (not loaded)"] == 1
    issues = [(i.file, i.row, i.field, i.reason.split(":")[0]) for i in catalog.report.issues]
    assert issues == [(FILE, 12, "InvoiceDate", "bad InvoiceDate"),
                      (FILE, 13, "UnitPrice", "bad UnitPrice")]


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    data_dir = _write(tmp_path, [("1", "85123A", "WHITE HEART", 6, "2011-01-01", 2.55, 1.0)])
    frame = pd.read_parquet(data_dir / FILE).drop(columns=["CustomerID"])
    frame.to_parquet(data_dir / FILE)
    with pytest.raises(DataError, match=r"online_retail\.parquet.*'CustomerID'"):
        load_online_retail(data_dir)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"online-retail/online_retail\.parquet"):
        load_online_retail(tmp_path)
