"""``shopchat eval answers``: audit the answers shoppers get, reason by reason.

Each distinct judged query goes through ``Assistant.ask`` (the code users call, a fresh user per
query). Counted: items shown, reasons the model wrote (``AnswerItem.reason_source``), model
reasons refused by ``assistant.faithful`` and why (``Answer.refused_reasons``), words per
reason, degraded turns by cause, turn latency.

"Unfaithful reasons that got through" is not read from the checker: ``audit_reason`` re-checks
every shown reason independently and more bluntly (substring matching over the item's text, every
number as a float, every capitalised or coded word), so a leak the checker misses is counted.
The audit also reports how many refusals the check used before issue 14 (``legacy_grounded``)
would have let through, and times the faithfulness check over each turn's real candidates.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from assistant import Answer, Assistant
from assistant.faithful import COMMON, ReasonJudge
from assistant.prompts import INSTRUCTIONS
from assistant.reasons import format_price
from eval.judgments import Judgments
from shopchat.records import Product

# -- the independent audit ---------------------------------------------------------------------

_NUM = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_WORDLIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
_SIZED = re.compile(r"\d+-?(?:inch|inches|in|cm|mm|m|tb|gb|mb|ghz|mhz|hz|w|mah|mp|p|k|x)",
                    re.IGNORECASE)
_MARKUP = re.compile(r"[\[\]{}<>\"`*#|\\]|[,:]\s*$")


def _values(text: str) -> set[float]:
    return {round(float(m.replace(",", "")), 2) for m in _NUM.findall(text)}


def _flat(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _haystack(product: Product) -> str:
    return " ".join([product.title, product.brand, product.category, product.description,
                     format_price(product), *product.attributes.keys(),
                     *product.attributes.values()])


def audit_reason(reason: str, product: Product, request: str,
                 neighbours: Sequence[Product] = (), shown: Sequence[Product] = ()) -> list[str]:
    """What ``reason`` states that is neither ``product``'s nor the ``request``'s (empty: it
    passes). Every number, every word with a digit or a capital (unless an ordinary word,
    ``faithful.COMMON``), and any word naming a ``neighbours`` item's brand is looked up, as a
    substring of the item's text with everything but letters and digits taken out; "cheapest"
    and "priciest" are checked against the prices of the page ``shown`` (else the
    ``neighbours``)."""
    own = _haystack(product)
    own_flat, request_flat = _flat(own), _flat(request)
    problems: list[str] = []
    markup = _MARKUP.search(reason)
    if markup is not None:
        problems.append(f"markup {markup.group(0)!r}")
    numbers = _values(own) | _values(request)
    if product.price is not None:
        numbers |= {round(float(product.price), 2), float(round(product.price))}
    problems += [f"number {n:g}" for n in sorted(_values(reason) - numbers)]
    for word in _WORDLIKE.findall(reason):
        flat = _flat(word)
        capital = any(c.isupper() for c in word[1:]) or (
            word[0].isupper() and word.lower().rstrip("s") not in COMMON
            and word.lower() not in COMMON)
        coded = any(c.isdigit() for c in word) and any(c.isalpha() for c in word) \
            and not _SIZED.fullmatch(word)  # 64GB, 15.6-inch: the number is checked above
        if (capital or coded) and flat not in own_flat and flat not in request_flat:
            problems.append(f"name {word!r}")
    prices = [float(p.price) for p in [product, *(shown or neighbours)] if p.price is not None]
    low, price = reason.lower(), product.price
    if prices and ("cheapest" in low or "least expensive" in low) and (
            price is None or float(price) > min(prices)):
        problems.append("claims cheapest")
    if prices and ("priciest" in low or "most expensive" in low) and (
            price is None or float(price) < max(prices)):
        problems.append("claims priciest")
    said = {_flat(w) for w in _WORDLIKE.findall(reason)}
    for other in neighbours:
        brand = _flat(other.brand)
        if brand and brand != _flat(product.brand) and brand in said and brand not in own_flat \
                and brand not in request_flat:
            problems.append(f"brand {other.brand!r} of another item")
    return list(dict.fromkeys(problems))


_LEGACY_STOP = frozenset(re.findall(r"\S+", """a an and are as at be but by for from has have in
    is it its of on or that the this to with your you it's great good best perfect ideal option
    choice product item fits matches request shopper price"""))


def _legacy_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W_]+", text.lower()) if len(w) > 1 and w not in _LEGACY_STOP}


def legacy_grounded(reason: str, product: Product, others: Sequence[Product]) -> bool:
    """The check rerank used before issue 14 (``reasons.grounded``), kept only to count what it
    would have let through: a shared word with the item, no other candidate's brand."""
    own = _legacy_words(" ".join([product.title, product.brand, product.category,
                                  product.description, format_price(product),
                                  *product.attributes.values()]))
    said = _legacy_words(reason)
    if not said & own:
        return False
    foreign = {w for p in others if p.brand and p.brand.lower() != product.brand.lower()
               for w in _legacy_words(p.brand)} - own
    return not said & foreign


