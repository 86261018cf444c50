"""Translated queries scored against the original queries' judgments (e.g. Chinese vs English).

A pairs file names, for each translated query, the judged English query whose labels it
inherits. Its header is ``query_<lang>,query_en`` (every row in the one split ``all``) or
``query_<lang>,query_en,split``, where each row names its split (the shipped Chinese file
has ``dev``, to look at and tune on, and ``heldout``, to report). Both sides are searched with
the same systems, so the table shows what the translation costs each system; ``split`` picks
the rows to score (None: all of them).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

from eval.judgments import answerable, load_judgments
from eval.metrics import build_qrels, score_run
from eval.search_eval import EvalResult, Searcher, evaluate_search
from shopchat.errors import DataError

log = logging.getLogger(__name__)

CHINESE_PAIRS = Path(__file__).parent / "data" / "icecat-zh.csv"
"""91 of the 95 judged Icecat queries translated into Chinese as shoppers type them (shipped
with shopchat): 38 in the ``dev`` split, 53 ``heldout``."""

ALL_ROWS = "all"
"""The split of every row of a two-column pairs file."""


@dataclass(frozen=True, slots=True)
class TranslatedEval:
    language: str
    pairs: list[tuple[str, str]]
    """(translated query, English query)."""
    original: EvalResult
    translated: EvalResult
    split: str | None = None
    """The split scored (None: every row of the file)."""
    labels: dict[str, dict[str, int]] = field(default_factory=dict)
    """English query -> docid -> rating (the judgments the pairs borrow)."""

    @property
    def answerable(self) -> frozenset[str]:
        """English queries with a relevant label (``eval.judgments.answerable``)."""
        return answerable(self.labels)

    def condensed(self, system: str, side: str) -> tuple[float, float]:
        """(condensed nDCG@10, judged share of the top 10) over the answerable pairs: each
        ranking with the items nobody judged for the English query removed first (then scored
        by ranx as every other figure), which separates ranking quality from how far the labels
        reach."""
        result = self.original if side == "en" else self.translated
        asked = {(en if side == "en" else tr): en for tr, en in self.pairs
                 if en in self.answerable}
        if not asked:
            return 0.0, 0.0
        ranked = {q: result.systems[system].ranked.get(q, []) for q in asked}
        condensed = {q: [d for d in ids if d in self.labels[asked[q]]]
                     for q, ids in ranked.items()}
        scores = score_run(build_qrels({q: self.labels[en] for q, en in asked.items()}),
                           condensed, ("ndcg@10",))
        judged = [sum(d in self.labels[asked[q]] for d in ids[:10]) / 10
                  for q, ids in ranked.items()]
        return scores.mean["ndcg@10"], sum(judged) / len(judged)

    def mean(self, system: str, metric: str, side: str, answerable_only: bool = False) -> float:
        """``metric`` of ``system`` averaged over the pairs, on the English ("en") or the
        translated side."""
        if side == "en":
            per_query = self.original.systems[system].per_query
            keys = [(en, en) for _, en in self.pairs]
        else:
            per_query = self.translated.systems[system].per_query
            keys = [(tr, en) for tr, en in self.pairs]
        scores = [per_query.get(query, {}).get(metric, 0.0) for query, en in keys
                  if not answerable_only or en in self.answerable]
        return sum(scores) / len(scores) if scores else 0.0


def read_pair_rows(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """(language code, [(translated, english, split), ...]): every row of a pairs file, in
    file order; a two-column file's rows are in the split ``all``."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read translated queries: {exc}") from exc
    header = [cell.strip() for cell in rows[0]] if rows else []
    if len(header) not in (2, 3) or header[1] != "query_en" \
            or not header[0].startswith("query_") or header[0] == "query_" \
            or (len(header) == 3 and header[2] != "split"):
        raise DataError(f"{path}: row 1: expected the header query_<lang>,query_en "
                        f"or query_<lang>,query_en,split, got {rows[0] if rows else []}")
    width = len(header)
    names = "translated query, English query" + (", split" if width == 3 else "")
    out: list[tuple[str, str, str]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue  # a blank line
        cells = [cell.strip() for cell in row]
        if len(cells) != width or not all(cells):
            raise DataError(f"{path}: row {number}: expected {width} non-empty columns "
                            f"({names}), got {row}")
        if cells[0] in seen:  # its judgments would merge two English queries' labels
            raise DataError(f"{path}: row {number}: translated query {cells[0]!r} is already "
                            f"on row {seen[cells[0]]}")
        seen[cells[0]] = number
        out.append((cells[0], cells[1], cells[2] if width == 3 else ALL_ROWS))
    return header[0].removeprefix("query_"), out


def read_pairs(path: Path, split: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(language code, [(translated, english), ...]) from a pairs CSV, in file order.

    ``split``: None keeps every row, else only that split's rows (``all`` is the one split of
    a two-column file); a split the file lacks is a DataError listing those it has."""
    language, rows = read_pair_rows(path)
    if split is not None:
        splits = sorted({row[2] for row in rows})
        if split not in splits:
            raise DataError(f"{path}: no split {split!r}; the file's splits: "
                            f"{', '.join(splits) or '(none: no rows)'}")
        rows = [row for row in rows if row[2] == split]
    return language, [(translated, english) for translated, english, _ in rows]


def evaluate_translated(
    searcher: Searcher,
    judgments_path: Path,
    pairs_path: Path,
    systems: list[str],
    out_dir: Path,
    *,
    progress: bool = True,
    split: str | None = None,
) -> TranslatedEval:
    """Score ``systems`` on the English queries of the pairs and on their translations
    (``split``: only that split's pairs; None: all of them)."""
    language, pairs = read_pairs(pairs_path, split)
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
    labels = {en: dict(graded[en]) for _, en in pairs}
    return TranslatedEval(language, pairs, original, translated, split, labels)
