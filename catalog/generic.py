"""Load a product catalog from any CSV / TSV / JSON Lines / JSON / parquet file.

A ``ColumnMapping`` says which source column feeds which ``Product`` field. Every column it
names must exist in the file (else ``DataError``); rows with a missing id or title, a bad
price, broken text or a duplicate id are rejected into the report and the rest load.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from catalog.readers import Row, Table, read_table
from catalog.validate import (
    ProductBag,
    RowError,
    log_report,
    price_field,
    require_columns,
    text_field,
)
from shopchat.records import Catalog, LoadReport, Product

log = logging.getLogger(__name__)

_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which source column feeds each ``Product`` field (``None``: the field stays empty).

    ``currency`` is a constant ISO 4217 code used unless ``currency_column`` names a column.
    ``attributes`` columns land in ``Product.attributes`` under their column names (empty
    values are left out). ``price_in_cents`` divides prices by 100. ``html`` unescapes
    entities and drops tags in text fields.
    """

    id: str = "id"
    title: str = "title"
    description: str | None = None
    brand: str | None = None
    category: str | None = None
    price: str | None = None
    currency: str = "USD"
    currency_column: str | None = None
    image_url: str | None = None
    attributes: tuple[str, ...] = ()
    price_in_cents: bool = False
    html: bool = False

    def columns(self) -> list[str]:
        """Every source column this mapping reads, required ones first."""
        optional = [self.description, self.brand, self.category, self.price,
                    self.currency_column, self.image_url]
        return [self.id, self.title, *(c for c in optional if c), *self.attributes]

    def to_product(self, row: Row) -> Product:
        """Build one product from a raw row; raises ``RowError`` for unusable values."""
        def text(column: str | None, *, required: bool = False) -> str:
            if column is None:
                return ""
            return text_field(row.get(column), column, required=required,
                              html_markup=self.html)

        attributes = {}
        for column in self.attributes:
            value = text(column)
            if value:
                attributes[column] = value
        price = (price_field(row.get(self.price), self.price, cents=self.price_in_cents)
                 if self.price else None)
        return Product(
            id=text_field(row.get(self.id), self.id, required=True),
            title=text(self.title, required=True),
            description=text(self.description),
            brand=text(self.brand),
            category=text(self.category),
            price=price,
            currency=self._currency(row),
            attributes=attributes,
            image_url=text(self.image_url),
        )

    def _currency(self, row: Row) -> str:
        if self.currency_column is None:
            return self.currency
        code = text_field(row.get(self.currency_column), self.currency_column).upper()
        if not code:
            return self.currency
        if not _CURRENCY.fullmatch(code):
            raise RowError(self.currency_column,
                           f"bad currency: {code[:20]!r} is not a 3-letter ISO 4217 code")
        return code


def load_products_file(path: Path, mapping: ColumnMapping | None = None) -> Catalog:
    """Load products from ``path`` (format by suffix) into a ``Catalog`` named after the file."""
    mapping = mapping or ColumnMapping()
    table = read_table(path)
    require_columns(table.file, table.columns, mapping.columns())
    report = LoadReport(source=str(path))
    products = products_from_table(table, mapping, report)
    log_report(log, report)
    return Catalog(name=path.stem, products=products, interactions=[], report=report)


def products_from_table(table: Table, mapping: ColumnMapping, report: LoadReport) -> list[Product]:
    """Validate every row of ``table`` into products, recording rejects in ``report``."""
    report.rows_read += len(table.rows) + len(table.bad_rows)
    for row, reason in table.bad_rows:
        report.reject(table.file, row, "*", reason)
    bag = ProductBag(report, id_field=mapping.id)
    for row, raw in table.rows:
        bag.add(table.file, row, mapping.to_product, raw)
    without_price = sum(1 for p in bag.products if p.price is None)
    if mapping.price and without_price:
        report.count("products without a price", without_price)
    zero = sum(1 for p in bag.products if p.price == 0)
    if zero:
        report.count("products priced 0", zero)
    report.loaded += len(bag.products)
    return bag.products
