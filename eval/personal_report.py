"""Write a personalisation evaluation: metrics.json, per_user.csv, per_query.csv, plot, report."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eval.personal_eval import MRR_TARGET, REC_K, SEARCH_METRICS, PersonalEvalResult
from eval.plots import plot_panels

log = logging.getLogger(__name__)

SYSTEMS = ("personalised", "non_personalised")


def per_query_frame(result: PersonalEvalResult) -> pd.DataFrame:
    rows = []
    for case in result.cases:
        row: dict[str, Any] = {"user_id": case.user_id, "query": case.query,
                               "relevant": " ".join(sorted(case.relevant)),
                               "repeat": case.repeat}
        for system in SYSTEMS:
            for metric in SEARCH_METRICS:
                row[f"{metric}_{system}"] = result.per_query[system][metric][case.qid]
        rows.append(row)
    return pd.DataFrame(rows)


def per_user_frame(result: PersonalEvalResult) -> pd.DataFrame:
    queries = per_query_frame(result)
    means = queries.drop(columns=["query", "relevant"]).groupby("user_id").mean(numeric_only=True)
    by_user: dict[str, dict[str, float]] = {
        str(u): {str(k): float(v) for k, v in row.items() if k != "repeat"}
        for u, row in means.to_dict(orient="index").items()}
    rec = f"recall@{REC_K}"
    rows = []
    for user in result.users:
        row: dict[str, Any] = {"user_id": user, "train_purchases": result.train_counts[user],
                               "queries": int((queries["user_id"] == user).sum()),
                               "basket_size": len(result.baskets[user])}
        row.update(by_user.get(user, {}))
        row[f"{rec}_recommend"] = result.per_query["recommend"][rec].get(user, 0.0)
        row[f"{rec}_popularity"] = result.per_query["popularity"][rec].get(user, 0.0)
        rows.append(row)
    return pd.DataFrame(rows)


def _table(rows: dict[str, dict[str, float]], metrics: tuple[str, ...]) -> list[str]:
    lines = ["| system | " + " | ".join(metrics) + " |", "|---|" + "---|" * len(metrics)]
    lines += [f"| {name} | " + " | ".join(f"{row[m]:.4f}" for m in metrics) + " |"
              for name, row in rows.items()]
    return lines


def write_personal_report(result: PersonalEvalResult, out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    metrics_json = out / "metrics.json"
    metrics_json.write_text(json.dumps(result.metrics, indent=2) + "\n", encoding="utf-8")
    details_json = out / "details.json"
    details_json.write_text(json.dumps(result.details, indent=2) + "\n", encoding="utf-8")
    per_user_csv = out / "per_user.csv"
    per_user_frame(result).to_csv(per_user_csv, index=False)
    per_query_csv = out / "per_query.csv"
    per_query_frame(result).to_csv(per_query_csv, index=False)
    m = result.metrics
    rec = m["recommend"]
    plot = plot_panels({
        f"Search, {m['queries']} queries": {s: m[s] for s in SYSTEMS},
        f"Empty query, next basket, {m['users']} users": {
            "recommend (profile)": {f"recall@{REC_K}": rec[f"recall@{REC_K}"]},
            "popularity": {f"recall@{REC_K}": rec[f"popularity_recall@{REC_K}"]}},
    }, out / "metrics.png")
    report_md = out / "report.md"
    report_md.write_text("\n".join(_report_lines(result, plot.name)) + "\n", encoding="utf-8")
    log.info("wrote personalisation report to %s", out)
    return [metrics_json, details_json, per_user_csv, per_query_csv, plot, report_md]


def _report_lines(result: PersonalEvalResult, plot: str) -> list[str]:
    m = result.metrics
    base, pers = m["non_personalised"]["mrr"], m["personalised"]["mrr"]
    ratio = pers / base if base else float("nan")
    rec = m["recommend"]
    beat = rec[f"recall@{REC_K}"] > rec[f"popularity_recall@{REC_K}"]
    splits = result.details.get("splits", {})
    lines = [
        f"# Personalisation evaluation — {result.catalog}", "",
        f"Cut-off {result.cutoff:%Y-%m-%d}: profiles from purchases before it, tests after it. "
        f"{m['users']} sampled users, {m['queries']} queries (one per distinct query a user's "
        "test purchases give; relevant = that user's test items with that query). Both systems "
        "rank the same hybrid top-100; the personalised one reorders it with the user's profile "
        f"(personal ranker: {result.details.get('personal_ranker', 'linear')}).",
        "", *_table({s: m[s] for s in SYSTEMS}, SEARCH_METRICS), "",
        f"Personalised MRR / non-personalised MRR = **{ratio:.3f}** "
        f"(target ≥ {MRR_TARGET}: {'met' if ratio >= MRR_TARGET else 'NOT met'}).", "",
        f"Empty query (\"recommend for me\"), first basket after the cut-off: Recall@{REC_K} "
        f"**{rec[f'recall@{REC_K}']:.4f}** vs popularity {rec[f'popularity_recall@{REC_K}']:.4f} "
        f"({'beats' if beat else 'does NOT beat'} popularity).", "",
        f"![metrics]({plot})", "",
    ]
    if splits:
        lines += ["## Repeat vs new items", "",
                  "Queries whose relevant item the user had already bought before the cut-off "
                  "(repeat) and the rest (new):", "",
                  "| split | queries | MRR non-personalised | MRR personalised | ratio |",
                  "|---|---|---|---|---|"]
        for label, row in splits.items():
            b, p = row["non_personalised"]["mrr"], row["personalised"]["mrr"]
            lines.append(f"| {label} | {row['queries']} | {b:.4f} | {p:.4f} | "
                         f"{(p / b if b else float('nan')):.3f} |")
        lines.append("")
    lines += _headroom_lines(result.details.get("headroom", {}))
    lines += _gains(result)
    return lines


def _headroom_lines(room: dict[str, float]) -> list[str]:
    if not room:
        return []
    return [
        "## Headroom", "",
        f"{room['repeat_share']:.1%} of the queries are for an item the user bought before. "
        "Putting that item first in every one of them (MRR 1 there) and leaving the rest as "
        f"they are gives MRR {room['repeat_oracle_mrr']:.4f}, a ratio of "
        f"**{room['repeat_oracle_ratio']:.3f}**. With those perfect, reaching {MRR_TARGET} "
        f"needs the other queries' MRR at {room['new_mrr_needed']:.4f} "
        f"(non-personalised: {room['new_mrr_non_personalised']:.4f}).", ""]


def _gains(result: PersonalEvalResult, n: int = 5) -> list[str]:
    pers = result.per_query["personalised"]["mrr"]
    base = result.per_query["non_personalised"]["mrr"]
    deltas = sorted(((pers[c.qid] - base[c.qid], c) for c in result.cases),
                    key=lambda d: d[0])
    wins = sum(d > 0 for d, _ in deltas)
    losses = sum(d < 0 for d, _ in deltas)
    lines = [f"## Per query: personalised better on {wins}, worse on {losses}, "
             f"equal on {len(deltas) - wins - losses}", "",
             "| user | query | MRR before | MRR after |", "|---|---|---|---|"]
    picked = deltas[-n:][::-1] + deltas[:n]
    lines += [f"| {c.user_id} | {c.query} | {base[c.qid]:.3f} | {pers[c.qid]:.3f} |"
              for _, c in picked if not np.isclose(pers[c.qid], base[c.qid])]
    return lines
