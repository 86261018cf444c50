"""Spec precision@10: of a searcher's top 10 for a spec query, the items of the asked type that
meet the asked spec, judged from the query's ground truth (``eval.spec_queries``), never by the
parser. Normalised by what the catalog can give: hits@10 / min(10, available).

Scored twice in one process: the searcher as it is, and the same searcher with its spec reader
off (``QueryParser.specs`` None: the spec words stay search words and nothing is filtered, i.e.
search before specs were understood), so the gain is visible on the same indexes.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from eval.spec_queries import Judge, SpecQuery
from retrieval.ranking.type_lead import TypeLead

if TYPE_CHECKING:
    from retrieval import Searcher
    from retrieval.types import SearchResult

log = logging.getLogger(__name__)

AT = 10


@dataclass(slots=True)
class QueryScore:
    query: str
    set: str
    template: str
    truth: str
    """The ground truth in short: attribute(s) and bounds or values."""
    available: int
    hits: int
    hits_base: int
    parsed: str
    """What the parser read: attribute and label per constraint; problems."""
    relaxed: str
    right_type: int
    """Of the top 10 (with specs): items of the asked type."""
    spec_ok: int
    """Of the top 10 (with specs): items meeting the ground-truth spec."""
    returned: int
    cause: str = ""
    parse_spec_ms: float = 0.0
    parse_ms: float = 0.0
    search_ms: float = 0.0

    @property
    def precision(self) -> float:
        return self.hits / AT

    @property
    def normalised(self) -> float:
        return self.hits / min(AT, self.available) if self.available else 0.0

    @property
    def normalised_base(self) -> float:
        return self.hits_base / min(AT, self.available) if self.available else 0.0


@dataclass(slots=True)
class SetScore:
    name: str
    queries: list[QueryScore] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        scored = [q for q in self.queries if q.available >= 1]
        causes: dict[str, int] = {}
        for q in scored:
            if q.cause:
                causes[q.cause] = causes.get(q.cause, 0) + 1
        return {
            "queries": len(scored),
            "normalised_precision@10": _mean([q.normalised for q in scored]),
            "normalised_precision@10_without_specs": _mean([q.normalised_base for q in scored]),
            "precision@10": _mean([q.precision for q in scored]),
            "precision@10_without_specs": _mean([q.hits_base / AT for q in scored]),
            "perfect_queries": sum(q.normalised >= 1.0 for q in scored),
            "below_target_queries": sum(q.normalised < 0.9 for q in scored),
            "causes": dict(sorted(causes.items(), key=lambda kv: -kv[1])),
            "spec_parse_ms": _quantiles([q.parse_spec_ms for q in scored]),
            "parse_ms": _quantiles([q.parse_ms for q in scored]),
            "search_ms": _quantiles([q.search_ms for q in scored]),
        }


def without_specs(searcher: Searcher) -> Searcher:
    """``searcher`` with its spec reader off (shares its indexes; the original is unchanged)."""
    twin = copy.copy(searcher)
    twin.parser = copy.copy(searcher.parser)
    twin.parser.specs = None
    return twin


def score_set(searcher: Searcher, name: str, queries: Sequence[SpecQuery],
              judge: Judge | None = None, progress: bool = True) -> SetScore:
    """Every query searched with specs and without, judged by its ground truth."""
    products = searcher.table.products
    judge = judge or Judge(products, searcher._types, searcher.spec_vocabulary)
    base = without_specs(searcher)
    out = SetScore(name)
    for q in tqdm(queries, desc=f"specs: {name}", unit="query", disable=not progress):
        out.queries.append(score_query(searcher, base, judge, q, name))
    return out


def score_query(searcher: Searcher, base: Searcher, judge: Judge, q: SpecQuery,
                name: str) -> QueryScore:
    specs = searcher.parser.specs
    started = time.perf_counter()
    if specs is not None:
        specs.parse(q.query)
    parse_spec_ms = _ms(started)
    started = time.perf_counter()
    parsed = searcher.parse(q.query)
    parse_ms = _ms(started)
    started = time.perf_counter()
    result = searcher.search(q.query, k=AT)
    search_ms = _ms(started)
    before = base.search(q.query, k=AT)
    constraints = judge.constraints(q)
    rows = _rows(searcher, result)
    types = [judge.right_type(r, q) for r in rows]
    spec = [judge.spec_holds(judge.products[r], q, constraints) for r in rows]
    hits = sum(t and s for t, s in zip(types, spec, strict=True))
    hits_base = sum(judge.right(r, q, constraints) for r in _rows(base, before))
    score = QueryScore(
        query=q.query, set=name, template=q.template, truth=_truth(q),
        available=q.available, hits=hits, hits_base=hits_base,
        parsed="; ".join([f"{c.attribute}: {c.label}" for c in parsed.filters.specs]
                         + [f"problem: {p}" for p in parsed.spec_problems]),
        relaxed="; ".join(r.message for r in result.relaxed),
        right_type=sum(types), spec_ok=sum(spec), returned=len(rows),
        parse_spec_ms=parse_spec_ms, parse_ms=parse_ms, search_ms=search_ms)
    score.cause = _cause(score, q, parsed.filters.specs, searcher._types)
    return score


def _rows(searcher: Searcher, result: SearchResult) -> list[int]:
    row_of = searcher._types.row_of
    return [row_of[i] for i in result.ids[:AT] if i in row_of]


def _cause(score: QueryScore, q: SpecQuery, parsed: Sequence[Any], lead: TypeLead) -> str:
    """Why a query scores below 0.9, in one word group (for the failure analysis)."""
    if score.normalised >= 0.9:
        return ""
    read = [c for c in parsed if c.attribute in q.attributes]
    if not parsed:
        return "spec not parsed"
    if not read:
        return "wrong attribute"
    if score.relaxed:
        return "relaxation"
    head = lead.head(q.query)
    if head is None or all(head.noun != s for s in _stems(q.types)):
        return "type not read"
    if score.right_type < min(AT, score.available):
        return "type not first"
    return "judge disagreement"


def _stems(words: Sequence[str]) -> list[str]:
    from retrieval.ranking.type_lead import stem_words

    return stem_words(w.lower() for w in words)


def _truth(q: SpecQuery) -> str:
    attrs = "|".join(q.attributes)
    if q.kind == "number":
        low = "" if q.low is None else f"{q.low:g}"
        high = "" if q.high is None else f"{q.high:g}"
        return f"{attrs} in [{low}, {high}]"
    if q.kind == "flag":
        return f"{attrs} = {'yes' if q.wanted else 'no'}"
    return f"{attrs} {'in' if q.wanted else 'not in'} {{{', '.join(q.values)}}}"


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0


def _quantiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0}
    return {"p50": round(float(np.percentile(values, 50)), 2),
            "p95": round(float(np.percentile(values, 95)), 2)}


def write_report(sets: Sequence[SetScore], out: Path,
                 settings: dict[str, Any] | None = None) -> list[Path]:
    """metrics.json (per set) and per_query.csv (every query of every set)."""
    out.mkdir(parents=True, exist_ok=True)
    metrics = {s.name: s.metrics() for s in sets}
    if settings:
        metrics["settings"] = settings
    paths = [out / "metrics.json", out / "per_query.csv"]
    paths[0].write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    rows = []
    for s in sets:
        for q in s.queries:
            row = asdict(q)
            row.update(normalised=round(q.normalised, 4),
                       normalised_without_specs=round(q.normalised_base, 4))
            rows.append(row)
    pd.DataFrame(rows).to_csv(paths[1], index=False)
    return paths
