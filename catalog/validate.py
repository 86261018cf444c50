"""Row validation shared by the loaders.

A loader turns each source row into a record with small ``*_field`` parsers; a parser that
cannot make sense of a value raises ``RowError(field, reason)``. ``try_row`` and
``ProductBag`` turn that into ``report.reject(file, row, field, reason)`` so one bad row never
stops the load. Reasons read ``"<kind>: <detail>"``; ``LoadReport.reasons()`` groups by kind.

Row numbers are 1-based *data* rows as a person counts them in the file: in CSV the header
is not counted (row 1 is the first record under it; blank lines are skipped and not
counted; a quoted field may span lines), in JSON Lines row N is line N, in a JSON array row
N is the N-th element, in parquet row N is the N-th table row.

Problems with a whole file (missing file, missing required column, empty file) raise
``DataError`` instead, naming the file and, where it applies, the column.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from catalog.text import BrokenEncodingError, clean_text
from shopchat.errors import DataError
from shopchat.records import EventKind, LoadReport, Product

T = TypeVar("T")
R = TypeVar("R")

_EPOCH = re.compile(r"-?\d+(\.\d*)?")
EVENT_NAMES = ", ".join(kind.value for kind in EventKind)


class RowError(ValueError):
    """One field of one row is unusable; the loader rejects the row and goes on."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def require_file(path: Path) -> Path:
    """Return ``path`` if it is a readable file, else raise ``DataError`` naming it."""
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "not found"
        raise DataError(f"data file {what}: {path}")
    return path


def require_columns(file: str, present: Iterable[str], required: Iterable[str]) -> None:
    """Raise ``DataError`` naming ``file`` and every required column it lacks."""
    have = set(present)
    missing = [col for col in dict.fromkeys(required) if col not in have]
    if missing:
        names = ", ".join(repr(col) for col in missing)
        raise DataError(f"{file}: missing required column {names} "
                        f"(found: {', '.join(sorted(have)) or 'none'})")


def text_field(value: object, field: str, *, required: bool = False,
               html_markup: bool = False) -> str:
    """A cleaned text value; ``required`` rejects empty values as ``missing <field>``."""
    try:
        text = clean_text(value, html_markup=html_markup)
    except BrokenEncodingError as exc:
        raise RowError(field, f"broken encoding: bytes that are not valid UTF-8 ({exc})") from exc
    if required and not text:
        raise RowError(field, f"missing {field}")
    return text


MAX_PRICE = Decimal(10) ** 12


def price_field(value: object, field: str = "price", *, cents: bool = False) -> Decimal | None:
    """A non-negative ``Decimal`` amount (``cents`` divides by 100); empty gives ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowError(field, f"bad price: {value!r} is not a number")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        price = Decimal(text)
    except InvalidOperation:
        shown = text_field(text, field)[:40]
        raise RowError(field, f"bad price: {shown!r} is not a number") from None
    if price.is_nan():
        raise RowError(field, "bad price: NaN")
    if price.is_infinite():
        raise RowError(field, f"bad price: {text} is not finite")
    if price < 0:
        raise RowError(field, f"negative price: {text}")
    amount = price.scaleb(-2) if cents else price
    if amount > MAX_PRICE:  # beyond any shop (and beyond a float: 1e309 would become inf)
        raise RowError(field, f"implausible price: {text} (more than {MAX_PRICE:,})")
    return amount


def timestamp_field(value: object, field: str = "timestamp") -> datetime:
    """An aware UTC datetime from ISO 8601 text, epoch seconds or a datetime.

    Naive values are taken as UTC.
    """
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        stamp = _from_epoch(float(value), field)
    else:
        text = text_field(value, field, required=True)
        if _EPOCH.fullmatch(text):
            stamp = _from_epoch(float(text), field)
        else:
            try:
                stamp = datetime.fromisoformat(text)
            except ValueError:
                raise RowError(field, f"bad timestamp: {text[:40]!r} is not ISO 8601 "
                                      "or epoch seconds") from None
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def _from_epoch(seconds: float, field: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise RowError(field, f"bad timestamp: {seconds!r} is not a valid time") from None


def event_field(value: object, field: str = "event") -> EventKind:
    """An ``EventKind`` from its name (case-insensitive)."""
    text = text_field(value, field, required=True)
    try:
        return EventKind(text.lower())
    except ValueError:
        raise RowError(field, f"unknown event: {text[:40]!r} (known: {EVENT_NAMES})") from None


def quantity_field(value: object, field: str = "quantity") -> int:
    """A whole quantity of at least 1; empty gives 1."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    if isinstance(value, float) and math.isnan(value):
        return 1
    text = text_field(value, field)
    try:
        number = float(text)
    except ValueError:
        raise RowError(field, f"bad quantity: {text[:40]!r} is not a number") from None
    if not number.is_integer() or number < 1:
        raise RowError(field, f"bad quantity: {text!r} is not a whole number >= 1")
    return int(number)