# -- the run -----------------------------------------------------------------------------------


@dataclass(slots=True)
class QueryAudit:
    query: str
    answer: Answer
    turn_ms: float
    check_ms: float
    unfaithful: list[tuple[str, str, list[str]]] = field(default_factory=list)
    """(item id, shown model-written reason, audit problems) for each one the audit flags."""
    composed_flagged: int = 0
    legacy_passes: list[str] = field(default_factory=list)
    """Causes of this turn's refusals that the pre-issue-14 check would have shown."""


@dataclass(slots=True)
class AnswersAudit:
    catalog: str
    judgments: str
    queries: list[QueryAudit]

    def metrics(self) -> dict[str, Any]:
        items = [i for q in self.queries for i in q.answer.items]
        model = [i for i in items if i.reason_source == "model"]
        refused = Counter(r.cause for q in self.queries for r in q.answer.refused_reasons)
        legacy = Counter(c for q in self.queries for c in q.legacy_passes)
        degraded = Counter((q.answer.degraded_reason or "").split(":")[0]
                           for q in self.queries if q.answer.degraded)
        turn = [q.turn_ms for q in self.queries]
        check = [q.check_ms for q in self.queries]
        return {
            "catalog": self.catalog,
            "judgments": self.judgments,
            "queries": len(self.queries),
            "items": len(items),
            "model_written_reasons": len(model),
            "composed_reasons": len(items) - len(model),
            "refused_reasons": sum(refused.values()),
            "refused_reasons_by_cause": dict(refused.most_common()),
            "refused_that_legacy_grounded_would_show": sum(legacy.values()),
            "refused_that_legacy_grounded_would_show_by_cause": dict(legacy.most_common()),
            "unfaithful_reasons_shown": sum(len(q.unfaithful) for q in self.queries),
            "composed_reasons_flagged_by_audit": sum(q.composed_flagged for q in self.queries),
            "mean_words_per_reason": _mean([len(i.reason.split()) for i in items]),
            "mean_words_per_model_reason": _mean([len(i.reason.split()) for i in model]),
            "degraded_turns": sum(degraded.values()),
            "degraded_turns_by_cause": dict(degraded.most_common()),
            "turn_ms": _percentiles(turn),
            "faithful_check_ms_per_turn": _percentiles(check),
        }


def _mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 2) if values else 0.0


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    return {"p50": round(float(np.percentile(values, 50)), 2),
            "p95": round(float(np.percentile(values, 95)), 2),
            "max": round(float(max(values)), 2)}


def audit_answers(bot: Assistant, judgments: Judgments, catalog: str, limit: int | None = None,
                  progress: bool = True) -> AnswersAudit:
    """Ask each distinct judged query (the first ``limit``) as a fresh user and audit the answer."""
    queries = judgments.queries[:limit] if limit else judgments.queries
    audits = []
    for n, query in enumerate(tqdm(queries, desc="answers", unit="query", disable=not progress)):
        started = time.perf_counter()
        answer = bot.ask(f"answers-audit-{n}", query)
        turn_ms = (time.perf_counter() - started) * 1000
        audits.append(audit_turn(bot, query, answer, turn_ms))
    return AnswersAudit(catalog, str(judgments.path), audits)


def audit_turn(bot: Assistant, query: str, answer: Answer, turn_ms: float) -> QueryAudit:
    table = bot.searcher.table
    shown = [p for i in answer.items if (p := table.get(i.id)) is not None]
    # the candidates the model saw, as near as an outside caller can get them
    pool = [c.product for c in bot.searcher.search(query, k=bot.rerank_config.top_n).candidates]
    page = list({p.id: p for p in [*shown, *pool]}.values())
    audit = QueryAudit(query, answer, turn_ms, _check_ms(query, answer, page, shown))
    for item, product in zip(answer.items, shown, strict=False):
        problems = audit_reason(item.reason, product, query, page, shown)
        if problems and item.reason_source == "model":
            audit.unfaithful.append((item.id, item.reason, problems))
        elif problems:
            audit.composed_flagged += 1
    for refused in answer.refused_reasons:
        own = table.get(refused.id)
        if own is not None and legacy_grounded(
            refused.reason, own, [p for p in page if p.id != own.id]
        ):
            audit.legacy_passes.append(refused.cause)
    return audit


def _check_ms(query: str, answer: Answer, page: list[Product], shown: list[Product]) -> float:
    """What the faithfulness check costs a turn: a judge for the page, every reason judged."""
    by_id = {p.id: p for p in page}
    said = [(i.reason, p) for i, p in zip(answer.items, shown, strict=False)]
    said += [(r.reason, by_id[r.id]) for r in answer.refused_reasons if r.id in by_id]
    started = time.perf_counter()
    judge = ReasonJudge(query, page, INSTRUCTIONS)
    for reason, product in said:
        judge.judge(reason, product)
    return (time.perf_counter() - started) * 1000


