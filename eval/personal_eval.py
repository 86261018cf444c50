"""Time-split evaluation of personalisation on a catalog's purchase histories.

Each sampled customer's purchases split at a cut-off date: profiles are built from the
purchases before it (in a temporary profile set, deleted afterwards), the purchases after it
are the test. Every test item gives a query from its title (``QueryBuilder``); the same hybrid
search result is scored as it is and reordered by the customer's profile (``Personaliser``),
so both systems rank exactly the same candidates. Relevant = that customer's test items with
that query. Empty-query recommendations are scored on the first basket after the cut-off
against the most-bought items before it. Users forgotten in the live store are left out.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from eval.metrics import build_qrels, score_run
from eval.personal_queries import QueryBuilder
from retrieval.embedder import Embedder, get_embedder
from retrieval.indexer import build_index
from retrieval.profiles import Personaliser
from retrieval.profiles.builder import build_profiles
from retrieval.profiles.events import has_events, open_events
from retrieval.searcher import Searcher
from retrieval.types import SearchResult
from shopchat.errors import ConfigError
from shopchat.records import Catalog, EventKind, Interaction
from shopchat.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)

SEARCH_METRICS = ("ndcg@10", "mrr", "recall@10")
MRR_TARGET = 1.2
"""The issue's bar: personalised MRR / non-personalised MRR on the same queries."""
REC_K = 20


@dataclass(frozen=True, slots=True)
class PersonalEvalConfig:
    cutoff: datetime | None = None
    """None: the first day of the month holding the 60% quantile of purchase times."""
    until: datetime | None = None
    """Test purchases before this only (None: all after the cut-off)."""
    users: int = 200
    queries_per_user: int = 5
    min_train_items: int = 5
    seed: int = 13


@dataclass
class TimeSplit:
    """Train-only profiles of the sampled users (in a temporary profile set) and their queries."""

    personaliser: Personaliser
    cutoff: datetime
    users: list[str]
    train: dict[str, list[Interaction]]
    test: dict[str, list[Interaction]]
    cases: list[QueryCase]
    profile_build_s: float
    forgotten_skipped: int
    _searches: dict[str, SearchResult] = field(default_factory=dict)

    def search(self, query: str) -> SearchResult:
        """The query's top ``pool`` candidates, searched once per distinct query."""
        if query not in self._searches:
            self._searches[query] = self.personaliser.searcher.search(
                query, k=self.personaliser.config.pool)
        return self._searches[query]


@dataclass(frozen=True, slots=True)
class QueryCase:
    qid: str
    user_id: str
    query: str
    relevant: frozenset[str]
    repeat: bool
    """A relevant item was bought before the cut-off too."""


@dataclass
class PersonalEvalResult:
    catalog: str
    cutoff: datetime
    metrics: dict[str, Any]
    """Exactly the keys the issue names (metrics.json)."""
    cases: list[QueryCase]
    ranked: dict[str, dict[str, list[str]]]
    """system -> qid -> ids (search), and "recommend"/"popularity" -> user -> ids."""
    per_query: dict[str, dict[str, dict[str, float]]]
    """system -> metric -> qid (or user) -> value."""
    users: list[str]
    train_counts: dict[str, int]
    baskets: dict[str, frozenset[str]]
    details: dict[str, Any] = field(default_factory=dict)


class PrecomputedEmbedder:
    """Serves known texts from one batch encode (the eval's queries), the rest from ``inner``."""

    def __init__(self, inner: Embedder, texts: list[str], batch_size: int = 64) -> None:
        self.name = inner.name
        self.dimension = inner.dimension
        self._inner = inner
        unique = sorted(set(texts))
        self._cache: dict[str, np.ndarray] = {}
        if unique:
            self._cache = dict(zip(unique, inner.embed(unique, batch_size), strict=True))

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if all(t in self._cache for t in texts):
            return np.stack([self._cache[t] for t in texts])
        return self._inner.embed(texts, batch_size)


