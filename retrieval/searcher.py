"""Search over one indexed catalog: dense (Chroma), lexical (BM25) or hybrid (pooled, then ranked),
with hard filters."""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.chinese.reader import ChineseReader, LazyReader
from retrieval.embedder import Embedder, embed_queries, get_embedder
from retrieval.filters import chroma_where, merge_filters
from retrieval.lexical import LexicalIndex, top_rows
from retrieval.query_parser import QueryParser
from retrieval.ranking import FEATURES, ProductTerms, QueryTerms, Ranker, candidate_features
from retrieval.ranking.guard import exact_models_first, guarded
from retrieval.ranking.rankers import SEARCH_RANKERS, FusionRanker, load_ranker
from retrieval.ranking.type_lead import TypeLead
from retrieval.specs import SpecMasks, SpecParser, SpecVocabulary
from retrieval.specs.order import SpecOrder
from retrieval.specs.relax import relax_specs
from retrieval.store import open_client, products_collection
from retrieval.types import Candidate, Filters, Mode, ParsedQuery, Relaxation, SearchResult
from retrieval.vocabulary import CatalogVocabulary
from shopchat.errors import ConfigError, IndexNotBuiltError, StoreError
from shopchat.language import has_han
from shopchat.settings import Settings
from shopchat.timing import elapsed_ms

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)

_DENSE_ORDER = FusionRanker()
DEPTH = 200  # candidates each first-stage retriever (BM25, title BM25, dense) contributes
OVERFETCH = 1.5  # margin over the expected share of matching rows in an unfiltered top-n
MIN_OVERFETCH = 500  # an unfiltered top-500 costs about as little as a top-100
MAX_OVERFETCH = 2000  # beyond this an unfiltered query costs more than a where-filtered one
MAX_IDS = 20_000  # rows a spec-filtered dense query names to Chroma
ABOUT = 100  # nearest items that say what a spec phrase's product type covers
MIN_OWN_TYPE = 50  # items a type word must name in titles before no synonym is looked for
SYNONYM_SHARE = 0.3  # share of a word's nearest items of one other type that makes it a synonym
MIN_LIFT = 10.0  # how much likelier that type is near the word than in the whole catalog
ABOUT_KIND = 500  # nearest items that count as the asked kind before a spec is relaxed


