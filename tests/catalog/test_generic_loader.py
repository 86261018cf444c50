"""Generic product files: table-driven bad rows in CSV, JSON Lines and parquet."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from catalog import ColumnMapping, load_file
from shopchat.errors import DataError

Write = Callable[[str, str | bytes], Path]

MAPPING = ColumnMapping(id="sku", title="name", description="desc", brand="maker",
                        category="type", price="price", attributes=("colour",))
HEADER = b"sku,name,desc,maker,type,price,colour\n"
GOOD_FIRST = b"a1,  Red   mug ,Holds tea,Acme,kitchen,10.50,red\n"
GOOD_LAST = b"a3,Blue mug,,Acme,kitchen,3,\n"

# (case, bad CSV line that sits between two good ones, field, reason prefix)
BAD_ROWS = [
    ("missing id", b",No id,,,,1.00,\n", "sku", "missing sku"),
    ("missing title", b"b2,,,,,1.00,\n", "name", "missing name"),
    ("bad price", b"b3,Bad,,,,abc,\n", "price", "bad price"),
    ("NaN price", b"b4,Not a number,,,,NaN,\n", "price", "bad price: NaN"),
    ("negative price", b"b5,Refund,,,,-1.00,\n", "price", "negative price"),
    ("duplicate id", b"a1,Red mug again,,,,2.00,\n", "sku", "duplicate id"),
    ("broken encoding", b"b6,Caf\xe9 cup,,,,2.00,\n", "name", "broken encoding"),
]


@pytest.mark.parametrize(("case", "line", "field", "reason"), BAD_ROWS,
                         ids=[row[0] for row in BAD_ROWS])
def test_csv_bad_row(write: Write, case: str, line: bytes, field: str, reason: str) -> None:
    path = write("products.csv", HEADER + GOOD_FIRST + line + GOOD_LAST)
    catalog = load_file(path, MAPPING)
    [issue] = catalog.report.issues
    assert (issue.file, issue.row, issue.field) == ("products.csv", 2, field)
    assert issue.reason.startswith(reason), issue.reason
    assert [p.id for p in catalog.products] == ["a1", "a3"]
    assert catalog.report.rows_read == 3
    assert catalog.report.loaded == 2


def test_csv_good_rows_are_normalised(write: Write) -> None:
    catalog = load_file(write("products.csv", HEADER + GOOD_FIRST + GOOD_LAST), MAPPING)
    mug, blue = catalog.products
    assert (mug.title, mug.description, mug.brand, mug.category) == (
        "Red mug", "Holds tea", "Acme", "kitchen")
    assert mug.price == Decimal("10.50")
    assert mug.currency == "USD"
    assert mug.attributes == {"colour": "red"}
    assert blue.attributes == {}
    assert catalog.name == "products"


def test_price_in_cents_and_currency_column(write: Write) -> None:
    path = write("cents.csv", "id,title,price,cur\n1,Pen,1999,eur\n2,Ink,5,\n3,Pad,1,EURO\n")
    mapping = ColumnMapping(price="price", price_in_cents=True, currency="GBP",
                            currency_column="cur")
    catalog = load_file(path, mapping)
    assert [(p.price, p.currency) for p in catalog.products] == [
        (Decimal("19.99"), "EUR"), (Decimal("0.05"), "GBP")]
    [issue] = catalog.report.issues
    assert (issue.row, issue.field, issue.reason.split(":")[0]) == (3, "cur", "bad currency")


def test_html_entities_unescaped_when_asked(write: Write) -> None:
    path = write("html.csv", "id,title\n1,90&deg; cable <b>new</b>\n")
    assert load_file(path, ColumnMapping(html=True)).products[0].title == "90° cable new"
    assert load_file(path).products[0].title == "90&deg; cable <b>new</b>"


def test_jsonl_rows_are_line_numbers(write: Write) -> None:
    lines = [
        json.dumps({"id": 1, "title": "Lamp", "price": 12.5}),
        "",
        "{not json",
        json.dumps({"id": 2, "price": 1}),
        json.dumps({"id": 3, "title": "Desk", "price": -2}),
        json.dumps({"id": 4, "title": "Chair", "price": None}),
    ]
    catalog = load_file(write("items.jsonl", "\n".join(lines)), ColumnMapping(price="price"))
    assert [(p.id, p.price) for p in catalog.products] == [
        ("1", Decimal("12.5")), ("4", None)]
    issues = [(i.file, i.row, i.field, i.reason.split(":")[0]) for i in catalog.report.issues]
    assert issues == [("items.jsonl", 3, "*", "invalid JSON"),
                      ("items.jsonl", 4, "title", "missing title"),
                      ("items.jsonl", 5, "price", "negative price")]


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "items.parquet"
    pd.DataFrame({"id": [10, 11, 10], "title": ["Lamp", None, "Lamp again"],
                  "price": [1.5, 2.0, 3.0]}).to_parquet(path)
    catalog = load_file(path, ColumnMapping(price="price"))
    assert [(p.id, p.price) for p in catalog.products] == [("10", Decimal("1.5"))]
    issues = [(i.row, i.field, i.reason.split(":")[0]) for i in catalog.report.issues]
    assert issues == [(2, "title", "missing title"), (3, "id", "duplicate id")]


def test_missing_column_names_file_and_column(write: Write) -> None:
    path = write("products.csv", "sku,name,desc,maker,type\nx,y,,,\n")
    with pytest.raises(DataError, match=r"products\.csv.*'price'"):
        load_file(path, MAPPING)


def test_jsonl_missing_column(write: Write) -> None:
    path = write("items.jsonl", json.dumps({"id": 1, "name": "Lamp"}) + "\n")
    with pytest.raises(DataError, match=r"items\.jsonl.*'title'"):
        load_file(path)


@pytest.mark.parametrize("content", [b"", b"id,title\n", b"\n\n"],
                         ids=["zero bytes", "header only", "blank lines"])
def test_empty_file(write: Write, content: bytes) -> None:
    path = write("empty.csv", content)
    with pytest.raises(DataError, match=r"empty\.csv.*empty"):
        load_file(path)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(DataError, match=re.escape(str(path))):
        load_file(path)


def test_unsupported_suffix(write: Write) -> None:
    with pytest.raises(DataError, match=r"\.xlsx"):
        load_file(write("products.xlsx", b"PK"))
