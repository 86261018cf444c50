"""Per-class scores of an evaluation: is any kind of query worse than plain BM25?

Queries are classed by ``retrieval.query_classes`` (rules over the catalog's own vocabulary).
Each class gets its mean nDCG@10 per system over all its queries and over its answerable ones
(those with a relevant label: a query without one scores 0 whatever is returned), and each
system's difference to the baseline system (``bm25``) on the answerable ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from eval.judgments import Judgments, answerable
from eval.search_eval import EvalResult

METRIC = "ndcg@10"
BASELINE = "bm25"


@dataclass(frozen=True, slots=True)
class ClassRow:
    query_class: str
    queries: int
    answerable: int
    all_queries: dict[str, float]
    """system -> mean nDCG@10 over every query of the class."""
    answerable_queries: dict[str, float]
    """system -> mean nDCG@10 over the class's answerable queries (nan when it has none)."""


def by_class(result: EvalResult, judgments: Judgments,
             classify: Callable[[str], str]) -> list[ClassRow]:
    """One row per class (in order of size), then one for all queries."""
    reachable = answerable(judgments.as_dict())
    classes = {q: str(classify(q)) for q in result.queries}
    sizes = Counter(classes.values())
    names = sorted(sizes, key=lambda c: (-sizes[c], c))
    rows = [_row(c, [q for q in result.queries if classes[q] == c], result, reachable)
            for c in names]
    return [*rows, _row("all", list(result.queries), result, reachable)]


def _row(name: str, queries: list[str], result: EvalResult,
         reachable: frozenset[str]) -> ClassRow:
    hit = [q for q in queries if q in reachable]
    means_all, means_hit = {}, {}
    for system, res in result.systems.items():
        values = {q: res.per_query[q][METRIC] for q in queries}
        means_all[system] = _mean([values[q] for q in queries])
        means_hit[system] = _mean([values[q] for q in hit])
    return ClassRow(name, len(queries), len(hit), means_all, means_hit)


def _mean(values: list[float]) -> float:
    return float(sum(values) / len(values)) if values else float("nan")


def class_frame(rows: list[ClassRow]) -> pd.DataFrame:
    """The table as a frame: class, counts, then per system all / answerable / vs baseline."""
    records = []
    for row in rows:
        record: dict[str, object] = {"class": row.query_class, "queries": row.queries,
                                     "answerable": row.answerable}
        base = row.answerable_queries.get(BASELINE)
        for system in row.all_queries:
            record[f"{system} all"] = round(row.all_queries[system], 4)
            record[f"{system} answerable"] = round(row.answerable_queries[system], 4)
            if base is not None and system != BASELINE:
                record[f"{system} - {BASELINE}"] = round(row.answerable_queries[system] - base, 4)
        records.append(record)
    return pd.DataFrame.from_records(records)


def write_by_class(rows: list[ClassRow], classes: dict[str, str], out_dir: Path) -> list[Path]:
    """by_class.csv (the table) and query_classes.csv (each query's class)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = out_dir / "by_class.csv"
    class_frame(rows).to_csv(table, index=False)
    listing = out_dir / "query_classes.csv"
    pd.DataFrame({"query": list(classes), "class": list(classes.values())}).to_csv(
        listing, index=False)
    return [table, listing]
