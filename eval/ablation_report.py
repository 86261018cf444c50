"""The relevance ablation: unlearned baselines, then LambdaMART with feature groups added one
at a time (each cross-validated), written as a Markdown table with per-query wins and losses."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.judgments import load_judgments
from eval.metrics import METRICS
from eval.plots import plot_panels
from eval.ranker_cv import ablation, collect_pools
from eval.search_eval import evaluate_search
from retrieval.searcher import Searcher

log = logging.getLogger(__name__)

BASELINES = ("bm25", "dense", "rrf")


@dataclass(frozen=True, slots=True)
class AblationTable:
    judgments: Path
    folds: int
    rows: list[tuple[str, dict[str, float]]]
    """(change, mean metrics) in order: baselines, then each added feature group."""
    spread: dict[str, float]
    """change -> standard deviation of nDCG@10 over the fold shuffles (0 for baselines)."""
    seeds: int
    per_query: dict[str, dict[str, float]]
    """system -> query -> ndcg@10, for the rrf baseline and the full ranker (fold seed 0)."""


def run_ablation(
    searcher: Searcher,
    judgments_path: Path,
    *,
    folds: int = 5,
    seeds: int = 1,
    progress: bool = True,
) -> AblationTable:
    """Learned rows are averaged over ``seeds`` shuffles of the queries into folds (seed 0
    first: its per-query figures are the ones reported)."""
    judgments = load_judgments(judgments_path)
    base = evaluate_search(searcher, judgments_path, BASELINES, k=100, progress=progress)
    rows = [(name, base.systems[name].metrics) for name in BASELINES]
    spread = {name: 0.0 for name in BASELINES}
    pools = collect_pools(searcher, judgments, progress=progress)
    runs = [ablation(searcher, judgments, pools, n_folds=folds, seed=seed, progress=progress)
            for seed in range(seeds)]
    for i, step in enumerate(runs[0]):
        results = [run[i].result.metrics for run in runs]
        rows.append((step.change, {m: float(np.mean([r[m] for r in results])) for m in METRICS}))
        spread[step.change] = float(np.std([r["ndcg@10"] for r in results]))
    per_query = {
        "rrf": {q: v["ndcg@10"] for q, v in base.systems["rrf"].per_query.items()},
        "ranker": {q: v["ndcg@10"] for q, v in runs[0][-1].result.per_query.items()},
    }
    return AblationTable(Path(judgments_path), folds, rows, spread, seeds, per_query)


def write_ablation(table: AblationTable, out_dir: Path, top: int = 8) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Relevance ablation", "",
        f"Judgments: `{table.judgments}`. Rows after `rrf` are LambdaMART over the features "
        f"named, cumulative, each scored by {table.folds}-fold cross-validation over queries "
        "(fit on the other folds, search the held-out queries through `Searcher.search`), "
        f"averaged over {table.seeds} shuffle(s) of the queries into folds; ± is the standard "
        "deviation of nDCG@10 across those shuffles.", "",
        "| change | " + " | ".join(METRICS) + " | ± nDCG@10 |",
        "|---|" + "---|" * (len(METRICS) + 1),
    ]
    for change, metrics in table.rows:
        lines.append(f"| {change} | " + " | ".join(f"{metrics[m]:.4f}" for m in METRICS)
                     + f" | {table.spread.get(change, 0.0):.4f} |")
    rrf, ranker = table.per_query["rrf"], table.per_query["ranker"]
    deltas = sorted(((ranker[q] - rrf[q], q) for q in rrf), reverse=True)
    gains = [d for d in deltas if d[0] > 1e-9]
    losses = [d for d in reversed(deltas) if d[0] < -1e-9]
    lines += ["", "## Per-query nDCG@10: full ranker vs rrf", "",
              f"Better on {len(gains)} queries, worse on {len(losses)}, "
              f"equal on {len(deltas) - len(gains) - len(losses)}.", ""]
    for title, part in (("Biggest gains", gains[:top]), ("Biggest losses", losses[:top])):
        lines += [f"**{title}**", "", "| query | rrf | ranker | delta |", "|---|---|---|---|"]
        lines += [f"| {q} | {rrf[q]:.3f} | {ranker[q]:.3f} | {d:+.3f} |" for d, q in part]
        lines.append("")
    report = out_dir / "ablation.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    data = out_dir / "ablation.json"
    data.write_text(json.dumps({"folds": table.folds, "seeds": table.seeds, "rows": table.rows,
                                "ndcg_sd": table.spread}, indent=2) + "\n", encoding="utf-8")
    plot = plot_panels({"nDCG@10 / Recall@100 / MRR per change":
                        {change: metrics for change, metrics in table.rows}},
                       out_dir / "ablation.png")
    log.info("wrote the ablation to %s", out_dir)
    return [report, data, plot]
