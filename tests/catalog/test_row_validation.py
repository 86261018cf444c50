"""Unit tests for the shared field parsers and text cleaning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from catalog.text import clean_text, has_broken_encoding
from catalog.validate import RowError, price_field, quantity_field, timestamp_field


@pytest.mark.parametrize(("raw", "cents", "expected"), [
    ("12.50", False, Decimal("12.50")),
    (" 3 ", False, Decimal("3")),
    (9.99, False, Decimal("9.99")),
    (4995, True, Decimal("49.95")),
    ("5000", True, Decimal("50.00")),
    ("", False, None),
    (None, False, None),
    (0, False, Decimal("0")),
])
def test_price_field(raw: object, cents: bool, expected: Decimal | None) -> None:
    assert price_field(raw, cents=cents) == expected


@pytest.mark.parametrize(("raw", "reason"), [
    ("abc", "bad price"), ("$5", "bad price"), ("NaN", "bad price: NaN"),
    (float("nan"), "bad price: NaN"), ("inf", "bad price"), ("-0.01", "negative price"),
    (True, "bad price"),
])
def test_price_field_rejects(raw: object, reason: str) -> None:
    with pytest.raises(RowError) as caught:
        price_field(raw)
    assert caught.value.field == "price"
    assert caught.value.reason.startswith(reason)


def test_timestamp_field() -> None:
    utc = datetime(2024, 1, 1, tzinfo=UTC)
    assert timestamp_field("2024-01-01") == utc
    assert timestamp_field("2024-01-01T00:00:00Z") == utc
    assert timestamp_field("2024-01-01T01:00:00+01:00").tzinfo == UTC
    assert timestamp_field(1704067200) == utc
    assert timestamp_field("1704067200.0") == utc
    assert timestamp_field(datetime(2024, 1, 1)) == utc
    plus2 = timezone(timedelta(hours=2))
    assert timestamp_field(datetime(2024, 1, 1, 2, tzinfo=plus2)) == utc
    for bad in ("tomorrow", "2024-13-01", "1e400", float("inf")):
        with pytest.raises(RowError, match="bad timestamp"):
            timestamp_field(bad)


def test_quantity_field() -> None:
    assert quantity_field("") == 1
    assert quantity_field("3") == 3
    assert quantity_field(2.0) == 2
    for bad in ("1.5", "-1", "0", "x"):
        with pytest.raises(RowError, match="bad quantity"):
            quantity_field(bad)


def test_clean_text() -> None:
    assert clean_text("  a \t b\n c ") == "a b c"
    assert clean_text(None) == ""
    assert clean_text(float("nan")) == ""
    assert clean_text(12.0) == "12"
    assert clean_text("90&deg; <br/>cable", html_markup=True) == "90° cable"
    assert clean_text("&#1057;artridge", html_markup=True) == "\u0421artridge"
    bad = b"caf\xe9".decode("utf-8", "surrogateescape")
    assert has_broken_encoding(bad)
    with pytest.raises(ValueError, match="e9"):
        clean_text(bad)