def try_row(report: LoadReport, file: str, row: int, build: Callable[[T], R], raw: T) -> R | None:
    """``build(raw)``, or ``None`` after recording the ``RowError`` it raised in ``report``."""
    try:
        return build(raw)
    except RowError as exc:
        report.reject(file, row, exc.field, exc.reason)
        return None


class ProductBag:
    """Collects products from rows, rejecting bad rows and ids seen before (first one wins).

    ``id_field`` is the source column the ids come from, named in duplicate-id rejects.
    """

    def __init__(self, report: LoadReport, id_field: str = "id") -> None:
        self.report = report
        self.id_field = id_field
        self.products: list[Product] = []
        self._seen: dict[str, str] = {}

    def add(self, file: str, row: int, build: Callable[[T], Product], raw: T) -> None:
        product = try_row(self.report, file, row, build, raw)
        if product is None:
            return
        first = self._seen.get(product.id)
        if first is not None:
            self.report.reject(file, row, self.id_field,
                               f"duplicate id: {product.id!r} first seen at {first}")
            return
        self._seen[product.id] = f"{file} row {row}"
        self.products.append(product)


SHOWN_ISSUES = 10
"""Rejected rows listed one by one (file:row: field: reason) before "... and N more"."""


def note_line(note: str, n: int) -> str:
    """One counted note as a fact: ``"of 19,406 products name a type"`` reads ``"1,532 of ..."``.

    Notes that start with ``"of "`` carry their own total; the others read ``"<note>: <n>"``.
    """
    return f"{n:,} {note}" if note.startswith("of ") else f"{note}: {n:,}"


def report_line(report: LoadReport, label: str = "", *, products: int | None = None,
                interactions: int | None = None) -> str:
    """A load in one line: what was loaded from how many rows, and what was rejected (by kind).

    ``products`` / ``interactions`` name what was loaded (a catalog's lists); without them the
    line counts ``report.loaded`` records.
    """
    what = [f"{n:,} {noun if n == 1 else noun + 's'}"
            for n, noun in ((products, "product"), (interactions, "interaction"))
            if n is not None and (n or noun == "product")]
    if not what:
        what = [f"{report.loaded:,} {'record' if report.loaded == 1 else 'records'}"]
    rows = "row" if report.rows_read == 1 else "rows"
    line = f"{label or report.source}: {' and '.join(what)} from {report.rows_read:,} {rows}"
    if not report.rejected:
        return f"{line}, none rejected"
    kinds = ", ".join(f"{reason}: {n:,}" for reason, n in sorted(report.reasons().items()))
    return f"{line}, rejected {report.rejected:,} ({kinds})"


def report_details(report: LoadReport) -> list[str]:
    """The counted notes (expected conditions, as facts), one line each, for ``-v``."""
    return [note_line(note, n) for note, n in sorted(report.notes.items())]


def issue_lines(report: LoadReport, limit: int = SHOWN_ISSUES) -> list[str]:
    """The first ``limit`` rejected rows as ``file:row: field: reason``, then how many more."""
    lines = [str(issue) for issue in report.issues[:limit]]
    if report.rejected > limit:
        lines.append(f"... and {report.rejected - limit:,} more")
    return lines


def log_report(log: logging.Logger, report: LoadReport) -> None:
    """Log a loader's summary in one line (a warning listing the first rejected rows when rows
    were rejected, else info) and its counted notes at debug level."""
    if report.rejected:
        log.warning("%s", "\n  ".join([report_line(report), *issue_lines(report)]))
    else:
        log.info("%s", report_line(report))
    for line in report_details(report):
        log.debug("  %s", line)
