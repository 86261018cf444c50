"""UCI Online Retail: ``online-retail/online_retail.parquet`` (541,909 invoice lines, GBP).

Products are stock codes (upper-cased: ``85123a`` and ``85123A`` are one product): title =
the code's most frequent real description, price = median positive ``UnitPrice`` of its
sales lines, rounded half-up to pennies (``None`` when it never sold at a positive price).
Fee codes and codes whose every description is a note or missing are not products.

Interactions are sales lines with a ``CustomerID`` (user id = ``str(int(CustomerID))``) of a
product, as ``EventKind.PURCHASE`` with the quantity. ``InvoiceDate`` is UK local time; it is
stamped Europe/London and converted to UTC. Everything else (cancellations, lines without a
customer, stock-keeping notes, fee codes, zero prices...) is counted in ``report.notes``;
lines with no usable date, code or price are rejected with their 1-based row number.
Vectorised with pandas: the whole file loads in about a second or two.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from catalog.retail_rules import (
    has_capitals_word,
    is_fee_text,
    is_non_product_code,
    is_note_text,
)
from catalog.text import clean_text
from catalog.validate import log_report, require_columns, require_file
from shopchat.errors import DataError
from shopchat.records import Catalog, EventKind, Interaction, LoadReport, Product

log = logging.getLogger(__name__)

FILE = "online-retail/online_retail.parquet"
COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
           "CustomerID")
SOURCE_TZ = "Europe/London"
_MISSING_TEXT = frozenset({"", "nan", "NaN", "None", "null"})
_PENNY = Decimal("0.01")


def load_online_retail(data_dir: Path) -> Catalog:
    """Load products and purchase interactions; a missing file or column raises DataError."""
    path = require_file(data_dir / FILE)
    lines = _read(path)
    report = LoadReport(source=str(path), rows_read=len(lines))
    lines = _prepare(lines, report)
    products = _products(lines, report)
    interactions = _interactions(lines, {p.id for p in products}, report)
    report.loaded = len(products) + len(interactions)
    log_report(log, report)
    return Catalog(name="online-retail", products=products, interactions=interactions,
                   report=report)


def _read(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        require_columns(FILE, pq.read_schema(path).names, COLUMNS)
        frame = pd.read_parquet(path, columns=list(COLUMNS))
    except DataError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise DataError(f"{path}: unreadable parquet: {exc}") from exc
    frame.index = pd.RangeIndex(1, len(frame) + 1)  # index = 1-based row number
    return frame


def _prepare(frame: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """A lean numpy-backed frame of usable lines with flags; conditions counted in ``report``.

    Lines with no stock code, date, quantity or a finite price are rejected.
    """
    code_idx, raw_codes = _clean_unique(frame["StockCode"])
    code_ids = [c.upper() for c in raw_codes]
    code = np.array(code_ids, dtype=object)[code_idx]
    desc_idx, texts = _clean_unique(frame["Description"])
    stamp = pd.to_datetime(frame["InvoiceDate"], errors="coerce")
    if stamp.dt.tz is None:
        stamp = stamp.dt.tz_localize(SOURCE_TZ, ambiguous="NaT", nonexistent="NaT")
    price = _numbers(frame["UnitPrice"])
    quantity = _numbers(frame["Quantity"])
    usable_quantity = np.isfinite(quantity) & (np.mod(quantity, 1) == 0)
    _reject(frame, report, {
        "StockCode": code == "",
        "InvoiceDate": stamp.isna().to_numpy(),
        "UnitPrice": ~np.isfinite(price),
        "Quantity": ~usable_quantity,
    })
    missing = np.array([t in _MISSING_TEXT for t in texts])[desc_idx]
    note_text = np.array([t not in _MISSING_TEXT and is_note_text(t) for t in texts])
    capitals = np.array([has_capitals_word(t) for t in texts])[desc_idx]
    fee_text = np.array([is_fee_text(t) for t in texts])[desc_idx]
    cancel = frame["InvoiceNo"].astype("string").str.upper().str.startswith("C")
    lines = pd.DataFrame({
        "code": _categorical(code_idx, code_ids),
        "desc": _categorical(desc_idx, texts),
        "quantity": quantity,
        "price": price,
        "customer": _numbers(frame["CustomerID"]),
        "stamp": stamp.dt.tz_convert("UTC"),
        "cancel": cancel.to_numpy(dtype=bool, na_value=False),
        "fee": np.array([is_non_product_code(c) for c in code_ids])[code_idx] | fee_text,
        "missing_desc": missing,
        "upper_cased": np.array([c != u for c, u in zip(raw_codes, code_ids, strict=True)])[
            code_idx],
    }, index=frame.index)
    lines["note"] = ~missing & ~lines["fee"] & (note_text[desc_idx] | (~capitals & (price == 0)))
    lines["sale"] = ~lines["cancel"] & (lines["quantity"] > 0)
    _count_conditions(frame, lines, report)
    return lines[lines["code"].ne("") & lines["stamp"].notna() & np.isfinite(price)
                 & usable_quantity]


def _categorical(idx: np.ndarray, values: list[str]) -> pd.Categorical:
    """``values[idx]`` as a categorical (values may repeat: "85123a" upper-cases to a twin)."""
    value_idx, uniques = pd.factorize(pd.Series(values, dtype=object))
    return pd.Categorical.from_codes(value_idx[idx], categories=pd.Index(list(uniques)))


def _numbers(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _clean_unique(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Factorize a text column and whitespace-normalise each distinct value once."""
    idx, uniques = pd.factorize(column.astype("string").fillna(""))
    return idx, [clean_text(u) for u in uniques]


