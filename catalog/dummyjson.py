"""DummyJSON demo catalog: ``dummyjson/products.json`` (194 products) and ``carts.json``.

Products: category, brand (missing on about half -> ""), price in USD, image =
``thumbnail`` (else the first of ``images``), attributes ``tags`` (comma-joined), ``sku``,
``rating``. Both files may be a bare JSON array or the API's wrapped form
(``{"products": [...]}``, ``{"carts": [...]}``).

Carts -> ``EventKind.CART`` interactions, one per cart line, user id = ``str(userId)``.
Carts carry no time, so a cart's lines are stamped ``CART_EPOCH + cart id`` seconds: order
follows cart ids and is stable across loads. Row numbers are 1-based positions in each
file's array (for carts: the cart's position; the field names the line, ``products[2].id``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from catalog.readers import load_json
from catalog.validate import (
    ProductBag,
    RowError,
    log_report,
    price_field,
    quantity_field,
    require_file,
    text_field,
    try_row,
)
from shopchat.errors import DataError
from shopchat.records import Catalog, EventKind, Interaction, LoadReport, Product

log = logging.getLogger(__name__)

PRODUCTS_FILE = "dummyjson/products.json"
CARTS_FILE = "dummyjson/carts.json"
CART_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
"""Carts have no timestamp: cart N is stamped ``CART_EPOCH + N seconds``."""


def load_dummyjson(data_dir: Path) -> Catalog:
    """Load products and carts under ``data_dir``; a missing file raises ``DataError``."""
    report = LoadReport(source=str(data_dir / "dummyjson"))
    products_raw = _records(data_dir, PRODUCTS_FILE, "products")
    carts_raw = _records(data_dir, CARTS_FILE, "carts")
    report.rows_read = len(products_raw) + len(carts_raw)

    bag = ProductBag(report)
    for row, raw in enumerate(products_raw, start=1):
        bag.add(PRODUCTS_FILE, row, to_product, raw)
    known = {p.id for p in bag.products}

    interactions: list[Interaction] = []
    for row, raw in enumerate(carts_raw, start=1):
        lines = try_row(report, CARTS_FILE, row, cart_lines, raw)
        for interaction, position in lines or []:
            if interaction.item_id in known:
                interactions.append(interaction)
            else:
                report.reject(CARTS_FILE, row, f"products[{position}].id",
                              f"unknown product: {interaction.item_id!r} is not in "
                              f"{PRODUCTS_FILE}")
    report.loaded = len(bag.products) + len(interactions)
    missing_brand = sum(1 for p in bag.products if not p.brand)
    if missing_brand:
        report.count("products without brand", missing_brand)
    log_report(log, report)
    return Catalog(name="dummyjson", products=bag.products, interactions=interactions,
                   report=report)


def _records(data_dir: Path, name: str, key: str) -> list[Any]:
    path = require_file(data_dir / name)
    data = load_json(path)
    if isinstance(data, dict):
        data = data.get(key)
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON array of {key} (or {{{key!r}: [...]}})")
    return data


def to_product(raw: object) -> Product:
    """One DummyJSON product -> ``Product``; raises ``RowError`` for unusable values."""
    rec = _object(raw)
    images = rec.get("images")
    image = text_field(rec.get("thumbnail"), "thumbnail")
    if not image and isinstance(images, list) and images:
        image = text_field(images[0], "images")
    attributes = {}
    tags = rec.get("tags")
    if isinstance(tags, list):
        joined = ", ".join(t for t in (text_field(tag, "tags") for tag in tags) if t)
        if joined:
            attributes["tags"] = joined
    for name in ("sku", "rating"):
        value = text_field(rec.get(name), name)
        if value:
            attributes[name] = value
    return Product(
        id=text_field(rec.get("id"), "id", required=True),
        title=text_field(rec.get("title"), "title", required=True),
        description=text_field(rec.get("description"), "description"),
        brand=text_field(rec.get("brand"), "brand"),
        category=text_field(rec.get("category"), "category"),
        price=price_field(rec.get("price"), "price"),
        currency="USD",
        attributes=attributes,
        image_url=image,
    )


def cart_lines(raw: object) -> list[tuple[Interaction, int]]:
    """A cart's lines as ``(interaction, line position)``; raises ``RowError`` if unusable."""
    cart = _object(raw)
    cart_id = text_field(cart.get("id"), "id", required=True)
    if not cart_id.isdigit():
        raise RowError("id", f"bad cart id: {cart_id[:20]!r} is not a whole number")
    user = text_field(cart.get("userId"), "userId", required=True)
    lines = cart.get("products")
    if not isinstance(lines, list):
        raise RowError("products", "missing products: expected a list of cart lines")
    stamp = CART_EPOCH + timedelta(seconds=int(cart_id))
    out = []
    for position, line in enumerate(lines):
        field = f"products[{position}]"
        if not isinstance(line, dict):
            raise RowError(field, "bad cart line: expected an object")
        item = text_field(line.get("id"), f"{field}.id", required=True)
        quantity = quantity_field(line.get("quantity"), f"{field}.quantity")
        out.append((Interaction(user, item, EventKind.CART, stamp, quantity), position))
    return out


def _object(raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RowError("*", f"invalid JSON: expected an object, got {type(raw).__name__}")
    return raw
