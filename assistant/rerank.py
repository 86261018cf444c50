"""Listwise LLM rerank with one reason per item, validated, fused with the retrieval order.

The model sees short aliases (P1, P2, ...) instead of catalog ids, constrained by an enum in the
JSON schema; whatever comes back is validated again here: unknown or repeated ids are dropped,
missing ones appended in retrieval order, reasons bounded. The final order fuses the model's
ranks with retrieval ranks, so a weak model cannot bury a strong candidate. Products whose text
tries to instruct the model are shown without it and ranked last by the model's side of the
fusion, and reasons that repeat the instructions are refused (``assistant.injection``). Any
failure gives the retrieval order with reasons composed from the item's own fields, marked
degraded. For a Chinese shopper the model is asked for Chinese reasons, and one with no Han
character is replaced by the composed Chinese reason.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.answer import RefusedReason
from assistant.faithful import Cause, ReasonJudge, Unfaithful
from assistant.injection import suspicious
from assistant.llm.base import LLM, LLMBadOutput, LLMError
from assistant.prompts import (
    MAX_ABOUT_CHARS,
    entries_within,
    instructions,
    ranking_schema,
    reply_tokens,
    rerank_messages,
)
from assistant.reasons import MAX_REASON_CHARS, compose_reasons, met_specs
from retrieval.types import Candidate
from shopchat.language import Language, has_han
from shopchat.text import single_spaced
from shopchat.timing import elapsed_ms

log = logging.getLogger(__name__)

MISTAKEN_ITEM = frozenset({Cause.FOREIGN_PRODUCT, Cause.FOREIGN_BRAND, Cause.FOREIGN_NUMBER,
                           Cause.UNKNOWN_NAME, Cause.MARKUP})
"""Refusals that show the model was describing some other product (or an id, not a product):
its pick of this item is no evidence for it, so it earns no promotion in the fusion."""


@dataclass(frozen=True, slots=True)
class RerankConfig:
    top_n: int = 20
    """How many fused candidates the model reranks."""
    window: int = 20
    """Candidates per LLM call; larger ``top_n`` slides a window from the bottom up."""
    step: int = 10
    explain: int = 10
    """How many items the answer shows (and the model explains)."""
    max_reason_chars: int = 160
    about_chars: int = MAX_ABOUT_CHARS
    """Description characters per candidate line in the prompt."""
    fusion_k: float = 10.0
    llm_weight: float = 1.0
    retrieval_weight: float = 1.0


@dataclass(frozen=True, slots=True)
class RankedItem:
    candidate: Candidate
    reason: str
    score: float
    llm_rank: int | None
    retrieval_rank: int
    composed: bool = False
    """The reason was composed from the item and its page (no usable one from the model)."""


@dataclass(slots=True)
class Reranked:
    items: list[RankedItem]
    degraded: bool = False
    degraded_reason: str | None = None
    llm_ms: float = 0.0
    problems: list[str] = field(default_factory=list)
    refused: list[RefusedReason] = field(default_factory=list)
    """Model-written reasons that stated what is not their item's (``assistant.faithful``)."""


@dataclass(frozen=True, slots=True)
class ParsedRanking:
    order: list[str]
    reasons: dict[str, str]
    problems: list[str]


def parse_ranking(raw: str, aliases: Sequence[str], max_reason_chars: int) -> ParsedRanking:
    """Validate the model's JSON. Raises LLMBadOutput when nothing usable is in it."""
    try:
        data = json.loads(raw, strict=False)  # a raw tab or newline inside a reason is harmless
    except (json.JSONDecodeError, TypeError) as exc:
        raise LLMBadOutput(f"reply is not JSON: {str(raw)[:80]!r}") from exc
    entries = data.get("ranking") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise LLMBadOutput("reply has no 'ranking' list")
    known = set(aliases)
    order: list[str] = []
    reasons: dict[str, str] = {}
    problems: list[str] = []
    for entry in entries:
        alias, reason = _entry(entry)
        if not isinstance(alias, str) or alias not in known:
            problems.append(f"unknown id {alias!r}")
            continue
        if alias in reasons or alias in order:
            problems.append(f"duplicate id {alias}")
            continue
        order.append(alias)
        if isinstance(reason, str) and reason.strip() and len(reason.strip()) <= max_reason_chars:
            reasons[alias] = single_spaced(reason)
        else:
            problems.append(f"unusable reason for {alias}")
    if not order:
        raise LLMBadOutput("reply names no candidate ids: " + "; ".join(problems[:3]))
    order += [a for a in aliases if a not in order]  # missing ids, in retrieval order
    return ParsedRanking(order, reasons, problems)


def _entry(entry: Any) -> tuple[Any, Any]:
    """(id, reason) from an ``[id, reason]`` pair (the schema's shape) or an ``{"id", "reason"}``
    object (what models often write when unconstrained)."""
    if isinstance(entry, list) and entry:
        return entry[0], entry[1] if len(entry) > 1 else None
    if isinstance(entry, dict):
        return entry.get("id"), entry.get("reason")
    return None, None


