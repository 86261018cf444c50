"""``shopchat bench ask``: per-stage latency of full turns, and a validity check of every answer."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from assistant.answer import AnswerEvent, CandidatesEvent
from assistant.service import Assistant
from shopchat.timing import elapsed_ms

STAGES = ("first_candidates", "retrieve", "rerank", "total")


@dataclass
class AskBench:
    backend: str
    samples: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STAGES})
    answers: int = 0
    degraded: int = 0
    invalid: list[str] = field(default_factory=list)
    items_explained: list[int] = field(default_factory=list)

    def pct(self, stage: str, q: float) -> float:
        values = self.samples[stage]
        return float(np.percentile(values, q)) if values else float("nan")


def bench_ask(
    bot: Assistant, queries: Sequence[str], backend: str, progress: bool = True
) -> AskBench:
    """One fresh session per query. Checks every item: in the catalog, satisfies the turn's
    parsed constraints, has a reason. Violations are listed, not hoped away."""
    out = AskBench(backend)
    table = bot.searcher.table
    for n, query in enumerate(tqdm(queries, desc=f"ask ({backend})", disable=not progress)):
        started = time.perf_counter()
        first = None
        answer = None
        for event in bot.ask_stream(f"bench-{n}", query):
            if isinstance(event, CandidatesEvent) and first is None:
                first = elapsed_ms(started)
            elif isinstance(event, AnswerEvent):
                answer = event.answer
        total = elapsed_ms(started)
        assert answer is not None
        out.answers += 1
        out.degraded += answer.degraded
        out.samples["first_candidates"].append(first if first is not None else total)
        out.samples["retrieve"].append(answer.timings_ms.get("retrieve", 0.0))
        out.samples["rerank"].append(answer.timings_ms.get("rerank", 0.0))
        out.samples["total"].append(total)
        out.items_explained.append(sum(1 for i in answer.items if i.reason))
        filters = bot.searcher.parse(query).filters
        for item in answer.items:
            product = table.get(item.id)
            if product is None:
                out.invalid.append(f"{query!r}: {item.id} is not in the catalog")
            elif not filters.accepts(product):
                out.invalid.append(f"{query!r}: {item.id} breaks {answer.constraints}")
            elif not item.reason:
                out.invalid.append(f"{query!r}: {item.id} has no reason")
    return out
