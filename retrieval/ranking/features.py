"""Features of (query, candidate product) pairs for the second-stage ranker.

Every feature comes from the catalog itself and the two first-stage retrievers: per-field BM25,
dense cosine, where and how the query's words sit in the title, product-type intent (the
catalog's own product types), brand and model-number matches, data coverage and price.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.fields import FIELDS
from retrieval.tokenize import tokenize
from shopchat.records import Product

FEATURES: tuple[str, ...] = (
    "bm25",
    "bm25_share",
    *(f"bm25_{name}" for name in FIELDS),
    "dense",
    "dense_gap",
    "lexical_log_rank",
    "dense_log_rank",
    "rrf",
    "title_coverage",
    "title_phrase",
    "title_last_match",
    "title_words_after",
    "title_first_match",
    "title_length",
    "query_length",
    "code_exact",
    "brand_named",
    "accessory_of_query",
    "type_match",
    "log_attributes",
    "log_description",
    "log_price",
)
"""Column order of the feature matrix; a trained ranker is tied to it."""

UNRANKED = 1000  # the rank a retriever that did not return an item is taken to have given it
RRF_K = 60
_TITLE_FEATURES = 11  # columns _title_features returns, "title_coverage" .. "type_match"
_ALNUM = re.compile(r"[^0-9a-z]")


def model_code(text: str) -> str:
    """A model number as codes are compared ("TN-2110" -> "tn2110")."""
    return _ALNUM.sub("", text.lower())


@dataclass(frozen=True, slots=True)
class ProductTerms:
    """Per-row tokens and catalog statistics the features need, computed once per catalog."""

    title: list[list[str]]
    brand: list[frozenset[str]]
    type_head: list[str]
    """Last word of the product type ("keyboard cover" -> "cover"); "" when unknown."""
    heads: frozenset[str]
    """Every product-type head word the catalog uses: what an accessory's title ends on."""
    code: list[str]
    log_attributes: np.ndarray
    log_description: np.ndarray
    log_price: np.ndarray

    @classmethod
    def build(cls, products: Sequence[Product]) -> ProductTerms:
        type_head = []
        for p in products:
            words = tokenize(p.category)
            type_head.append(words[-1] if words else "")
        price = np.array(
            [math.log1p(float(p.price)) if p.price is not None else -1.0 for p in products],
            dtype=np.float32,
        )
        return cls(
            title=[tokenize(p.title) for p in products],
            brand=[frozenset(tokenize(p.brand)) for p in products],
            type_head=type_head,
            heads=frozenset(h for h in type_head if h),
            code=[model_code(p.attributes.get("model", "")) for p in products],
            log_attributes=np.log1p(
                np.array([len(p.attributes) for p in products], dtype=np.float32)
            ),
            log_description=np.log1p(
                np.array([len(p.description) for p in products], dtype=np.float32)
            ),
            log_price=price,
        )


@dataclass(frozen=True, slots=True)
class QueryTerms:
    text: str
    tokens: list[str]
    codes: frozenset[str]
    """The query's words as model numbers would be written ("TN-2110" -> "tn2110")."""

    @classmethod
    def of(cls, text: str) -> QueryTerms:
        codes = frozenset(c for c in (model_code(w) for w in text.split()) if len(c) >= 3)
        return cls(text=text, tokens=tokenize(text), codes=codes)


def candidate_features(
    terms: ProductTerms,
    query: QueryTerms,
    rows: np.ndarray,
    bm25: np.ndarray,
    fields: Mapping[str, np.ndarray],
    lexical_rank: Mapping[int, int],
    dense: Mapping[int, float],
    dense_rank: Mapping[int, int],
) -> np.ndarray:
    """Feature matrix, one row per candidate in ``rows``, columns as in ``FEATURES``."""
    n = len(rows)
    wanted = set(query.tokens)
    q_len = max(1, len(wanted))
    lexical = bm25[rows].astype(np.float32)
    top_lexical = float(lexical.max()) if n and lexical.max() > 0 else 1.0
    lowest_dense = min(dense.values()) if dense else 0.0
    top_dense = max(dense.values()) if dense else 0.0
    cosine = np.array([dense.get(int(r), lowest_dense) for r in rows], dtype=np.float32)
    lex_rank = np.array([lexical_rank.get(int(r), UNRANKED) for r in rows], dtype=np.float32)
    den_rank = np.array([dense_rank.get(int(r), UNRANKED) for r in rows], dtype=np.float32)

    text_features = np.zeros((n, _TITLE_FEATURES), dtype=np.float32)
    for i, row in enumerate(rows.tolist()):
        text_features[i] = _title_features(terms, query, wanted, q_len, row)

    columns = [
        lexical,
        lexical / top_lexical,
        *(fields[name][rows] for name in FIELDS),
        cosine,
        cosine - top_dense,
        np.log(lex_rank),
        np.log(den_rank),
        1.0 / (RRF_K + lex_rank) + 1.0 / (RRF_K + den_rank),
    ]
    tail = [terms.log_attributes[rows], terms.log_description[rows], terms.log_price[rows]]
    return np.column_stack([*columns, text_features, *tail]).astype(np.float32)


def _title_features(
    terms: ProductTerms, query: QueryTerms, wanted: set[str], q_len: int, row: int
) -> tuple[float, ...]:
    title = terms.title[row]
    hits = [i for i, word in enumerate(title) if word in wanted]
    n_q = len(query.tokens)
    phrase = n_q > 0 and any(title[i : i + n_q] == query.tokens for i in range(len(title)))
    last = hits[-1] if hits else -1
    after = title[last + 1] if hits and last + 1 < len(title) else ""
    # "keyboard cover" for "keyboard": the word after the match is another product type.
    accessory = bool(after) and after in terms.heads and after not in wanted
    head = terms.type_head[row]
    type_match = 0.5 if not head else float(head in wanted)
    return (
        len(wanted.intersection(title)) / q_len,
        float(phrase),
        (last + 1) / len(title) if hits else 0.0,
        float(len(title) - 1 - last) if hits else float(len(title)),
        float(hits[0]) if hits else 20.0,
        float(len(title)),
        float(len(query.tokens)),
        float(bool(terms.code[row]) and terms.code[row] in query.codes),
        float(bool(terms.brand[row]) and terms.brand[row] <= wanted),
        float(accessory),
        type_match,
    )
