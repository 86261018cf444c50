"""Type precision@k: of a system's top k, the share of items of the product type the query asks
for ("gaming mouse" -> mice, not mouse pads).

Scored over the judged queries whose head noun is a product type the catalog has; both that
and "item is of the asked type" are the rules of ``retrieval/ranking/type_lead.py``, read from
the catalog's own titles and categories (no hand list per catalog). The judgments' ratings are
not used here: this measures what kind of item leads, not how relevant it is.

Scored on a run made without the type-lead stage, ``stage_effect`` also applies the stage to
that run's own rankings: a paired before/after on the same rankings (the same fold models under
cross-validation), free of the run-to-run noise between two separate runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from eval.judgments import load_judgments
from eval.metrics import METRICS, build_qrels, score_run
from retrieval.ranking.type_lead import Head, Kind, TypeLead

if TYPE_CHECKING:
    from eval.search_eval import EvalResult
    from retrieval import Searcher

AT = 5
SHOWN = 10
"""Ids kept per query in type_precision.json, and the depth at which a ranking "changed"."""


@dataclass(frozen=True, slots=True)
class TypePrecision:
    at: int
    heads: dict[str, str]
    """Query -> the stemmed head noun it asks for (only queries that name a catalog type)."""
    per_query: dict[str, float]
    """Query -> share of its top ``at`` that is of the asked type."""
    shown: dict[str, list[str]]
    """Every query -> its top ``SHOWN`` ids."""

    @property
    def mean(self) -> float:
        return sum(self.per_query.values()) / len(self.per_query) if self.per_query else 0.0

    def summary(self) -> dict[str, float]:
        return {f"type_precision@{self.at}": self.mean, "type_queries": float(len(self.heads))}


@dataclass(frozen=True, slots=True)
class StageEffect:
    """One system's run with the type-lead stage applied to its own rankings."""

    types: TypePrecision
    metrics: dict[str, float]
    """nDCG@10, Recall@100 and MRR of the reordered rankings."""
    changed: list[str]
    """Queries whose top ``SHOWN`` the stage reorders."""


def type_queries(lead: TypeLead, queries: Sequence[str],
                 search_text: Callable[[str], str] = str) -> dict[str, Head]:
    """The queries whose head noun is a product type of ``lead``'s catalog, with that head.
    ``search_text``: what search matches for a query (the parser's free text)."""
    heads = {q: lead.head(search_text(q)) for q in queries}
    return {q: h for q, h in heads.items() if h is not None}


def type_precision(lead: TypeLead, heads: Mapping[str, Head],
                   ranked: Mapping[str, Sequence[str]], at: int = AT) -> TypePrecision:
    """Type precision@``at`` of one system's ``ranked`` ids per query (an id the catalog lacks
    is not of the type; a list shorter than ``at`` counts its empty places as misses)."""
    per_query = {}
    for query, head in heads.items():
        top = ranked.get(query, [])[:at]
        per_query[query] = sum(lead.kind_of(pid, head) is Kind.TYPE for pid in top) / at
    return TypePrecision(at, {q: h.noun for q, h in heads.items()}, per_query,
                         {q: list(ids[:SHOWN]) for q, ids in ranked.items()})


def _lead_search(searcher: Searcher) -> tuple[TypeLead, Callable[[str], str]]:
    lead = searcher.type_lead or TypeLead(searcher.table.products)
    return lead, lambda q: searcher.parse(q).search_text


def score_types(searcher: Searcher, result: EvalResult, at: int = AT) -> dict[str, TypePrecision]:
    """Type precision@``at`` of every system in ``result`` (the searcher's catalog decides which
    queries name a product type and what is of that type)."""
    lead, search_text = _lead_search(searcher)
    heads = type_queries(lead, result.queries, search_text)
    return {name: type_precision(lead, heads, res.ranked, at)
            for name, res in result.systems.items()}


def stage_effect(searcher: Searcher, result: EvalResult, at: int = AT) -> dict[str, StageEffect]:
    """Each system of ``result`` (a run without the stage) with the stage applied to its
    rankings, as search applies it: the same function on the same ranked list."""
    lead, search_text = _lead_search(searcher)
    heads = type_queries(lead, result.queries, search_text)
    qrels = build_qrels(load_judgments(result.judgments_path))
    out = {}
    for name, res in result.systems.items():
        ranked = {}
        for query, ids in res.ranked.items():
            rows = np.array([lead.row_of.get(i, -1) for i in ids], dtype=np.int64)
            known = rows >= 0  # every id comes from the catalog; guard anyway
            order = lead.reorder(search_text(query), rows, np.flatnonzero(known))
            ranked[query] = [ids[i] for i in order.tolist()]
        changed = [q for q in result.queries if ranked[q][:SHOWN] != res.ranked[q][:SHOWN]]
        out[name] = StageEffect(type_precision(lead, heads, ranked, at),
                                score_run(qrels, ranked, METRICS).mean, changed)
    return out


def write_type_precision(results: Mapping[str, TypePrecision], out_dir: str | Path,
                         effects: Mapping[str, StageEffect] | None = None) -> Path:
    """``type_precision.json``: per system the mean, the number of type queries, and per query
    the head noun, the precision and the top ids; with ``effects``, the same run with the stage
    applied (its metrics, the queries it reorders and their new top ids)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "type_precision.json"
    doc: dict[str, dict[str, object]] = {}
    for name, tp in results.items():
        doc[name] = {
            **tp.summary(),
            "queries": {
                q: {"head": tp.heads.get(q), "precision": tp.per_query.get(q), "top": ids}
                for q, ids in tp.shown.items()
            },
        }
        if effects and name in effects:
            effect = effects[name]
            doc[name]["with_stage"] = {
                **effect.types.summary(), **effect.metrics, "changed": effect.changed,
                "top": {q: effect.types.shown[q] for q in effect.changed},
            }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path