def _reject(frame: pd.DataFrame, report: LoadReport, problems: dict[str, np.ndarray]) -> None:
    """Reject each row for the first column in ``problems`` whose mask flags it."""
    seen = np.zeros(len(frame), dtype=bool)
    for column, mask in problems.items():
        for row in frame.index[mask & ~seen]:
            report.reject(FILE, int(row), column,
                          f"bad {column}: {frame.at[row, column]!r} is missing or unusable")
        seen |= mask


def _count_conditions(frame: pd.DataFrame, lines: pd.DataFrame, report: LoadReport) -> None:
    """Count each expected condition over all lines (the counts overlap)."""
    count = {
        "cancellation lines (InvoiceNo C..., negative quantity)": lines["cancel"],
        "lines with quantity <= 0 that are not cancellations (stock adjustments)":
            ~lines["cancel"] & (lines["quantity"] <= 0),
        "lines without CustomerID": lines["customer"].isna(),
        "lines without a description": lines["missing_desc"],
        "stock-keeping note lines (description like '?', 'damaged', 'check')": lines["note"],
        "fee/service lines (POST, DOT, M, D, S, BANK CHARGES, gift vouchers, ...)":
            lines["fee"],
        "zero-price lines": lines["price"] == 0,
        "negative-price lines": lines["price"] < 0,
        "lines whose stock code was upper-cased (e.g. 85123a)": lines["upper_cased"],
        "exact duplicate lines (kept)": frame.duplicated(),
    }
    for note, mask in count.items():
        _count(report, note, int(np.count_nonzero(mask)))
    _count(report, "customers in the file", int(lines["customer"].nunique()))


def _products(lines: pd.DataFrame, report: LoadReport) -> list[Product]:
    """One product per stock code that has a real description and is not a fee code."""
    real = lines[~lines["fee"] & ~lines["note"] & ~lines["missing_desc"]]
    counts = (real.groupby(["code", "desc"], sort=False, observed=True).size()
              .rename("n").reset_index().astype({"code": str, "desc": str}))
    counts = counts.sort_values(["code", "n", "desc"], ascending=[True, False, True])
    titles = counts.drop_duplicates("code").set_index("code")["desc"]
    variants = counts.groupby("code").size()
    _count(report, "stock codes with several descriptions (most frequent is the title)",
           int((variants > 1).sum()))
    product_codes = set(lines.loc[~lines["fee"], "code"])
    _count(report, "stock codes with no product description (not loaded)",
           len(product_codes - set(titles.index)))

    priced = real[real["sale"] & (real["price"] > 0)]
    medians = priced.groupby("code", observed=True)["price"].median()
    products = []
    for code, title in titles.items():
        median = medians.get(code)
        price = None if median is None else Decimal(f"{median:.6f}").quantize(
            _PENNY, rounding=ROUND_HALF_UP)
        products.append(Product(id=str(code), title=str(title), price=price, currency="GBP"))
    _count(report, "products without a positive sale price",
           sum(1 for p in products if p.price is None))
    return products


def _interactions(lines: pd.DataFrame, product_ids: set[str],
                  report: LoadReport) -> list[Interaction]:
    """Sales lines with a customer, of a known product, that are not notes or fees."""
    keep = (lines["customer"].notna() & lines["sale"] & ~lines["note"] & ~lines["fee"]
            & lines["code"].isin(product_ids))
    sales = lines[keep]
    user_idx, customers = pd.factorize(sales["customer"])
    user_names = [str(int(c)) for c in customers]
    users = [user_names[k] for k in user_idx]
    stamp_idx, unique_stamps = pd.factorize(sales["stamp"])
    stamp_values = list(pd.DatetimeIndex(unique_stamps).to_pydatetime())
    stamps = [stamp_values[k] for k in stamp_idx]
    items = sales["code"].astype(str).tolist()
    quantities = sales["quantity"].astype("int64").tolist()
    interactions = [
        Interaction(user, item, EventKind.PURCHASE, stamp, quantity)
        for user, item, stamp, quantity in zip(users, items, stamps, quantities, strict=True)
    ]
    _count(report, "purchase lines loaded as interactions", len(interactions))
    _count(report, "customers with purchases", len(set(users)))
    return interactions


def _count(report: LoadReport, note: str, n: int) -> None:
    if n:
        report.count(note, n)