def default_cutoff(interactions: list[Interaction], quantile: float = 0.6) -> datetime:
    stamps = sorted(i.timestamp for i in interactions)
    if not stamps:
        raise ConfigError("the catalog has no interactions to split")
    at = stamps[min(int(len(stamps) * quantile), len(stamps) - 1)].astimezone(UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def _forgotten(settings: Settings, catalog: str, users: set[str]) -> set[str]:
    if not has_events(settings, catalog):
        return set()
    store = open_events(settings, catalog)
    try:
        return {u for u in users if store.is_forgotten(u)}
    finally:
        store.close()


def split_users(catalog: Catalog, cutoff: datetime, cfg: PersonalEvalConfig,
                known: set[str], skip: set[str]) -> tuple[
                    list[str], dict[str, list[Interaction]], dict[str, list[Interaction]]]:
    """Sampled users (fixed seed) with their purchases before and after ``cutoff``."""
    train: dict[str, list[Interaction]] = defaultdict(list)
    test: dict[str, list[Interaction]] = defaultdict(list)
    for it in catalog.interactions:
        if it.event is not EventKind.PURCHASE or it.item_id not in known:
            continue
        if it.timestamp < cutoff:
            train[it.user_id].append(it)
        elif cfg.until is None or it.timestamp < cfg.until:
            test[it.user_id].append(it)
    eligible = sorted(u for u, evs in train.items()
                      if u in test and u not in skip
                      and len({e.item_id for e in evs}) >= cfg.min_train_items)
    rng = random.Random(cfg.seed)
    users = sorted(rng.sample(eligible, min(cfg.users, len(eligible))))
    return users, train, test


def make_cases(users: list[str], train: dict[str, list[Interaction]],
               test: dict[str, list[Interaction]], builder: QueryBuilder,
               titles: dict[str, str], cfg: PersonalEvalConfig) -> list[QueryCase]:
    cases = []
    for user in users:
        by_query: dict[str, set[str]] = defaultdict(set)
        for it in test[user]:
            query = builder.query(titles[it.item_id])
            if query:
                by_query[query].add(it.item_id)
        bought = {it.item_id for it in train[user]}
        queries = sorted(by_query)
        random.Random(f"{cfg.seed}:{user}").shuffle(queries)
        for query in sorted(queries[: cfg.queries_per_user]):
            relevant = frozenset(by_query[query])
            cases.append(QueryCase(f"{user}\t{query}", user, query, relevant,
                                   bool(relevant & bought)))
    return cases


@contextmanager
def time_split(catalog: Catalog, settings: Settings, cfg: PersonalEvalConfig, *,
               embedder: Embedder | None = None, client: ClientAPI | None = None,
               progress: bool = True) -> Iterator[TimeSplit]:
    """Index the catalog if needed, sample users, build their train-only profiles; the
    temporary profile set is dropped on exit."""
    embedder = embedder or get_embedder(settings.embed_model)
    build_index(catalog, settings, embedder=embedder, client=client, progress=progress)
    searcher = Searcher.open(catalog.name, settings, embedder=embedder)
    try:
        cutoff = (cfg.cutoff or default_cutoff(catalog.interactions)).astimezone(UTC)
        known = set(searcher.table.row_of)
        skip = _forgotten(settings, catalog.name, {i.user_id for i in catalog.interactions})
        users, train, test = split_users(catalog, cutoff, cfg, known, skip)
        if not users:
            raise ConfigError(
                f"no user of {catalog.name!r} has purchases on both sides of {cutoff}")
        titles = {p.id: p.title for p in searcher.table.products}
        cases = make_cases(users, train, test, QueryBuilder(titles.values()), titles, cfg)
        searcher.embedder = PrecomputedEmbedder(
            embedder, [searcher.parse(c.query).search_text for c in cases],
            settings.embed_batch_size)
        with tempfile.TemporaryDirectory(prefix="shopchat-eval-") as tmp:
            personaliser = Personaliser.open(
                searcher, settings, name=f"{catalog.name}-eval-{uuid.uuid4().hex[:8]}",
                events_path=Path(tmp) / "events.sqlite", client=client)
            try:
                stats = build_profiles(personaliser, [it for u in users for it in train[u]],
                                       "eval-train", progress=progress)
                yield TimeSplit(personaliser, cutoff, users, train, test, cases,
                                round(stats.seconds, 2), len(skip))
            finally:
                personaliser.profiles.drop()
                personaliser.close()
    finally:
        searcher.close()


def evaluate_personal(catalog: Catalog, settings: Settings,
                      cfg: PersonalEvalConfig | None = None, *, embedder: Embedder | None = None,
                      client: ClientAPI | None = None, progress: bool = True) -> PersonalEvalResult:
    """Index the catalog if needed, build train-only profiles, score both systems."""
    cfg = cfg or PersonalEvalConfig()
    started = time.perf_counter()
    with time_split(catalog, settings, cfg, embedder=embedder, client=client,
                    progress=progress) as split:
        result = _run(catalog.name, split, progress)
        ranker = split.personaliser.ranker
    result.details.update({
        "cutoff": split.cutoff.isoformat(),
        "config": {k: str(v) for k, v in vars_of(cfg).items()},
        "personal_ranker": ranker.name if ranker is not None else "linear",
        "forgotten_users_skipped": split.forgotten_skipped,
        "profile_build_s": split.profile_build_s,
        "seconds": round(time.perf_counter() - started, 1),
    })
    return result


def vars_of(cfg: PersonalEvalConfig) -> dict[str, Any]:
    return {f: getattr(cfg, f) for f in cfg.__dataclass_fields__}


def _run(name: str, split: TimeSplit, progress: bool) -> PersonalEvalResult:
    personaliser, cases, users = split.personaliser, split.cases, split.users
    train, test = split.train, split.test
    ranked: dict[str, dict[str, list[str]]] = {"personalised": {}, "non_personalised": {}}
    for case in tqdm(cases, desc="eval personal", unit="query", disable=not progress):
        result = split.search(case.query)
        ranked["non_personalised"][case.qid] = result.ids
        ranked["personalised"][case.qid] = personaliser.personalise(case.user_id, result).ids
    search_qrels = build_qrels({c.qid: dict.fromkeys(c.relevant, 1) for c in cases})
    scores = {s: score_run(search_qrels, ranked[s], SEARCH_METRICS) for s in ranked}

    buyers: Counter[str] = Counter()
    for evs in train.values():
        buyers.update({e.item_id for e in evs})
    popular = [i for i, _ in sorted(buyers.items(), key=lambda kv: (-kv[1], kv[0]))[:REC_K]]
    baskets = {}
    for user in users:
        first = min(e.timestamp for e in test[user])
        baskets[user] = frozenset(e.item_id for e in test[user] if e.timestamp == first)
    ranked["recommend"] = {}
    for user in users:
        rec = personaliser.recommend(user, REC_K)
        ranked["recommend"][user] = rec.ids if rec is not None else []
    ranked["popularity"] = {u: popular for u in users}
    rec_qrels = build_qrels({u: dict.fromkeys(b, 1) for u, b in baskets.items()})
    for system in ("recommend", "popularity"):
        scores[system] = score_run(rec_qrels, ranked[system], (f"recall@{REC_K}",))
    metrics = {
        "personalised": scores["personalised"].mean,
        "non_personalised": scores["non_personalised"].mean,
        "recommend": {f"recall@{REC_K}": scores["recommend"].mean[f"recall@{REC_K}"],
                      f"popularity_recall@{REC_K}": scores["popularity"].mean[f"recall@{REC_K}"]},
        "queries": len(cases),
        "users": len(users),
    }
    per_query = {s: sc.per_query for s, sc in scores.items()}
    details = {"splits": _splits(cases, per_query),
               "headroom": headroom(cases, per_query["non_personalised"]["mrr"])}
    return PersonalEvalResult(name, split.cutoff, metrics, cases, ranked, per_query, users,
                              {u: len(train[u]) for u in users}, baskets, details)


def _splits(cases: list[QueryCase], per_query: dict[str, dict[str, dict[str, float]]]
            ) -> dict[str, dict[str, Any]]:
    """Mean metrics over queries whose item was bought before the cut-off, and the rest."""
    out: dict[str, dict[str, Any]] = {}
    for label, keep in (("repeat", True), ("new", False)):
        qids = [c.qid for c in cases if c.repeat is keep]
        out[label] = {"queries": len(qids)}
        for system in ("personalised", "non_personalised"):
            out[label][system] = {
                m: float(np.mean([per_query[system][m][q] for q in qids])) if qids else 0.0
                for m in SEARCH_METRICS}
    return out


def headroom(cases: list[QueryCase], base_mrr: dict[str, float],
             target: float = MRR_TARGET) -> dict[str, float]:
    """How far re-bought items alone can carry the MRR ratio, and what the rest must then add.

    The repeat oracle puts a re-bought relevant item first in every repeat query (MRR 1 there)
    and leaves the other queries as the non-personalised search ranks them: no ordering driven
    by what a user bought before can do better on the repeat queries.
    """
    if not cases:
        return {}
    base = np.array([base_mrr[c.qid] for c in cases])
    repeat = np.array([c.repeat for c in cases])
    oracle = np.where(repeat, 1.0, base)
    mean = float(base.mean())
    new = int((~repeat).sum())
    needed = (target * mean * len(cases) - float(repeat.sum())) / new if new else float("nan")
    return {
        "repeat_share": round(float(repeat.mean()), 4),
        "repeat_oracle_mrr": round(float(oracle.mean()), 4),
        "repeat_oracle_ratio": round(float(oracle.mean()) / mean, 4) if mean else float("nan"),
        "new_mrr_non_personalised": round(float(base[~repeat].mean()), 4) if new else float("nan"),
        "new_mrr_needed": round(needed, 4),
    }
