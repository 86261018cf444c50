"""Translated queries scored against the original queries' judgments (e.g. Chinese vs English).

A pairs file (``query_zh,query_en`` or any ``query_<lang>,query_en``) names, for each
translated query, the judged English query whose labels it inherits. Both sides are searched
with the same systems, so the table shows what the translation costs each system.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from eval.judgments import load_judgments
from eval.search_eval import EvalResult, Searcher, evaluate_search
from shopchat.errors import DataError

log = logging.getLogger(__name__)

CHINESE_PAIRS = Path(__file__).parent / "data" / "icecat-zh.csv"
"""15 judged Icecat queries translated into Chinese (shipped with shopchat)."""


@dataclass(frozen=True, slots=True)
class TranslatedEval:
    language: str
    pairs: list[tuple[str, str]]
    """(translated query, English query)."""
    original: EvalResult
    translated: EvalResult


def read_pairs(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """(language code, [(translated, english), ...]) from a two-column CSV."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read translated queries: {exc}") from exc
    if not rows or len(rows[0]) != 2 or rows[0][1] != "query_en" \
            or not rows[0][0].startswith("query_"):
        raise DataError(f"{path}: row 1: expected the header query_<lang>,query_en")
    pairs: list[tuple[str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise DataError(f"{path}: row {number}: expected two non-empty columns, got {row}")
        pairs.append((row[0].strip(), row[1].strip()))
    return rows[0][0].removeprefix("query_"), pairs


def evaluate_translated(
    searcher: Searcher,
    judgments_path: Path,
    pairs_path: Path,
    systems: list[str],
    out_dir: Path,
    *,
    progress: bool = True,
) -> TranslatedEval:
    """Score ``systems`` on the English queries of the pairs and on their translations."""
    language, pairs = read_pairs(pairs_path)
    graded = load_judgments(judgments_path).as_dict()
    missing = [en for _, en in pairs if en not in graded]
    if missing:
        raise DataError(f"{pairs_path}: queries not in {judgments_path}: {missing}")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    for side, pick in (("en", 1), (language, 0)):
        path = out_dir / f"judgments-{side}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["query", "docid", "rating"])
            for pair in pairs:
                for doc, rating in graded[pair[1]].items():
                    writer.writerow([pair[pick], doc, rating])
        files[side] = path
    original = evaluate_search(searcher, files["en"], systems, progress=progress)
    translated = evaluate_search(searcher, files[language], systems, progress=progress)
    return TranslatedEval(language, pairs, original, translated)
