"""Write an evaluation result to disk: metrics.json, per_query.csv, metrics.png, report.md."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from eval.metrics import METRICS
from eval.plots import plot_metrics

if TYPE_CHECKING:
    from eval.search_eval import EvalResult

logger = logging.getLogger(__name__)

PER_QUERY_COLUMNS = ["query", "system", *METRICS, "latency_ms"]


@dataclass(frozen=True, slots=True)
class QueryDelta:
    query: str
    system_value: float
    baseline_value: float

    @property
    def delta(self) -> float:
        return self.system_value - self.baseline_value


def wins_losses(
    result: EvalResult,
    system: str = "hybrid",
    baseline: str = "bm25",
    metric: str = "ndcg@10",
) -> tuple[list[QueryDelta], list[QueryDelta], int]:
    """Gains (biggest first) and losses (worst first) of ``system`` over ``baseline``, #ties."""
    sys_q = result.systems[system].per_query
    base_q = result.systems[baseline].per_query
    deltas = [QueryDelta(q, sys_q[q][metric], base_q[q][metric]) for q in result.queries]
    gains = sorted((d for d in deltas if d.delta > 0), key=lambda d: -d.delta)
    losses = sorted((d for d in deltas if d.delta < 0), key=lambda d: d.delta)
    ties = len(deltas) - len(gains) - len(losses)
    return gains, losses, ties


def per_query_frame(result: EvalResult) -> pd.DataFrame:
    rows = [
        {"query": q, "system": name, **res.per_query[q], "latency_ms": res.latency_ms[q]}
        for name, res in result.systems.items()
        for q in result.queries
    ]
    return pd.DataFrame(rows, columns=PER_QUERY_COLUMNS)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _metrics_table(result: EvalResult) -> list[str]:
    header = ["system", *METRICS, "p50 ms", "p95 ms"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in result.summary().items():
        cells = [f"{row[m]:.4f}" for m in METRICS] + [f"{row['p50_ms']:.1f}",
                                                       f"{row['p95_ms']:.1f}"]
        folds = int(row.get("cv_folds", 0))
        label = f"{name} ({folds}-fold CV)" if folds else name
        lines.append(f"| {_md_cell(label)} | " + " | ".join(cells) + " |")
    return lines


def _delta_table(title: str, deltas: list[QueryDelta], system: str, baseline: str,
                 metric: str) -> list[str]:
    if not deltas:
        return [f"**{title}:** none.", ""]
    lines = [f"**{title}**", "",
             f"| query | {baseline} {metric} | {system} {metric} | delta |", "|---|---|---|---|"]
    lines += [f"| {_md_cell(d.query)} | {d.baseline_value:.3f} | {d.system_value:.3f} | "
              f"{d.delta:+.3f} |" for d in deltas]
    return [*lines, ""]


def _wins_losses_section(result: EvalResult, system: str = "hybrid",
                         baseline: str = "bm25", metric: str = "ndcg@10",
                         n: int = 5) -> list[str]:
    if system not in result.systems or baseline not in result.systems:
        return []
    gains, losses, ties = wins_losses(result, system, baseline, metric)
    return [
        f"## Per-query wins and losses: {system} vs {baseline} ({metric})", "",
        f"{system} is better on {len(gains)} queries, worse on {len(losses)}, "
        f"equal on {ties}.", "",
        *_delta_table("Biggest gains", gains[:n], system, baseline, metric),
        *_delta_table("Biggest losses", losses[:n], system, baseline, metric),
    ]


def _compared(result: EvalResult) -> tuple[str, str]:
    """(system, baseline) for the wins-and-losses section: the product's search vs the best
    unlearned one present."""
    system = next((s for s in ("default", "hybrid") if s in result.systems), "hybrid")
    baseline = next((s for s in ("rrf", "bm25") if s in result.systems and s != system), "bm25")
    return system, baseline


def write_report(result: EvalResult, out_dir: str | Path) -> list[Path]:
    """Write metrics.json, per_query.csv, metrics.png and report.md into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = result.summary()

    metrics_json = out / "metrics.json"
    metrics_json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    per_query_csv = out / "per_query.csv"
    per_query_frame(result).to_csv(per_query_csv, index=False)
    plot = plot_metrics(summary, out / "metrics.png")

    lines = [
        "# Search evaluation", "",
        f"Judgments: `{result.judgments_path}` — {len(result.queries)} queries, top-{result.k} "
        "per search. Unjudged items count as not relevant; queries whose labels are all 0 "
        "score 0.", "",
        *_metrics_table(result), "",
        f"![metrics and latency]({plot.name})", "",
        *_wins_losses_section(result, *_compared(result)),
    ]
    report_md = out / "report.md"
    report_md.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    logger.info("wrote evaluation report to %s", out)
    return [metrics_json, per_query_csv, plot, report_md]