def fallback(
    query: str,
    candidates: Sequence[Candidate],
    cfg: RerankConfig,
    cause: str | None,
    llm_ms: float = 0.0,
    met: Sequence[str] = (),
    lang: Language = "en",
) -> Reranked:
    page = list(candidates[: cfg.explain])
    composed = compose_reasons(query, [c.product for c in page], met=met, lang=lang)
    items = [
        RankedItem(c, reason, c.score, None, i, composed=True)
        for i, (c, reason) in enumerate(zip(page, composed, strict=True), start=1)
    ]
    return Reranked(items, degraded=cause is not None, degraded_reason=cause, llm_ms=llm_ms)


def _windows(n: int, size: int, step: int) -> list[tuple[int, int]]:
    """Bottom-up windows covering ``range(n)``, RankGPT-style, so good items bubble to the top."""
    if n <= size:
        return [(0, n)]
    spans, end = [], n
    while True:
        start = max(0, end - size)
        spans.append((start, end))
        if start == 0:
            return spans
        end -= step


def rerank(
    llm: LLM | None,
    query: str,
    constraints: dict[str, Any],
    candidates: Sequence[Candidate],
    cfg: RerankConfig,
    *,
    timeout_s: float,
    max_tokens: int,
    history: str = "",
    lang: Language = "en",
) -> Reranked:
    """``lang``: the shopper's language, which every reason is in (the model's, or composed)."""
    pool = list(candidates[: cfg.top_n])
    met = met_specs(constraints)
    if llm is None or not pool:
        return fallback(query, pool, cfg, None, met=met, lang=lang)
    aliases = [f"P{i}" for i in range(1, len(pool) + 1)]
    by_alias = dict(zip(aliases, pool, strict=True))
    planted = {a for a, c in by_alias.items() if suspicious(c.product)}
    order = list(aliases)
    reasons: dict[str, str] = {}
    problems: list[str] = []
    refused: list[RefusedReason] = []
    unearned: set[str] = set()  # picks justified with another product's facts
    judge = ReasonJudge(query, [c.product for c in pool], instructions(lang))
    started = time.perf_counter()
    try:
        for start, end in _windows(len(order), cfg.window, cfg.step):
            remaining = timeout_s - (time.perf_counter() - started)
            if remaining <= 0:
                raise LLMError("rerank ran out of time")
            window = order[start:end]
            # the schema bounds every entry, so asking for no more entries than the token
            # budget always holds means a reply is never cut
            entries = min(len(window), cfg.explain, entries_within(max_tokens))
            raw = llm.complete_json(
                rerank_messages(query, constraints, [(a, by_alias[a]) for a in window], history,
                                cfg.about_chars, lang),
                ranking_schema(window, entries, lang),
                max_tokens=min(max_tokens, reply_tokens(entries)),
                timeout_s=remaining,
            )
            parsed = parse_ranking(raw, window, cfg.max_reason_chars)
            order[start:end] = parsed.order
            for alias, reason in parsed.reasons.items():
                product = by_alias[alias].product
                verdict = (Unfaithful(Cause.INSTRUCTIONS, "its item's text carries instructions")
                           if alias in planted else judge.judge(reason, product))
                if verdict is None and lang == "zh" and not has_han(reason):
                    problems.append(f"reason for {alias} is not Chinese: {reason[:60]!r}")
                    continue
                if verdict is None:
                    reasons[alias] = reason
                    continue
                if verdict.cause in MISTAKEN_ITEM:
                    unearned.add(alias)
                refused.append(RefusedReason(id=product.id, cause=verdict.cause,
                                             detail=verdict.detail, reason=reason))
                problems.append(f"reason refused for {alias} ({verdict}): {reason[:60]!r}")
            problems += parsed.problems
    except LLMError as exc:
        cause = f"{exc.cause}: {exc}"
        log.warning("LLM rerank degraded to retrieval order (%s)", cause)
        return fallback(query, pool, cfg, cause, elapsed_ms(started), met, lang)
    llm_ms = elapsed_ms(started)
    retrieval_rank = {a: i for i, a in enumerate(aliases, start=1)}
    llm_rank = {a: i for i, a in enumerate(order, start=1)}
    for alias in planted:  # text that tries to instruct the model never earns a promotion
        llm_rank[alias] = max(llm_rank[alias], len(aliases))
    for alias in unearned - planted:  # nor does a pick justified with another item's facts
        llm_rank[alias] = max(llm_rank[alias], retrieval_rank[alias])
    score = {
        a: cfg.llm_weight / (cfg.fusion_k + llm_rank[a])
        + cfg.retrieval_weight / (cfg.fusion_k + retrieval_rank[a])
        for a in aliases
    }
    final = sorted(aliases, key=lambda a: (-score[a], retrieval_rank[a]))[: cfg.explain]
    # items the model gave no usable reason: composed against the whole final page
    composed = compose_reasons(query, [by_alias[a].product for a in final], met=met, lang=lang)
    items = [
        RankedItem(
            by_alias[a],
            reasons.get(a) or own,
            round(score[a], 6),
            llm_rank[a],
            retrieval_rank[a],
            composed=a not in reasons,
        )
        for a, own in zip(final, composed, strict=True)
    ]
    if problems:
        log.info("LLM rerank repaired: %s", "; ".join(problems[:5]))
    return Reranked(items, llm_ms=llm_ms, problems=problems, refused=refused)



__all__ = ["MAX_REASON_CHARS", "RerankConfig", "Reranked", "parse_ranking", "rerank"]
