"""Icecat electronics catalog: ``icecat/products-{1..4}.json.zip`` (19,406 products).

Each zip holds one JSON array. Mapping: ``price`` (US cents, int or string) -> USD dollars;
brand = ``supplier``; description = ``short_description`` (HTML: tags dropped, entities
unescaped); category = ``attr_t_product_type`` or ""; image = ``img_500x500`` (then
``img_high``, ``img_low``, ``img_thumb``). Attributes: the non-empty ``attr_t_*`` (text),
``attr_n_*`` (numbers, ``6.0`` -> ``"6"``) and ``attr_b_*`` (booleans -> ``"yes"``/``"no"``)
fields with the prefix stripped, plus ``model`` (= ``name``) and ``ean`` (space-joined).
When two prefixes share a name (``attr_t_maximum_scan_area`` and ``attr_n_...``) the first
keeps the bare name and the later one keeps its type letter (``n_maximum_scan_area``).
Row numbers are 1-based positions in each part's array.
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path
from typing import Any

from catalog.readers import parse_json
from catalog.text import decode_bytes
from catalog.validate import ProductBag, log_report, price_field, require_file, text_field
from shopchat.errors import DataError
from shopchat.records import Catalog, LoadReport, Product

log = logging.getLogger(__name__)

PARTS = tuple(f"icecat/products-{n}.json.zip" for n in range(1, 5))
IMAGE_FIELDS = ("img_500x500", "img_high", "img_low", "img_thumb")
_ATTR_PREFIXES = ("attr_t_", "attr_n_", "attr_b_")
_EAN_TOKEN = re.compile(r"[^\s\[\]'\",]+")


def load_icecat(data_dir: Path) -> Catalog:
    """Load all four Icecat parts under ``data_dir``; a missing part raises ``DataError``."""
    report = LoadReport(source=str(data_dir / "icecat"))
    bag = ProductBag(report)
    paths = [require_file(data_dir / part) for part in PARTS]
    for part, path in zip(PARTS, paths, strict=True):
        records = _read_part(path)
        report.rows_read += len(records)
        for row, raw in enumerate(records, start=1):
            if not isinstance(raw, dict):
                report.reject(part, row, "*", f"invalid JSON: expected an object, got "
                                              f"{type(raw).__name__}")
                continue
            bag.add(part, row, to_product, raw)
    report.loaded = len(bag.products)
    _count_quirks(bag.products, report)
    log_report(log, report)
    return Catalog(name="icecat", products=bag.products, interactions=[], report=report)


def _read_part(path: Path) -> list[Any]:
    """The JSON array inside one zip part (the zip's only ``.json`` member)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.endswith(".json")]
            if len(members) != 1:
                raise DataError(f"{path}: expected one .json file inside, found {members}")
            text = decode_bytes(archive.read(members[0]))
    except zipfile.BadZipFile as exc:
        raise DataError(f"{path}: not a valid zip file: {exc}") from exc
    data = parse_json(text, str(path))
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON array of products")
    return data


def to_product(raw: dict[str, Any]) -> Product:
    """One Icecat record -> ``Product``; raises ``RowError`` for unusable values."""
    attributes = _attributes(raw)
    image = ""
    for name in IMAGE_FIELDS:
        image = text_field(raw.get(name), name)
        if image:
            break
    return Product(
        id=text_field(raw.get("id"), "id", required=True),
        title=text_field(raw.get("title"), "title", required=True, html_markup=True),
        description=text_field(raw.get("short_description"), "short_description",
                               html_markup=True),
        brand=text_field(raw.get("supplier"), "supplier", html_markup=True),
        category=attributes.get("product_type", ""),
        price=price_field(raw.get("price"), "price", cents=True),
        currency="USD",
        attributes=attributes,
        image_url=image,
    )


def _attributes(raw: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not key.startswith(_ATTR_PREFIXES) or value is None or value == "":
            continue
        text = _attribute_text(value, key)
        if not text:
            continue
        name = next((n for n in (key[7:], key[5:]) if n not in out), key)
        out[name] = text
    model = text_field(raw.get("name"), "name", html_markup=True)
    if model:
        out["model"] = model
    ean = _ean(raw.get("ean"))
    if ean:
        out["ean"] = ean
    return out


def _attribute_text(value: object, key: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # fast path for the ~150k numeric attributes
    return text_field(value, key, html_markup=True)


def _ean(value: object) -> str:
    """EAN codes, space-joined, from a list or a string that looks like one ("['1', '2']")."""
    if isinstance(value, list | tuple):
        return " ".join(t for t in (text_field(v, "ean") for v in value) if t)
    return " ".join(_EAN_TOKEN.findall(text_field(value, "ean")))


def _count_quirks(products: list[Product], report: LoadReport) -> None:
    """Facts, not faults: most Icecat products name no product type (``attr_t_product_type``),
    so their category is empty, and a few have no short description."""
    total = f"of {len(products):,} products"
    report.count(f"{total} have a short description",
                 sum(1 for p in products if p.description))
    report.count(f"{total} name a product type (attr_t_product_type; the others have no "
                 "category)", sum(1 for p in products if p.category))