class Searcher:
    def __init__(
        self,
        catalog: str,
        lexical: LexicalIndex,
        collection: Collection,
        embedder: Embedder,
        ranker: Ranker | None = None,
        yuan_rate: float = 7.1,
    ) -> None:
        """``yuan_rate``: yuan per unit of the catalog's currency (Chinese amounts)."""
        self.catalog = catalog
        self.lexical = lexical
        self.table = lexical.table
        self.collection = collection
        self.embedder = embedder
        # Category filters only where most products have one (Icecat's 8% would hide the rest).
        categories = self.table.categories() if self.table.category_coverage() >= 0.9 else set()
        products = self.table.products
        types = TypeLead(products)
        self.type_lead: TypeLead | None = types
        self.spec_vocabulary = SpecVocabulary.learn(products)
        self.spec_masks = SpecMasks(products, self.spec_vocabulary)
        self.spec_parser = SpecParser(self.spec_vocabulary, types, len(products),
                                      self.table.brands())
        self._types = types  # the spec stage reads types even where the type_lead stage is off
        self.parser = QueryParser(
            self.table.brands(), categories,
            known_word=lambda word: not lexical.unknown_words(word)[0],
            specs=self.spec_parser,
        )
        self.terms = ProductTerms.build(products)
        self.ranker: Ranker = ranker or load_ranker("rrf")
        self.guard = True  # rank fusion where the model's first page strays (ranking/guard.py)
        self.vocabulary = CatalogVocabulary(
            products, types, lambda word: not lexical.unknown_words(word)[0])
        self._workers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexical")
        # A spec query embeds its text to read its product type, then searches with it.
        self._vector = lru_cache(maxsize=256)(self._embed)
        self._synonym = lru_cache(maxsize=256)(self._synonym_uncached)
        self.spec_order = SpecOrder(types, self.spec_parser.head, self.same_type)
        self.yuan_rate = yuan_rate
        self._chinese = LazyReader(self.table.products, yuan_rate)

    @classmethod
    def open(cls, catalog: str, settings: Settings, embedder: Embedder | None = None) -> Searcher:
        folder = settings.lexical_dir(catalog)
        if not folder.exists():
            raise IndexNotBuiltError(
                f"catalog {catalog!r} is not indexed under {settings.home}: run "
                f"`shopchat index --catalog {catalog}` first"
            )
        lexical = LexicalIndex.load(folder)
        try:
            collection = products_collection(open_client(settings), catalog, create=False)
        except Exception as exc:
            raise IndexNotBuiltError(
                f"no ChromaDB collection for catalog {catalog!r}: {exc}"
            ) from exc
        model = embedder.name if embedder else settings.embed_model
        built_with = (collection.metadata or {}).get("embed_model")
        if built_with not in (None, model):
            raise ConfigError(
                f"catalog {catalog!r} was indexed with {built_with!r}, but the embedding model "
                f"is {model!r}: run `shopchat index --catalog {catalog}` to re-embed"
            )
        ranker = SEARCH_RANKERS.pick(catalog, settings.search_ranker, settings.home)
        return cls(catalog, lexical, collection, embedder or get_embedder(model), ranker,
                   settings.yuan_rate)

    def with_ranker(self, ranker: Ranker) -> Searcher:
        """This searcher ranking hybrid results with ``ranker`` instead (evaluation scores a
        model this way): it shares this one's indexes and worker, and this one is unchanged.
        Close only the original."""
        twin = copy.copy(self)
        twin.ranker = ranker
        return twin

    def without_type_lead(self) -> Searcher:
        """This searcher without the rule stage that puts the asked-for product type before its
        accessories (evaluation's "before"); it shares this one's indexes and worker."""
        twin = copy.copy(self)
        twin.type_lead = None
        return twin

    def close(self) -> None:
        self._workers.shutdown(wait=False)

    def parse(self, query: str, context: str = "",
              prefer: frozenset[str] = frozenset()) -> ParsedQuery:
        """``context``: the conversation's search so far (a follow-up's specifications are read
        for the product type it names); ``prefer``: attributes it already constrains. A
        Chinese message is read as English first (the script decides)."""
        if not has_han(query):
            return self.parser.parse(query, context, about=self.about, prefer=prefer)
        reading = self.chinese.read(query)
        parsed = self.parser.parse(reading.english, context, about=self.about, prefer=prefer)
        # nothing read: the search text falls back to the message itself, which a
        # multilingual embedding model still matches by meaning
        original = reading.english or query
        return dataclasses.replace(parsed, reading=reading, original=original)

    @cached_property
    def brand_names(self) -> dict[str, str]:
        """A lower-cased brand -> the catalog's spelling of it ("hp" -> "HP")."""
        return self.table.brand_spellings()

    @property
    def chinese(self) -> ChineseReader:
        """This catalog's reader of Chinese messages (built on the first one: about 1 s)."""
        return self._chinese.reader()

    def about(self, text: str, depth: int = ABOUT) -> np.ndarray:
        """Rows of the ``depth`` items nearest to ``text`` by meaning (what a spec phrase's
        product type covers: "laptop" also finds the catalog's notebooks)."""
        vector = self._vector(text)
        return np.sort(np.fromiter((row for row, _ in self._query(vector, depth, None)),
                                   dtype=np.int64))

    def same_type(self, query: str) -> tuple[str, ...]:
        """The catalog's own word for the type ``query`` names, when its titles seldom use the
        shopper's ("laptop": the items nearest to it by meaning are mostly "notebook"s)."""
        head = self.spec_parser.head(query)
        if head is None or self._types.type_rows(head.noun).size >= MIN_OWN_TYPE:
            return ()
        return self._synonym(query, head.noun)

    def _synonym_uncached(self, query: str, noun: str) -> tuple[str, ...]:
        rows = self.about(query)
        counts = self._types.type_words(rows)
        counts.pop(noun, None)
        size = len(self.table)
        # the type most over-represented near the word, among those covering a good share
        lift = {word: n / max(self._types.type_rows(word).size, 1) for word, n in counts.items()
                if n >= SYNONYM_SHARE * max(rows.size, 1)}
        if not lift:
            return ()
        word = max(sorted(lift), key=lift.__getitem__)
        return (word,) if lift[word] * size / max(rows.size, 1) >= MIN_LIFT else ()

    def clear_caches(self) -> None:
        """Forget cached query vectors (benchmarks time each search's embedding)."""
        self._vector.cache_clear()

    def _embed(self, text: str) -> np.ndarray:
        return embed_queries(self.embedder, [text])[0]

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Rows meeting ``filters`` (None: nothing is filtered)."""
        mask = self.table.mask(filters)
        specs = self.spec_masks.all(filters.specs)
        if specs is None:
            return mask
        return specs if mask is None else mask & specs

    def search(
        self,
        query: str | ParsedQuery,
        k: int = 10,
        mode: Mode | str = Mode.HYBRID,
        filters: Filters | None = None,
    ) -> SearchResult:
        mode = Mode(mode)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        parsed = self._with_filters(query, filters)
        relaxed: tuple[Relaxation, ...] = ()
        if parsed.filters.specs:
            parsed, relaxed = self._relaxed(parsed)
        timings["parse"] = elapsed_ms(t0)
        searched = self._in_catalog_words(self.vocabulary.spelled(parsed))
        lexical, dense = self._retrieve(searched, mode, max(k, DEPTH), k, timings)
        t1 = time.perf_counter()
        if mode is Mode.LEXICAL:
            candidates = self._listed(lexical.ranked, dense, lexical, k)
        elif mode is Mode.DENSE:
            candidates = self._listed(dense, dense, lexical, k)
        else:
            candidates = self._rank(
                self._pooled(lexical, dense), k, timings,
                strict_type=any(s.hard for s in parsed.filters.specs),
                preferred=self.spec_masks.preferred(parsed.filters.specs))
        timings["rank"] = elapsed_ms(t1)
        unknown, known_any = self.lexical.unknown_words(parsed.search_text)
        if parsed.reading is not None and not known_any:  # say which Chinese words it lacks
            unknown = [*parsed.reading.unknown, *unknown]
        timings["total"] = elapsed_ms(t0)
        return SearchResult(query=parsed, mode=mode, candidates=candidates, timings_ms=timings,
                            unknown_words=tuple(unknown), catalog_words=known_any,
                            relaxed=relaxed)

    def _in_catalog_words(self, parsed: ParsedQuery) -> ParsedQuery:
        """A query with a hard spec also searches for the catalog's own word for its type when
        its titles seldom use the shopper's ("14 inch laptop" also searches "notebook"): the
        spec filter then has the right items to choose from."""
        if not any(spec.hard for spec in parsed.filters.specs):
            return parsed
        synonyms = self.same_type(parsed.search_text)
        if not synonyms:
            return parsed
        return dataclasses.replace(parsed, text=" ".join([parsed.search_text, *synonyms]))

    def _relaxed(self, parsed: ParsedQuery) -> tuple[ParsedQuery, tuple[Relaxation, ...]]:
        """Hard where the catalog can, soft where it cannot: specifications that no item of the
        asked kind meets give way to the nearest values the catalog has."""
        head = self.spec_parser.head(parsed.search_text)
        typed = self._types.type_rows(head.noun) if head else np.zeros(0, dtype=np.int64)
        specs, relaxed = relax_specs(
            parsed.filters, self.table.mask, self.spec_masks, typed,
            nearby=lambda: self._nearby(parsed.search_text))
        if not relaxed:
            return parsed, ()
        filters = dataclasses.replace(parsed.filters, specs=specs)
        return dataclasses.replace(parsed, filters=filters), relaxed

    def _nearby(self, text: str) -> np.ndarray:
        """Rows that count as the kind ``text`` asks for besides the ones its titles name: the
        nearest by meaning, and the items of the catalog's own word for it ("notebook")."""
        rows = [self.about(text, ABOUT_KIND)]
        rows += [self._types.type_rows(word) for word in self.same_type(text)]
        return np.unique(np.concatenate(rows))

    def pool(self, query: str | ParsedQuery, filters: Filters | None = None) -> Pool:
        """The candidates hybrid search would rank, with their features (for training)."""
        parsed = self.vocabulary.spelled(self._with_filters(query, filters))
        lexical, dense = self._retrieve(parsed, Mode.HYBRID, DEPTH, DEPTH, {})
        return self._pooled(lexical, dense)

    def _with_filters(self, query: str | ParsedQuery, filters: Filters | None) -> ParsedQuery:
        parsed = self.parse(query) if isinstance(query, str) else query
        active = merge_filters(parsed.filters, filters)
        return dataclasses.replace(parsed, filters=active)

    def _retrieve(
        self, parsed: ParsedQuery, mode: Mode, depth: int, k: int, timings: dict[str, float]
    ) -> tuple[LexicalHits, list[tuple[int, float]]]:
        """The first stage: BM25 (whole text, title) in a worker thread beside the dense query."""
        mask = self.mask(parsed.filters)
        lexical_job = None
        if mode in (Mode.LEXICAL, Mode.HYBRID):
            lexical_job = self._workers.submit(self._lexical, parsed, mask, depth)
        dense: list[tuple[int, float]] = []
        if mode in (Mode.DENSE, Mode.HYBRID):
            dense = self._dense(parsed, mask, k, depth, timings)
        lexical = LexicalHits.none()
        if lexical_job is not None:
            lexical, timings["lexical"] = lexical_job.result()
        return lexical, dense

    def _lexical(
        self, parsed: ParsedQuery, mask: np.ndarray | None, depth: int
    ) -> tuple[LexicalHits, float]:
        t0 = time.perf_counter()
        query = QueryTerms.of(parsed.search_text)
        scores = self.lexical.scores(parsed.search_text)
        fields = self.lexical.fields.scores(query.tokens)
        rows = top_rows(scores, depth, mask)
        title_rows = top_rows(fields["title"], depth, mask)
        hits = LexicalHits(query, scores, fields, list(zip(rows.tolist(), scores[rows].tolist(),
                                                           strict=True)), title_rows)
        return hits, elapsed_ms(t0)

    def _dense(
        self,
        parsed: ParsedQuery,
        mask: np.ndarray | None,
        k: int,
        depth: int,
        timings: dict[str, float],
    ) -> list[tuple[int, float]]:
        """Top ``depth`` by cosine among products passing ``mask`` (at least the top ``k``).

        Broad filters over-fetch an unfiltered ANN query and keep the matching rows: those are
        exactly the best matching items, as far as they go. When fewer than ``k`` survive (a
        narrow filter, or one that disagrees with the query), Chroma's ``where`` clause runs.
        """
        t0 = time.perf_counter()
        vector = self._vector(parsed.search_text)
        timings["embed"] = elapsed_ms(t0)
        t1 = time.perf_counter()
        hits: list[tuple[int, float]] | None = None
        if mask is None:
            hits = self._query(vector, depth, None)
        elif (allowed := int(mask.sum())) == 0:
            hits = []
        else:
            expected = min(depth, allowed) * len(mask) / allowed * OVERFETCH
            fetch = min(max(math.ceil(expected), MIN_OVERFETCH), len(mask))
            if fetch <= MAX_OVERFETCH:
                kept = [h for h in self._query(vector, fetch, None) if mask[h[0]]]
                if len(kept) >= min(k, allowed):
                    hits = kept[:depth]
            if hits is None and parsed.filters.specs:  # Chroma cannot read specs: name the ids
                ids = [self.table.products[r].id for r in np.flatnonzero(mask)[:MAX_IDS]]
                hits = self._query(vector, min(depth, len(ids)), None, ids=ids)
            if hits is None:
                hits = self._query(vector, depth, chroma_where(parsed.filters))
        timings["dense"] = elapsed_ms(t1)
        return hits

    def _query(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None,
        ids: list[str] | None = None,
    ) -> list[tuple[int, float]]:
        try:
            got = self.collection.query(
                query_embeddings=vector.reshape(1, -1),
                n_results=n,
                where=where,
                ids=ids,
                include=["distances"],
            )
        except Exception as exc:
            raise StoreError(f"ChromaDB query failed for catalog {self.catalog!r}: {exc}") from exc
        ids = got["ids"][0] if got["ids"] else []
        distances = (got["distances"] or [[]])[0]
        out = []
        for pid, dist in zip(ids, distances, strict=True):
            row = self.table.row_of.get(pid)
            if row is not None:  # a vector whose product left the catalog is never returned
                out.append((row, 1.0 - float(dist)))
        return out

    def _pooled(self, lexical: LexicalHits, dense: list[tuple[int, float]]) -> Pool:
        """Union of the first-stage lists with the features the ranker reads."""
        lex_rank = {row: r for r, (row, _) in enumerate(lexical.ranked, start=1)}
        dense_score = dict(dense)
        dense_rank = {row: r for r, (row, _) in enumerate(dense, start=1)}
        pooled = [row for row, _ in lexical.ranked] + [row for row, _ in dense]
        rows = np.fromiter(
            dict.fromkeys([*pooled, *lexical.title_rows.tolist()]), dtype=np.int64
        )
        features = candidate_features(
            self.terms, lexical.query, rows, lexical.scores, lexical.fields, lex_rank,
            dense_score, dense_rank,
        ) if rows.size else np.zeros((0, len(FEATURES)), dtype=np.float32)
        ids = [self.table.products[r].id for r in rows.tolist()]
        return Pool(rows, ids, features, lexical, lex_rank, dense_score, dense_rank)

    def _rank(self, pool: Pool, k: int, timings: dict[str, float],
              strict_type: bool = False,
              preferred: tuple[np.ndarray, bool] | None = None) -> list[Candidate]:
        """The pool ordered by the ranker (ties by row, so results are deterministic), then the
        asked-for product type before its accessories."""
        if not pool.ids:
            return []
        # No word of the query is in the catalog (another language, a typo): the ranker learned
        # from lexical evidence, so the dense order stands (rank fusion of the dense list alone).
        ranker = self.ranker if pool.lexical_rank else _DENSE_ORDER
        scores = ranker.score(pool.features)
        order = np.lexsort((pool.rows, -scores))
        if self.guard and not isinstance(ranker, FusionRanker):
            text = pool.lexical.query.text
            order = guarded(order, pool, lambda: self.vocabulary.query_classes.classify(text))
            order = exact_models_first(order, pool.rows, self.terms.code, pool.lexical.query.codes)
        # An item the guard or the type-lead stage moves takes the score of the place it moves
        # to, so a later stage that re-sorts by score (personalisation) keeps their order.
        place_scores = -np.sort(-scores)
        query = pool.lexical.query.text
        if self.type_lead is not None:
            t0 = time.perf_counter()
            order = self.type_lead.reorder(query, pool.rows, order)
            timings["type_lead"] = elapsed_ms(t0)
        if strict_type:
            order = self.spec_order.typed_first(query, pool.rows, order)
        if preferred is not None:
            order = self.spec_order.preferred_first(query, pool.rows, order, *preferred)
        order = order[:k]
        out = []
        for rank, i in enumerate(order.tolist(), start=1):
            row = int(pool.rows[i])
            lex_rank = pool.lexical_rank.get(row)
            out.append(
                Candidate(
                    product=self.table.products[row],
                    score=float(place_scores[rank - 1]),
                    rank=rank,
                    lexical_score=float(pool.lexical.scores[row]) if lex_rank else None,
                    dense_score=pool.dense_score.get(row),
                    lexical_rank=lex_rank,
                    dense_rank=pool.dense_rank.get(row),
                )
            )
        return out

    def _listed(
        self,
        ranked: list[tuple[int, float]],
        dense: list[tuple[int, float]],
        lexical: LexicalHits,
        k: int,
    ) -> list[Candidate]:
        """One retriever's own order (``lexical`` or ``dense`` mode)."""
        lex = dict(lexical.ranked)
        lex_rank = {row: r for r, (row, _) in enumerate(lexical.ranked, start=1)}
        den = dict(dense)
        den_rank = {row: r for r, (row, _) in enumerate(dense, start=1)}
        return [
            Candidate(
                product=self.table.products[row],
                score=float(score),
                rank=rank,
                lexical_score=lex.get(row),
                dense_score=den.get(row),
                lexical_rank=lex_rank.get(row),
                dense_rank=den_rank.get(row),
            )
            for rank, (row, score) in enumerate(ranked[:k], start=1)
        ]


@dataclass(frozen=True, slots=True)
class Pool:
    """Candidates from every first-stage list, with one feature row each (``FEATURES``)."""

    rows: np.ndarray
    ids: list[str]
    features: np.ndarray
    lexical: LexicalHits
    lexical_rank: dict[int, int]
    dense_score: dict[int, float]
    dense_rank: dict[int, int]


@dataclass(frozen=True, slots=True)
class LexicalHits:
    """What the lexical side found: whole-text and per-field scores, and its top rows."""

    query: QueryTerms
    scores: np.ndarray
    fields: dict[str, np.ndarray]
    ranked: list[tuple[int, float]]
    title_rows: np.ndarray

    @classmethod
    def none(cls) -> LexicalHits:
        empty = np.zeros(0, dtype=np.float32)
        return cls(QueryTerms.of(""), empty, {}, [], np.zeros(0, dtype=np.int64))

