"""Read CSV / TSV / JSON Lines / JSON array / parquet files into numbered rows of raw values.

Every reader returns a ``Table``: the file's display name, the columns it has, and its rows
as ``(row_number, {column: value})`` pairs (see ``catalog.validate`` for what the numbers
mean). Values are left raw (strings from text formats, Python scalars from JSON and parquet,
``None`` for nulls); the loaders validate them. Text is decoded with ``surrogateescape`` so
bytes that are not UTF-8 reach validation instead of aborting the read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.text import decode_bytes
from catalog.validate import require_file
from shopchat.errors import DataError

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Table:
    file: str
    columns: frozenset[str]
    rows: list[tuple[int, Row]]
    bad_rows: list[tuple[int, str]]
    """Rows the format itself could not parse (a JSON Lines line that is not an object)."""


def read_table(path: Path) -> Table:
    """Read ``path`` by its suffix; a missing, unreadable or empty file raises ``DataError``."""
    require_file(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"{path}: unsupported file type {path.suffix!r} "
                        f"(supported: {', '.join(sorted(_READERS))})")
    table = reader(path)
    if not table.rows and not table.bad_rows:
        raise DataError(f"{path}: file is empty (no data rows)")
    return table


def _read_text(path: Path) -> str:
    try:
        return decode_bytes(path.read_bytes())
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc


def _read_delimited(path: Path, delimiter: str) -> Table:
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise DataError(f"{path}: file is empty (no header)") from None
    except csv.Error as exc:
        raise DataError(f"{path}: unreadable header: {exc}") from exc
    rows: list[tuple[int, Row]] = []
    bad: list[tuple[int, str]] = []
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            bad.append((number, f"unreadable CSV: {exc}"))
            continue
        if not any(v.strip() for v in values):
            continue  # blank line: not a data row
        number += 1
        if len(values) > len(header):
            bad.append((number, f"too many fields: {len(values)} for {len(header)} columns"))
            continue
        rows.append((number, dict(zip(header, values, strict=False))))
    return Table(path.name, frozenset(header), rows, bad)


def _read_csv(path: Path) -> Table:
    return _read_delimited(path, ",")


def _read_tsv(path: Path) -> Table:
    return _read_delimited(path, "\t")


def _read_jsonl(path: Path) -> Table:
    rows: list[tuple[int, Row]] = []
    bad: list[tuple[int, str]] = []
    # split on "\n" only: U+2028 and friends may sit unescaped inside JSON strings
    for number, line in enumerate(_read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((number, f"invalid JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(value, dict):
            bad.append((number, f"invalid JSON: expected an object, got {type(value).__name__}"))
            continue
        rows.append((number, value))
    return Table(path.name, _union_keys(rows), rows, bad)


def _read_json(path: Path) -> Table:
    """A JSON array of objects, or an object wrapping one (``{"products": [...]}``)."""
    data = load_json(path)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise DataError(f"{path}: expected a JSON array of objects")
        data = lists[0]
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON array of objects")
    rows: list[tuple[int, Row]] = []
    bad: list[tuple[int, str]] = []
    for number, value in enumerate(data, start=1):
        if isinstance(value, dict):
            rows.append((number, value))
        else:
            bad.append((number, f"invalid JSON: expected an object, got {type(value).__name__}"))
    return Table(path.name, _union_keys(rows), rows, bad)


def load_json(path: Path) -> Any:
    """Parse a whole JSON file (bad UTF-8 kept as surrogates); syntax errors raise DataError."""
    return parse_json(_read_text(path), str(path))


def parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{name}: invalid JSON: {exc.msg} at line {exc.lineno} "
                        f"column {exc.colno}") from exc


def _read_parquet(path: Path) -> Table:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise DataError(f"{path}: unreadable parquet: {exc}") from exc
    frame = frame.astype(object).where(frame.notna(), None)
    records = frame.to_dict("records")
    rows = [(number, {str(k): v for k, v in rec.items()})
            for number, rec in enumerate(records, start=1)]
    return Table(path.name, frozenset(str(c) for c in frame.columns), rows, [])


def _union_keys(rows: list[tuple[int, Row]]) -> frozenset[str]:
    keys: set[str] = set()
    for _, row in rows:
        keys.update(row)
    return frozenset(keys)


_READERS: dict[str, Callable[[Path], Table]] = {
    ".csv": _read_csv,
    ".tsv": _read_tsv,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
    ".json": _read_json,
    ".parquet": _read_parquet,
    ".pq": _read_parquet,
}
