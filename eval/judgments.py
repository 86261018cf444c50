"""Read and validate relevance judgment files (``query,docid,rating`` CSV)."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shopchat.errors import DataError
from shopchat.records import LoadReport

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("query", "docid", "rating")
_LOGGED_ISSUES = 20  # log this many bad rows one by one, then only the summary


def answerable(labels: Mapping[str, Mapping[str, int]]) -> frozenset[str]:
    """Queries with a relevant label (a rating above 0): the others score 0 whatever a system
    returns, so figures are also given over these alone."""
    return frozenset(q for q, rated in labels.items() if any(r > 0 for r in rated.values()))


@dataclass(frozen=True, slots=True)
class Judgments:
    """Validated judgments: ``frame`` has columns query (str), docid (str), rating (int >= 0)."""

    path: Path
    frame: pd.DataFrame
    report: LoadReport

    @property
    def queries(self) -> list[str]:
        """Distinct queries in file order."""
        return list(dict.fromkeys(self.frame["query"]))

    def as_dict(self) -> dict[str, dict[str, int]]:
        """``{query: {docid: rating}}``, every rating kept (0 included)."""
        out: dict[str, dict[str, int]] = {}
        for query, docid, rating in self.frame.itertuples(index=False, name=None):
            out.setdefault(query, {})[docid] = int(rating)
        return out


def _parse_rating(raw: str) -> int | None:
    """A non-negative integer rating ("2" or "2.0"), or None when it is not one."""
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)


def load_judgments(path: str | Path) -> Judgments:
    """Read ``path``; skip bad rows (logged with file/row/reason and counted in the report).

    Raises DataError when the file is missing or unreadable, a required column is missing,
    or no valid row is left.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError as exc:
        raise DataError(f"{path}: judgments file not found") from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot read judgments CSV: {exc}") from exc

    raw.columns = [str(c).strip().lower() for c in raw.columns]
    for column in REQUIRED_COLUMNS:
        if column not in raw.columns:
            raise DataError(
                f"{path}: missing column {column!r} (have {list(raw.columns)}, "
                f"need {list(REQUIRED_COLUMNS)})"
            )

    report = LoadReport(source=str(path), rows_read=len(raw))
    kept: list[tuple[str, str, int]] = []
    seen: dict[tuple[str, str], int] = {}
    triples = raw[list(REQUIRED_COLUMNS)].itertuples(index=False, name=None)
    for index, (query, docid, rating_raw) in enumerate(triples):
        row = index + 2  # 1-based file line; line 1 is the header
        query, docid = str(query).strip(), str(docid).strip()
        rating = _parse_rating(str(rating_raw).strip())
        if not query:
            report.reject(str(path), row, "query", "empty query")
        elif not docid:
            report.reject(str(path), row, "docid", "empty docid")
        elif rating is None:
            report.reject(str(path), row, "rating",
                          f"not a non-negative integer: {rating_raw!r}")
        elif (query, docid) in seen:
            report.reject(str(path), row, "docid",
                          f"duplicate: (query, docid) already rated on row {seen[query, docid]}")
        else:
            seen[query, docid] = row
            kept.append((query, docid, rating))

    report.loaded = len(kept)
    for issue in report.issues[:_LOGGED_ISSUES]:
        logger.warning("bad judgment row: %s", issue)
    if report.rejected:
        logger.warning("%s: skipped %d of %d judgment rows (%s)", path, report.rejected,
                       report.rows_read, report.reasons())
    if not kept:
        raise DataError(f"{path}: no valid judgment rows ({report.rejected} rejected)")

    frame = pd.DataFrame(kept, columns=list(REQUIRED_COLUMNS))
    frame["rating"] = frame["rating"].astype("int64")
    logger.info("%s: %d judgments over %d queries", path, len(frame), frame["query"].nunique())
    return Judgments(path=path, frame=frame, report=report)