# -- the report --------------------------------------------------------------------------------


def write_answers_report(audit: AnswersAudit, out: Path) -> list[Path]:
    """metrics.json, per_query.csv, reasons.csv (every shown and refused reason), report.md."""
    out.mkdir(parents=True, exist_ok=True)
    metrics = audit.metrics()
    paths = [out / "metrics.json", out / "per_query.csv", out / "reasons.csv", out / "report.md"]
    paths[0].write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    pd.DataFrame([_query_row(q) for q in audit.queries]).to_csv(paths[1], index=False)
    pd.DataFrame(_reason_rows(audit), columns=["query", "position", "id", "source", "reason",
                                               "refused_cause", "audit"]).to_csv(paths[2],
                                                                                 index=False)
    paths[3].write_text(_markdown(audit, metrics), encoding="utf-8")
    return paths


def _query_row(q: QueryAudit) -> dict[str, Any]:
    items = q.answer.items
    return {
        "query": q.query,
        "items": len(items),
        "model_written": sum(i.reason_source == "model" for i in items),
        "refused": len(q.answer.refused_reasons),
        "refused_causes": ";".join(r.cause for r in q.answer.refused_reasons),
        "unfaithful_shown": len(q.unfaithful),
        "mean_words": _mean([len(i.reason.split()) for i in items]),
        "degraded_reason": q.answer.degraded_reason or "",
        "turn_ms": round(q.turn_ms, 1),
        "check_ms": round(q.check_ms, 3),
    }


def _reason_rows(audit: AnswersAudit) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for q in audit.queries:
        flagged = {item_id: problems for item_id, _, problems in q.unfaithful}
        for pos, item in enumerate(q.answer.items, start=1):
            rows.append({"query": q.query, "position": pos, "id": item.id,
                         "source": item.reason_source, "reason": item.reason,
                         "refused_cause": "", "audit": "; ".join(flagged.get(item.id, []))})
        for refused in q.answer.refused_reasons:
            rows.append({"query": q.query, "position": "", "id": refused.id, "source": "refused",
                         "reason": refused.reason, "refused_cause": refused.cause,
                         "audit": refused.detail})
    return rows


def _markdown(audit: AnswersAudit, m: dict[str, Any]) -> str:
    causes = ", ".join(f"{c} {n}" for c, n in m["refused_reasons_by_cause"].items()) or "none"
    degraded = ", ".join(f"{c} {n}" for c, n in m["degraded_turns_by_cause"].items()) or "none"
    lines = [
        f"# Answer audit: {audit.catalog}",
        "",
        f"{m['queries']} judged queries from `{audit.judgments}`, each asked through "
        "`Assistant.ask` by a fresh user.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| items shown | {m['items']} |",
        f"| model-written reasons shown | {m['model_written_reasons']} |",
        f"| model reasons refused | {m['refused_reasons']} ({causes}) |",
        f"| ... that the pre-issue-14 check would have shown | "
        f"{m['refused_that_legacy_grounded_would_show']} |",
        f"| unfaithful model reasons shown (independent audit) | "
        f"{m['unfaithful_reasons_shown']} |",
        f"| composed reasons the audit flags | {m['composed_reasons_flagged_by_audit']} |",
        f"| mean words per reason (model-written) | {m['mean_words_per_reason']} "
        f"({m['mean_words_per_model_reason']}) |",
        f"| degraded turns | {m['degraded_turns']} ({degraded}) |",
        f"| turn p50 / p95 ms | {m['turn_ms']['p50']:.0f} / {m['turn_ms']['p95']:.0f} |",
        f"| faithfulness check p50 / p95 / max ms per turn | "
        f"{m['faithful_check_ms_per_turn']['p50']:.2f} / "
        f"{m['faithful_check_ms_per_turn']['p95']:.2f} / "
        f"{m['faithful_check_ms_per_turn']['max']:.2f} |",
        "",
    ]
    refused = [(q.query, r) for q in audit.queries for r in q.answer.refused_reasons]
    if refused:
        lines += ["## Refused model reasons (first 15)", ""]
        lines += [f"- “{q}”: `{r.reason}` → {r.cause} ({r.detail})" for q, r in refused[:15]]
        lines.append("")
    shown = [(q.query, reason, problems) for q in audit.queries for _, reason, problems in
             q.unfaithful]
    if shown:
        lines += ["## Model reasons shown that the audit flags", ""]
        lines += [f"- “{q}”: `{r}`: {'; '.join(p)}" for q, r, p in shown[:15]]
        lines.append("")
    return "\n".join(lines)
